"""Patients: registration, demographics, search, archiving and consent."""
