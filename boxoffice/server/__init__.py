"""The venue server: a Tickethead-compatible order API over SQLite or PostgreSQL."""
