"""Alembic migrations of the venue server's schema."""
