"""Ticket printing: choosing and configuring printers, and printing the API's ticket PDFs."""
