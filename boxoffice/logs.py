"""Logging set-up for `boxoffice.*` loggers, with a filter that redacts secrets."""

from __future__ import annotations

import logging
import re

_SECRET = re.compile(
    r"(?i)(authorization|bearer|password|token|secret|api[_-]?key)([\"']?\s*[:=]\s*[\"']?|\s+)"
    r"([^\s\"',;]+)"
)


class RedactingFilter(logging.Filter):
    """Replace anything that looks like a credential in a log message with `***`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}***", message)
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
