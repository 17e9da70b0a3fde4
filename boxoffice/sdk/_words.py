"""Sentences the SDK hands to people (a cashier, a customer) are marked for translation here
without the SDK depending on Box Office's gettext (`boxoffice.i18n`): `N_("…")` only marks a
sentence for extraction and returns it as it is; whoever shows it translates it with `_()`."""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 (gettext's name for a deferred translation)
    """Marks `message` for extraction; it is translated where it is shown."""
    return message
