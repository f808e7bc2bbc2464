"""Demo data: two clinics, their staff and about forty varied patients with intakes and
treatment sessions."""
