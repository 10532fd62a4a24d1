"""The follow-up message after a session."""
