"""App settings: the mode from the API URL (and its environment override), and their round trip
through QSettings with broken values falling back to the defaults."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from boxoffice.desktop.settings import AppSettings, Mode
from boxoffice.sdk import API_URL_ENV
from boxoffice.ui.settings_store import SettingsStore


@pytest.fixture(autouse=True)
def no_env_url(monkeypatch):
    monkeypatch.delenv(API_URL_ENV, raising=False)


@pytest.mark.parametrize(
    ("api_url", "mode"),
    [
        (None, Mode.EMBEDDED),
        ("", Mode.EMBEDDED),
        ("http://192.168.1.20:8000", Mode.VENUE),
        ("https://boxoffice.stadthalle.example", Mode.VENUE),
        ("https://api.tickethead.io", Mode.TICKETHEAD),
        ("https://api.tickethead.io/", Mode.TICKETHEAD),
        ("https://api.staging.tickethead.io", Mode.TICKETHEAD),
        ("https://api.dev.tickethead.io", Mode.TICKETHEAD),
        ("https://api.tickethead.io.example.com", Mode.VENUE),
        ("https://demo.api.tickethead.io", Mode.TICKETHEAD),  # a tenant host
    ],
)
def test_mode_from_the_api_url(api_url, mode):
    assert AppSettings(api_url=api_url).mode is mode


def test_the_environment_overrides_the_saved_url(monkeypatch):
    monkeypatch.setenv(API_URL_ENV, "http://10.0.0.5:8000")
    settings = AppSettings()
    assert settings.effective_api_url() == "http://10.0.0.5:8000"
    assert settings.mode is Mode.VENUE
    monkeypatch.setenv(API_URL_ENV, "https://api.tickethead.io")
    assert AppSettings(api_url="http://10.0.0.5:8000").mode is Mode.TICKETHEAD


def test_an_empty_environment_variable_is_ignored(monkeypatch):
    monkeypatch.setenv(API_URL_ENV, "")
    assert AppSettings(api_url="http://10.0.0.5:8000").effective_api_url() == "http://10.0.0.5:8000"
    assert AppSettings().mode is Mode.EMBEDDED


def test_modes_have_labels():
    assert Mode.EMBEDDED.label == "Training — no real money"
    assert {mode.label for mode in Mode} >= {"Venue server", "Tickethead"}


def store(tmp_path) -> SettingsStore:
    return SettingsStore.in_file(tmp_path / "settings.ini")


def test_round_trip(qapp, tmp_path):
    saved = AppSettings(
        api_url="http://10.0.0.5:8000",
        organizer="stadthalle",
        printer="HP LaserJet, 2nd floor",
        auto_print=False,
        ticket_size="ticket",
        save_folder=str(tmp_path / "my tickets"),
        last_user="clerk",
    )
    store(tmp_path).save(saved)
    assert store(tmp_path).load() == saved


def test_defaults_when_nothing_was_saved(qapp, tmp_path):
    assert store(tmp_path).load() == AppSettings()


@pytest.mark.parametrize("auto_print", [True, False])
def test_booleans_come_back_as_booleans(qapp, tmp_path, auto_print):
    store(tmp_path).save(AppSettings(auto_print=auto_print))
    loaded = store(tmp_path).load()
    assert loaded.auto_print is auto_print


def test_none_removes_a_saved_value(qapp, tmp_path):
    store(tmp_path).save(AppSettings(printer="Front desk", api_url="http://h:1", last_user="x"))
    store(tmp_path).save(AppSettings(printer=None, api_url=None, last_user=None))
    loaded = store(tmp_path).load()
    assert loaded.printer is None and loaded.api_url is None and loaded.last_user is None
    ini = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert "printer" not in ini.allKeys()


def test_a_broken_value_falls_back_to_its_default_and_keeps_the_others(qapp, tmp_path):
    store(tmp_path).save(AppSettings(printer="Front desk", auto_print=False))
    ini = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    ini.setValue("ticket_size", "poster")
    ini.setValue("auto_print", "sometimes")
    ini.sync()
    loaded = store(tmp_path).load()
    assert loaded.ticket_size == "a4"
    assert loaded.auto_print is True
    assert loaded.printer == "Front desk"


def test_the_training_banner_shows_what_the_server_says():
    assert Mode.of(None) is Mode.EMBEDDED and Mode.of("http://lan:8765") is Mode.VENUE
    banner = ("Training — no real money", True)
    assert Mode.EMBEDDED.status_label(None) == banner  # before the server has said
    assert Mode.VENUE.status_label(None) == ("Venue server", False)
    assert Mode.VENUE.status_label(True) == banner
    assert Mode.EMBEDDED.status_label(False) == ("Built-in server", False)
    assert Mode.TICKETHEAD.status_label(False) == ("Tickethead", False)
