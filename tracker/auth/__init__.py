"""Authentication and staff accounts: users (with their role and STRICTA 5 background), login
sessions, password changes and login throttling. What each role may do is decided in
``tracker.permissions``."""
