"""The desktop app on an https venue server with a self-signed certificate (issue 12, item
13): the cashier is asked once, with the fingerprint; the answer pins it or connects nothing."""

from __future__ import annotations

import asyncio
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from boxoffice.app import trust_on_first_use
from boxoffice.desktop.settings import AppSettings
from boxoffice.sdk import SDK, normalize_fingerprint
from boxoffice.ui.dialogs.questions import TRUST_TEXT, ask_to_trust_certificate
from boxoffice.ui.settings_store import SettingsStore
from tests.end2end.test_tls import serving


def _fingerprint(pem: bytes) -> str:
    der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    shown = normalize_fingerprint(hashlib.sha256(der).hexdigest())
    assert shown is not None
    return shown


def test_the_question_shows_the_fingerprint_and_esc_does_not_trust(qtbot):
    answers: list[bool] = []
    box = ask_to_trust_certificate(
        None, url="https://venue.lan:8765", fingerprint="AB:CD", on_answer=answers.append
    )
    assert "AB:CD" in box.informativeText()
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: answers == [False])
    box = ask_to_trust_certificate(
        None, url="https://venue.lan:8765", fingerprint="AB:CD", on_answer=answers.append
    )
    trust = next(b for b in box.buttons() if b.text() == TRUST_TEXT)
    assert box.defaultButton() is not trust  # Enter does not trust
    trust.click()
    qtbot.waitUntil(lambda: answers == [False, True])
    assert isinstance(box, QMessageBox)


def test_first_use_pins_the_accepted_certificate_and_not_a_refused_one(tmp_path):
    data = tmp_path / "venue"
    with serving(tmp_path, "--data-dir", str(data), "--tls-self-signed") as base:
        expected = _fingerprint((data / "tls" / "cert.pem").read_bytes())
        store = SettingsStore.in_file(tmp_path / "settings.ini")
        shown: list[str] = []

        def answer(value: bool):
            def ask(_parent, *, url, fingerprint, on_answer):
                assert url == base
                shown.append(fingerprint)
                on_answer(value)

            return ask

        settings = AppSettings(api_url=base)
        refused = asyncio.run(trust_on_first_use(base, settings, store, ask=answer(False)))
        assert refused is None and shown == [expected]
        assert store.load().tls_fingerprint is None  # nothing pinned

        pinned = asyncio.run(trust_on_first_use(base, settings, store, ask=answer(True)))
        assert pinned == expected
        kept = store.load()
        assert kept.tls_verify(base) == expected
        assert not kept.needs_trust_question(base)  # asked once

        async def health() -> str:
            async with await SDK.build(base, verify=kept.tls_verify(base)) as sdk:
                return (await sdk.event.health()).status

        assert asyncio.run(health()) == "ok"
