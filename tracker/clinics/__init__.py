"""Clinics: the tenant every record belongs to, its settings and its staff accounts."""
