"""The client commands' exit-code table, their sentences, and the training-mode check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from boxoffice.cli.output import CommandError, ExitCode, describe, exit_code_for
from boxoffice.cli.training_card import emulator_base
from boxoffice.credentials import CredentialStoreUnavailable
from boxoffice.sdk import (
    APIConnectionError,
    APITimeoutError,
    PaymentDeclinedError,
    PermissionDeniedError,
    ServerError,
    SignInLockedError,
    SoldOutError,
)
from boxoffice.sdk.models.payments import PaymentIntentResponse

API = "http://127.0.0.1:8765"
DOC = Path(__file__).resolve().parents[3] / "docs" / "sdk.md"


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (SoldOutError("Sold out.", status=409, code="sold_out"), ExitCode.REFUSED),
        (PermissionDeniedError("No.", status=403), ExitCode.NOT_AUTHORIZED),
        (SignInLockedError("Wait.", status=429, code="signin_locked"), ExitCode.NOT_AUTHORIZED),
        (PaymentDeclinedError("Declined.", status=402), ExitCode.PAYMENT_INCOMPLETE),
        (ServerError("Boom.", status=503), ExitCode.UNREACHABLE),
        (APITimeoutError(), ExitCode.UNREACHABLE),
        (CredentialStoreUnavailable("No keyring."), ExitCode.NOT_AUTHORIZED),
        (CommandError("Pay first.", ExitCode.PAYMENT_INCOMPLETE), ExitCode.PAYMENT_INCOMPLETE),
        (PermissionError(13, "Permission denied", "/x"), ExitCode.REFUSED),
        (KeyError("bug"), None),
    ],
)
def test_each_failure_has_its_exit_code(exc, code):
    assert exit_code_for(exc) == code


def test_failures_read_as_one_sentence():
    assert describe(SoldOutError("Only 2 left", status=409), API) == "Only 2 left."
    assert describe(APIConnectionError("GET x failed: ConnectError."), API).startswith(
        f"Cannot reach the server at {API}"
    )
    assert describe(PermissionError(13, "Permission denied", "/x"), API) == (
        "Cannot write /x: Permission denied."
    )
    locked = SignInLockedError(
        "Too many failed sign-ins; try again in 15 minutes", status=429, code="signin_locked"
    )
    assert describe(locked, API) == "Too many failed sign-ins; try again in 15 minutes."


def test_the_exit_code_table_in_the_docs_matches_the_code():
    rows = re.findall(r"^\| (\d) \| `(\w+)` \|", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    assert [(int(value), name) for value, name in rows] == [(c.value, c.name) for c in ExitCode]


def test_test_cards_go_only_to_the_emulator():
    emulated = PaymentIntentResponse(
        publishable_key="pk_test_emulated_boxoffice",
        stripe_js_url="http://127.0.0.1:41873/js.stripe.com/v3/",
    )
    assert emulator_base(emulated) == "http://127.0.0.1:41873"
    real = PaymentIntentResponse(
        publishable_key="pk_test_abc", stripe_js_url="https://js.stripe.com/v3/"
    )
    assert emulator_base(real) is None
    live = PaymentIntentResponse(
        publishable_key="pk_live_abc", stripe_js_url="http://127.0.0.1:1/js.stripe.com/v3/"
    )
    assert emulator_base(live) is None
