"""The credential store: keyring entries, the refused plain-text keyrings, the opt-in file."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from keyring.backend import KeyringBackend
from keyrings.alt.file import PlaintextKeyring

from boxoffice.credentials import (
    FILE_ENV,
    SERVICE_NAME,
    CredentialStoreUnavailable,
    FileStore,
    KeyringStore,
    entry_key,
    open_store,
)

API = "http://127.0.0.1:8765"


@pytest.fixture(autouse=True)
def own_keyring_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the machine's keyringrc.cfg or writes to its keyring files."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.delenv(FILE_ENV, raising=False)


def use_keyring(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def plaintext_keyring(tmp_path: Path) -> Iterator[KeyringBackend]:
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring_pass.cfg")
    yield from use_keyring(backend)


@pytest.fixture
def chosen_plaintext_keyring(
    plaintext_keyring: KeyringBackend, monkeypatch: pytest.MonkeyPatch
) -> KeyringBackend:
    """The plain-text keyring, chosen explicitly the way keyring documents it."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    return plaintext_keyring


@pytest.fixture
def no_keyring() -> Iterator[KeyringBackend]:
    """What a headless machine without Secret Service ends up with."""
    yield from use_keyring(keyring.backends.fail.Keyring())


def test_keyring_round_trip_under_the_documented_service(chosen_plaintext_keyring):
    store = open_store()
    assert isinstance(store, KeyringStore)
    store.save(API + "/", "anna", "refresh-1")
    assert store.load(API, "anna") == "refresh-1"
    assert chosen_plaintext_keyring.get_password(SERVICE_NAME, f"{API}|anna") == "refresh-1"
    store.save(API, "anna", "pw", kind="password")
    assert store.load(API, "anna", kind="password") == "pw"
    assert store.last_user(API) == "anna"
    assert store.load(API, "bob") is None
    assert store.load("http://other:1", "anna") is None


def test_forget_drops_every_secret_of_the_user(chosen_plaintext_keyring):
    store = open_store()
    store.save(API, "bob", "refresh-b")
    store.save(API, "anna", "refresh-a")
    store.save(API, "anna", "pw", kind="password")
    store.forget(API, "anna")
    assert store.load(API, "anna") is None
    assert store.load(API, "anna", kind="password") is None
    assert store.last_user(API) is None
    assert store.load(API, "bob") == "refresh-b"
    store.forget(API, "nobody")  # nothing kept: no error


def test_a_plain_text_keyring_found_by_itself_is_refused(plaintext_keyring):
    with pytest.raises(CredentialStoreUnavailable) as refused:
        open_store()
    message = str(refused.value)
    assert "PlaintextKeyring" in message
    assert "gnome-keyring" in message and FILE_ENV in message and "--credentials-file" in message


def test_no_keyring_backend_is_a_clear_error(no_keyring):
    with pytest.raises(CredentialStoreUnavailable) as refused:
        open_store()
    assert "No secure keyring" in str(refused.value) and FILE_ENV in str(refused.value)


def test_keyring_failures_in_use_become_the_same_error(no_keyring, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    store = open_store()  # chosen explicitly, so accepted…
    with pytest.raises(CredentialStoreUnavailable) as failed:
        store.save(API, "anna", "refresh-1")  # …but it cannot keep anything
    assert "NoKeyringError" in str(failed.value) and "--credentials-file" in str(failed.value)


def test_opt_in_file_store_is_private_json(tmp_path, no_keyring):
    path = tmp_path / "secrets" / "credentials.json"
    store = open_store(path)
    assert isinstance(store, FileStore) and "plain-text" in store.description
    store.save(API, "anna", "refresh-1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data == {
        "format": "boxoffice-credentials/1",
        "entries": {entry_key(API, "anna"): "refresh-1", API: "anna"},
    }
    assert open_store(path).load(API, "anna") == "refresh-1"
    path.chmod(0o644)
    store.save(API, "anna", "refresh-2")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store.forget(API, "anna")
    assert json.loads(path.read_text())["entries"] == {}


def test_the_file_store_is_also_chosen_by_environment(tmp_path, monkeypatch, no_keyring):
    path = tmp_path / "credentials.json"
    monkeypatch.setenv(FILE_ENV, str(path))
    store = open_store()
    assert isinstance(store, FileStore) and store.path == path


def test_a_foreign_file_is_not_overwritten(tmp_path):
    path = tmp_path / "credentials.json"
    path.write_text('{"something": "else"}')
    with pytest.raises(CredentialStoreUnavailable, match="not a Box Office credentials file"):
        open_store(path).save(API, "anna", "refresh-1")
    assert path.read_text() == '{"something": "else"}'
