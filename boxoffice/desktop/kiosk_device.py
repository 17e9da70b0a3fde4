"""The kiosk's own device account: its name, its password and where the password is kept.

A kiosk never sells as a person. On its first start staff sign in once at the kiosk; with
their token the kiosk makes its account (`kiosk-<counter>`, role `kiosk`: it may only do what
a guest buyer may, and pay on its counter's card reader) with a random password, and keeps
that password in the system keyring (`boxoffice.credentials.open_store`), or — on a machine
without a usable keyring — in `<data dir>/kiosk-credentials.json`, readable by its owner only
(0600, plain text). Later starts sign in with it.

`verify_staff` checks a staff password for the staff exit with a client of its own, so the
kiosk's session is never touched by it.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from boxoffice.credentials import (
    CredentialStore,
    CredentialStoreUnavailable,
    FileStore,
    open_store,
)
from boxoffice.sdk import (
    SDK,
    APIStatusError,
    BoxOfficeError,
    PasswordCredentials,
    ServerError,
    Verify,
)
from boxoffice.sdk.models.account import STAFF_ROLES, CreateUserRequest, User

logger = logging.getLogger(__name__)

FILE_NAME = "kiosk-credentials.json"
NAME_FILE = "kiosk-device.json"  # the device account's name per API (not a secret)


def device_username(counter: str) -> str:
    """`kiosk-<counter>` in the characters a user name may have ("Hall 2" → "kiosk-hall-2")."""
    slug = re.sub(r"[^a-z0-9_.@+-]+", "-", counter.strip().lower()).strip("-") or "kiosk"
    return f"kiosk-{slug}"[:150]


@dataclass(frozen=True)
class DeviceAccount:
    username: str
    password: str


class DeviceStore:
    """Keeps the device account's password for one API (keyring first, else the 0600 file),
    and its name (`kiosk-<counter>`, or with a suffix when that name was taken already)."""

    def __init__(
        self,
        base_url: str,
        data_dir: Path,
        counter: str,
        store: CredentialStore | None = None,
    ) -> None:
        self._base_url = base_url
        self._names = data_dir / NAME_FILE
        self._counter = counter
        if store is None:
            try:
                store = open_store()
            except CredentialStoreUnavailable as exc:
                logger.info("no keyring for the kiosk account (%s); using a 0600 file", exc)
                store = FileStore(data_dir / FILE_NAME)
        self.store = store

    @property
    def description(self) -> str:
        return self.store.description

    @property
    def username(self) -> str:
        """The device account's name for this API."""
        return self._read_names().get(self._base_url) or device_username(self._counter)

    def new_username(self) -> str:
        """Another name, when `username` is taken on the server (its password is not here)."""
        name = f"{device_username(self._counter)}-{secrets.token_hex(2)}"
        self._names.parent.mkdir(parents=True, exist_ok=True)
        self._names.write_text(json.dumps({**self._read_names(), self._base_url: name}))
        return name

    def _read_names(self) -> dict[str, str]:
        try:
            data = json.loads(self._names.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def load(self, username: str) -> DeviceAccount | None:
        try:
            password = self.store.load(self._base_url, username, kind="password")
        except CredentialStoreUnavailable as exc:
            logger.warning("cannot read the kiosk account's password: %s", exc)
            return None
        return DeviceAccount(username, password) if password else None

    def save(self, account: DeviceAccount) -> None:
        self.store.save(self._base_url, account.username, account.password, kind="password")

    def forget(self, username: str) -> None:
        self.store.forget(self._base_url, username)


async def create_device_account(staff_sdk: SDK, username: str) -> DeviceAccount:
    """Make the kiosk account with a signed-in staff client; raises BoxOfficeError."""
    password = secrets.token_urlsafe(24)
    request = CreateUserRequest(
        username=username, password=password, role="kiosk", first_name="Kiosk"
    )
    await staff_sdk.account.create_user(request)
    logger.info("kiosk device account %s created", username)
    return DeviceAccount(username, password)


async def staff_user(
    base_url: str, username: str, password: str, *, verify: Verify = None
) -> User | None:
    """The staff (or admin) user these credentials sign in, else None (wrong password, not
    staff). Raises BoxOfficeError when the server cannot be asked."""
    async with await SDK.build(base_url, max_retries=0, verify=verify) as probe:
        try:
            await probe.authorize(PasswordCredentials(username, password))
        except BoxOfficeError as exc:
            if _refused(exc):
                return None
            raise
        user = await probe.account.me()
    return user if user.role in STAFF_ROLES else None


def _refused(exc: BoxOfficeError) -> bool:
    """A wrong user name or password (not the server being away)."""
    return isinstance(exc, APIStatusError) and not isinstance(exc, ServerError)
