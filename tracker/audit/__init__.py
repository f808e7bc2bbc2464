"""Audit log: an append-only, hash-chained record of every view, change, export and login."""
