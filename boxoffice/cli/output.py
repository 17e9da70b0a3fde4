"""Exit codes, failure sentences and output of the client commands (`boxoffice.cli.client`)."""

from __future__ import annotations

import argparse
import enum
import json
import sys
from typing import Any

import pydantic

from boxoffice.cli.training_card import TrainingCardError
from boxoffice.credentials import CredentialStoreUnavailable
from boxoffice.i18n import _
from boxoffice.sdk import (
    API_URL_ENV,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BoxOfficeError,
    PaymentDeclinedError,
    PermissionDeniedError,
    ServerError,
    SignInLockedError,
    TLSVerificationError,
)


class ExitCode(enum.IntEnum):
    """What a command's exit status means (the client's commands and the server's)."""

    OK = 0
    REFUSED = 1  # refused (sold out, seat taken, not found, invalid ticket…) or a file failed
    USAGE = 2  # bad arguments or options
    UNREACHABLE = 3  # the server cannot be reached, timed out or failed (5xx)
    NOT_AUTHORIZED = 4  # not signed in, wrong password, sign-in locked, no permission, no store
    PAYMENT_INCOMPLETE = 5  # the order exists but is not paid (card page pending, declined)


class CommandError(Exception):
    """A failure the command itself finds: one sentence for stderr and the exit code."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.code = code


EXIT_CODES: tuple[tuple[type[BaseException], ExitCode], ...] = (
    (PaymentDeclinedError, ExitCode.PAYMENT_INCOMPLETE),
    (AuthenticationError, ExitCode.NOT_AUTHORIZED),
    (SignInLockedError, ExitCode.NOT_AUTHORIZED),  # the server's sentence says how long
    (PermissionDeniedError, ExitCode.NOT_AUTHORIZED),
    (CredentialStoreUnavailable, ExitCode.NOT_AUTHORIZED),
    (TLSVerificationError, ExitCode.UNREACHABLE),  # its certificate is not the trusted one
    (APIConnectionError, ExitCode.UNREACHABLE),
    (ServerError, ExitCode.UNREACHABLE),
    (TrainingCardError, ExitCode.UNREACHABLE),
    (pydantic.ValidationError, ExitCode.USAGE),
    (BoxOfficeError, ExitCode.REFUSED),
    (OSError, ExitCode.REFUSED),
)
"""The one table: exception class → exit code; the first `isinstance` match wins."""


def exit_code_for(exc: BaseException) -> ExitCode | None:
    """The exit code of a failure the commands expect, or None for a bug."""
    if isinstance(exc, CommandError):
        return exc.code
    return next((code for cls, code in EXIT_CODES if isinstance(exc, cls)), None)


def describe(exc: BaseException, api: str) -> str:
    """One human sentence for an expected failure."""
    if isinstance(exc, TLSVerificationError):
        text = _("Refused the server at %(api)s: %(reason)s; nothing was sent.") % {
            "api": api,
            "reason": exc.message.rstrip("."),
        }
    elif isinstance(exc, APITimeoutError):
        text = _("The server at %(api)s did not answer in time.") % {"api": api}
    elif isinstance(exc, APIConnectionError):
        text = _(
            "Cannot reach the server at %(api)s; is it running? (set --api or %(variable)s)"
        ) % {"api": api, "variable": API_URL_ENV}
    elif isinstance(exc, ServerError):
        text = _("The server failed: %(message)s") % {"message": exc.message}
    elif isinstance(exc, APIStatusError):
        text = exc.message
    elif isinstance(exc, pydantic.ValidationError):
        first = exc.errors()[0]
        text = _("Invalid %(field)s: %(problem)s") % {
            "field": ".".join(str(p) for p in first["loc"]),
            "problem": first["msg"],
        }
    elif isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        if exc.filename:
            text = _("Cannot write %(file)s: %(reason)s") % {"file": exc.filename, "reason": reason}
        else:
            text = _("Cannot write a file: %(reason)s") % {"reason": reason}
    else:
        text = str(exc)
    return text if text.endswith((".", "?", "!", ")")) else text + "."


# --- output --------------------------------------------------------------------------------


def fail(message: str) -> None:
    """`boxoffice: message` on stderr."""
    sys.stderr.write(f"boxoffice: {message}\n")


def progress(text: str) -> None:
    """A progress line on stderr, only when a person watches it."""
    if sys.stderr.isatty():
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def emit(args: argparse.Namespace, text: str, data: Any) -> None:
    """`text` for people, or `data` as JSON with `--json`."""
    out = json.dumps(data, indent=2, default=str) if args.json else text
    sys.stdout.write(out + "\n")
