"""The domain rules: services take a session, the actor and `now`; they flush, never commit."""
