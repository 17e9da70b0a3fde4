"""The counter's dialogs: sign-in, settings, seat selection and card payment."""
