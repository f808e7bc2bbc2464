"""Outcomes: how each course of treatment went (the progress page), the clinic review, the
follow-up list."""
