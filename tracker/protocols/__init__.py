"""Treatment protocols: named point sets applied to a session in one step."""
