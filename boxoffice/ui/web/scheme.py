"""The `boxoffice:` URL scheme: serves files under resources/web to the app's web views.

Split as in qutebrowser: `data_for_url` is engine-agnostic and raises typed errors;
`SchemeHandler` is the thin QtWebEngine adapter that maps them to `job.fail(…)`.
"""

from __future__ import annotations

import logging
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PySide6.QtCore import QBuffer, QByteArray, QObject, QUrl
from PySide6.QtWebEngineCore import (
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from boxoffice.paths import resource

logger = logging.getLogger(__name__)

SCHEME = "boxoffice"
HOST = "app"

MIMETYPES: dict[str, str] = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
    ".woff2": "font/woff2",
}


class SchemeError(Exception):
    """A `boxoffice:` URL that cannot be answered."""


class InvalidUrlError(SchemeError):
    """Not a `boxoffice://app/…` URL, or its path climbs out of resources/web."""


class ResourceNotFoundError(SchemeError):
    """No such file under resources/web."""


class UnsupportedTypeError(SchemeError):
    """A file type the pages never use (refused rather than guessed)."""


def web_root() -> Path:
    return resource("web").resolve()


def page_url(path: str) -> QUrl:
    """The URL of a page under resources/web, e.g. `page_url("seating/index.html")`."""
    return QUrl(f"{SCHEME}://{HOST}/{path.lstrip('/')}")


def data_for_url(url: str) -> tuple[str, bytes]:
    """`(mimetype, bytes)` of the file a `boxoffice://app/<path>` URL names."""
    parts = urlsplit(url)
    if parts.scheme != SCHEME or parts.hostname != HOST:
        raise InvalidUrlError(f"not an app URL: {url!r}")
    raw = unquote(parts.path)
    segments = [s for s in raw.split("/") if s]
    if not segments or any(s in (".", "..") or "\\" in s or "\0" in s for s in segments):
        raise InvalidUrlError(f"refused path: {raw!r}")
    relative = posixpath.join(*segments)
    root = web_root()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise InvalidUrlError(f"refused path: {raw!r}")
    mimetype = MIMETYPES.get(path.suffix.lower())
    if mimetype is None:
        raise UnsupportedTypeError(f"unsupported file type: {relative}")
    if not path.is_file():
        raise ResourceNotFoundError(f"no such resource: {relative}")
    return mimetype, path.read_bytes()


def register_scheme() -> None:
    """Register `boxoffice:` with QtWebEngine; call once, before the QApplication exists.

    Secure (so pages may use secure-context APIs and load loopback Stripe.js), CORS-enabled
    (the Stripe emulator answers the page's fetches with CORS headers) and allowed to load
    `qrc:///qtwebchannel/qwebchannel.js`. Calling it again is harmless.
    """
    if QWebEngineUrlScheme.schemeByName(SCHEME.encode()).name() == SCHEME.encode():
        return
    scheme = QWebEngineUrlScheme(SCHEME.encode())
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(
        QWebEngineUrlScheme.Flag.SecureScheme
        | QWebEngineUrlScheme.Flag.CorsEnabled
        | QWebEngineUrlScheme.Flag.LocalAccessAllowed
    )
    QWebEngineUrlScheme.registerScheme(scheme)


class SchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers `boxoffice:` requests from `data_for_url`; errors become `job.fail(…)`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 (Qt name)
        url = job.requestUrl().toString()
        if job.requestMethod() != QByteArray(b"GET"):
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        try:
            mimetype, data = data_for_url(url)
        except ResourceNotFoundError:
            logger.warning("web resource not found: %s", url)
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        except (InvalidUrlError, UnsupportedTypeError) as exc:
            logger.warning("web resource refused: %s", exc)
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        except OSError:
            logger.exception("web resource unreadable: %s", url)
            job.fail(QWebEngineUrlRequestJob.Error.RequestFailed)
            return
        buffer = QBuffer(job)
        buffer.setData(QByteArray(data))
        job.reply(QByteArray(mimetype.encode()), buffer)
