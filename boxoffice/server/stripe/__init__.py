"""Stripe: the gateway over the official library and the emulator used in training mode."""
