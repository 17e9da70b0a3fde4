"""Box Office: a desktop box office and a Tickethead-compatible venue server."""

__version__ = "0.1.0"
