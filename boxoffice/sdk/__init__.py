"""The async client for the Tickethead order API; for now only its wire models exist."""
