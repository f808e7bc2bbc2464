"""Outcome measures: the instruments, their scoring, and every score recorded."""
