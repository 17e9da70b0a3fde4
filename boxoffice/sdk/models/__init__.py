"""Pydantic wire models: the API contract shared by the SDK and the venue server."""
