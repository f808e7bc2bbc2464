"""Authentication: users and roles, login sessions, password changes and login throttling."""
