"""Ticket output plugins: turn the tickets of an order into files (PDF, Apple Wallet pkpass).

`base.py` holds what every output shares (`TicketView`, `OutputFile`, `TicketOutput`);
`registry.py` maps an identifier such as ``"pdf"`` to its class. The outputs are pure: they
get fully loaded `TicketView`s and never touch the database.
"""
