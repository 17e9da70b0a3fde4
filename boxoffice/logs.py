"""Logging set-up for `boxoffice.*` loggers, with a filter that redacts secrets."""

from __future__ import annotations

import logging
import re

_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+")
_JWT = re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]*")
_STRIPE_SECRETS = re.compile(r"\b(?:pi|seti)_\w+_secret_\w+|\b(?:sk|rk|whsec)_\w+")
_KEY_VALUE = re.compile(
    r"(?i)(password|passwd|token|secret|api[_-]?key|client_secret)([\"']?\s*[:=]\s*[\"']?)"
    r"([^\s\"',;}]+)"
)


class RedactingFilter(logging.Filter):
    """Replace anything that looks like a credential in a log message with `***`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _BEARER.sub(r"\1 ***", message)
        redacted = _JWT.sub("***", redacted)
        redacted = _STRIPE_SECRETS.sub("***", redacted)
        redacted = _KEY_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}***", redacted)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


def setup_logging(level: str = "INFO") -> None:
    """Send `boxoffice.*` records to stderr, redacted."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger("boxoffice")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
