"""The desktop settings' TLS fields: a CA file, or a fingerprint pinned for one server."""

from __future__ import annotations

from boxoffice.desktop.settings import AppSettings, server_origin

PIN = "AB:" * 31 + "AB"


def test_a_pin_is_for_the_server_it_was_accepted_for():
    settings = AppSettings()
    url = "https://venue.lan:8765"
    assert settings.tls_verify(url) is None
    assert settings.needs_trust_question(url)
    settings.pin_certificate(url + "/", PIN)
    assert settings.tls_verify(url) == PIN
    assert not settings.needs_trust_question(url)
    # Another server (or port) is not covered by that pin.
    assert settings.tls_verify("https://venue.lan:9000") is None
    assert settings.needs_trust_question("https://other.lan:8765")


def test_ca_file_and_the_cases_never_asked():
    settings = AppSettings(tls_ca_file="/etc/venue-ca.pem")
    assert settings.tls_verify("https://venue.lan:8765") == "/etc/venue-ca.pem"
    assert not settings.needs_trust_question("https://venue.lan:8765")
    plain = AppSettings()
    assert not plain.needs_trust_question("http://127.0.0.1:8765")  # no TLS to pin
    assert not plain.needs_trust_question("https://api.tickethead.io")  # public CAs
    assert server_origin("https://h") == "https://h:443"
