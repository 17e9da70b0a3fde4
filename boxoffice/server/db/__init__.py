"""Persistence: SQLAlchemy models, engine set-up, dialect-aware locking and migrations."""
