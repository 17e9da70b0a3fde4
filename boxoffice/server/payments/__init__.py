"""Payment providers: the Stripe gateway and the Stripe emulator used in training mode."""
