"""Remembered sign-ins: refresh tokens (or passwords) per API and user, in the OS keyring.

Secrets live under the keyring service `boxoffice` (`SERVICE_NAME`), keyed
`"{base_url}|{username}"` for the refresh token and `"{base_url}|{username}|password"` for a
password; the key `"{base_url}"` holds the name of the last user who signed in there.

A keyring that keeps secrets in plain text or nowhere (keyring's "not recommended" backends,
priority < 1, such as keyrings.alt's PlaintextKeyring or the fail backend of a headless machine)
is refused with `CredentialStoreUnavailable`, unless it was chosen explicitly through keyring's
own configuration (`PYTHON_KEYRING_BACKEND` or keyringrc.cfg). The only other store is a JSON
file, **plain text** with mode 0600, used only when asked for: `open_store(path)` or
`BOXOFFICE_CREDENTIALS_FILE=/path`. There is never a silent fallback to it.

Qt-free and SDK-free: the command line and the desktop app's "remember me" both use it.
"""

from __future__ import annotations

import abc
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Literal, get_args

import keyring
import keyring.core
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend

from boxoffice.i18n import _

SERVICE_NAME = "boxoffice"
FILE_ENV = "BOXOFFICE_CREDENTIALS_FILE"
FILE_FORMAT = "boxoffice-credentials/1"

SecretKind = Literal["refresh_token", "password"]

HOW_TO_PROCEED = (
    "Install and unlock a Secret Service keyring (gnome-keyring or KWallet on Linux; macOS and "
    "Windows have one built in), or opt in to a plain-text file store with "
    f"{FILE_ENV}=/path or --credentials-file /path."
)


class CredentialStoreUnavailable(Exception):
    """There is no safe place for secrets: no usable keyring and no opt-in file."""


def entry_key(base_url: str, username: str, kind: SecretKind = "refresh_token") -> str:
    """The key of one secret: `"{base_url}|{username}"`, plus `"|password"` for a password."""
    key = f"{normal_url(base_url)}|{username}"
    return key if kind == "refresh_token" else f"{key}|{kind}"


def normal_url(base_url: str) -> str:
    """`base_url` without a trailing slash, so `http://h:1/` and `http://h:1` share entries."""
    return base_url.rstrip("/")


class CredentialStore(abc.ABC):
    """Where sign-ins are remembered; `description` says where, for messages."""

    description: str

    def save(
        self, base_url: str, username: str, secret: str, *, kind: SecretKind = "refresh_token"
    ) -> None:
        """Keep `secret` for `username` at `base_url`, who becomes the last user there."""
        self._set(entry_key(base_url, username, kind), secret)
        self._set(normal_url(base_url), username)

    def load(
        self, base_url: str, username: str, *, kind: SecretKind = "refresh_token"
    ) -> str | None:
        """The kept secret, or None."""
        return self._get(entry_key(base_url, username, kind))

    def forget(self, base_url: str, username: str) -> None:
        """Drop every secret of `username` at `base_url` (and the last-user mark if theirs)."""
        for kind in get_args(SecretKind):
            self._delete(entry_key(base_url, username, kind))
        if self.last_user(base_url) == username:
            self._delete(normal_url(base_url))

    def last_user(self, base_url: str) -> str | None:
        """Who last saved a sign-in for `base_url`."""
        return self._get(normal_url(base_url))

    @abc.abstractmethod
    def _get(self, key: str) -> str | None: ...

    @abc.abstractmethod
    def _set(self, key: str, value: str) -> None: ...

    @abc.abstractmethod
    def _delete(self, key: str) -> None: ...


@contextmanager
def _keyring_errors() -> Iterator[None]:
    try:
        yield
    except keyring.errors.KeyringError as exc:
        raise CredentialStoreUnavailable(
            f"The system keyring cannot be used ({type(exc).__name__}: {exc}). {HOW_TO_PROCEED}"
        ) from exc


class KeyringStore(CredentialStore):
    """Secrets in a keyring backend, under the service `SERVICE_NAME`."""

    def __init__(self, backend: KeyringBackend) -> None:
        self.backend = backend
        self.description = _("the system keyring (%(backend)s)") % {
            "backend": type(backend).__name__
        }

    def _get(self, key: str) -> str | None:
        with _keyring_errors():
            return self.backend.get_password(SERVICE_NAME, key)

    def _set(self, key: str, value: str) -> None:
        with _keyring_errors():
            self.backend.set_password(SERVICE_NAME, key, value)

    def _delete(self, key: str) -> None:
        missing = keyring.errors.PasswordDeleteError  # nothing was kept under that key
        with _keyring_errors(), suppress(missing):
            self.backend.delete_password(SERVICE_NAME, key)


class FileStore(CredentialStore):
    """The explicit opt-in: a JSON file, readable by its owner only (0600) but **plain text**.

    Format: `{"format": "boxoffice-credentials/1", "entries": {key: secret}}`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = _("the plain-text file %(path)s") % {"path": path}

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise CredentialStoreUnavailable(f"Cannot read {self.path}: {exc}.") from exc
        entries = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(entries, dict) or data.get("format") != FILE_FORMAT:
            raise CredentialStoreUnavailable(f"{self.path} is not a Box Office credentials file.")
        return {str(k): str(v) for k, v in entries.items()}

    def _write(self, entries: Mapping[str, str]) -> None:
        text = json.dumps({"format": FILE_FORMAT, "entries": dict(entries)}, indent=2)
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                os.chmod(temporary, 0o600)  # also when an old temporary file was wider
                out.write(text + "\n")
            os.replace(temporary, self.path)
        except OSError as exc:
            raise CredentialStoreUnavailable(f"Cannot write {self.path}: {exc.strerror}.") from exc

    def _get(self, key: str) -> str | None:
        return self._read().get(key)

    def _set(self, key: str, value: str) -> None:
        self._write({**self._read(), key: value})

    def _delete(self, key: str) -> None:
        entries = self._read()
        if entries.pop(key, None) is not None:
            self._write(entries)


def _writing_backend(backend: KeyringBackend) -> KeyringBackend:
    """The backend that would receive a secret (for a chainer, its first one)."""
    if isinstance(backend, ChainerBackend) and backend.backends:
        first: KeyringBackend = backend.backends[0]
        return first
    return backend


def _chosen_explicitly(environ: Mapping[str, str]) -> bool:
    """Whether the user picked the backend through keyring's env variable or config file."""
    return bool(environ.get("PYTHON_KEYRING_BACKEND")) or keyring.core.load_config() is not None


def usable_keyring(environ: Mapping[str, str] = os.environ) -> KeyringBackend:
    """keyring's current backend if it is safe (or chosen explicitly); else the clear error."""
    backend = keyring.get_keyring()
    writer = _writing_backend(backend)
    if keyring.core.recommended(writer) or _chosen_explicitly(environ):
        return backend
    raise CredentialStoreUnavailable(
        f"No secure keyring is available (keyring found only {type(writer).__name__}, which "
        f"keeps secrets in plain text or nowhere). {HOW_TO_PROCEED}"
    )


def open_store(
    file: Path | None = None, *, environ: Mapping[str, str] = os.environ
) -> CredentialStore:
    """The opt-in file store if `file` (or `$BOXOFFICE_CREDENTIALS_FILE`) names one, else the
    system keyring; raises `CredentialStoreUnavailable` when neither can be used."""
    path = file or (Path(environ[FILE_ENV]) if environ.get(FILE_ENV) else None)
    if path is not None:
        return FileStore(path.expanduser())
    return KeyringStore(usable_keyring(environ))
