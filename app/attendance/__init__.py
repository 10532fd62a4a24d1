"""After the session: who attended (the video platforms' reports, ticks by hand) and the recordings."""
