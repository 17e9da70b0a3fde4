"""The log filter never lets a credential through."""

import logging

from boxoffice.logs import RedactingFilter


def render(message: str, *args: object) -> str:
    record = logging.LogRecord("boxoffice.test", logging.INFO, __file__, 1, message, args, None)
    RedactingFilter().filter(record)
    return record.getMessage()


def test_secrets_are_redacted():
    assert "s3cret" not in render("login with password=s3cret")
    assert "abc.def.ghi" not in render("Authorization: Bearer abc.def.ghi")
    assert "tok123" not in render("refresh %s", {"refresh_token": "tok123"})
    assert "abc" not in render("intent pi_123_secret_abc confirmed")
    assert "sk_test_xyz" not in render("using key sk_test_xyz")
    assert render("sold 2 tickets") == "sold 2 tickets"
