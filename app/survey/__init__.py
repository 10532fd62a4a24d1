"""The short survey after a session."""
