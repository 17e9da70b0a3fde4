"""HTTP layer: thin routes, dependencies, the error table and idempotency."""
