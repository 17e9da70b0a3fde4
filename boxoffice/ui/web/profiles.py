"""QtWebEngine profiles: one for the seating page, a fresh off-the-record one per payment."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWebEngineCore import QWebEngineProfile, QWebEngineSettings

from boxoffice.ui.web.scheme import SCHEME, SchemeHandler

_Attr = QWebEngineSettings.WebAttribute


def _app_profile(parent: QObject | None) -> QWebEngineProfile:
    """An off-the-record profile (nothing on disk) that serves `boxoffice:` pages."""
    profile = QWebEngineProfile(parent)  # no storage name: off the record
    profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
    profile.setPersistentCookiesPolicy(
        QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies
    )
    profile.setSpellCheckEnabled(False)
    settings = profile.settings()
    for attribute, on in (
        (_Attr.JavascriptEnabled, True),
        (_Attr.JavascriptCanOpenWindows, False),
        (_Attr.JavascriptCanAccessClipboard, False),
        (_Attr.JavascriptCanPaste, False),
        (_Attr.LocalContentCanAccessFileUrls, False),
        (_Attr.PluginsEnabled, False),
        (_Attr.PdfViewerEnabled, False),
        (_Attr.FullScreenSupportEnabled, False),
        (_Attr.ScreenCaptureEnabled, False),
        (_Attr.WebGLEnabled, False),
        (_Attr.HyperlinkAuditingEnabled, False),
        (_Attr.DnsPrefetchEnabled, False),
        (_Attr.ErrorPageEnabled, False),
        (_Attr.FocusOnNavigationEnabled, True),
        (_Attr.NavigateOnDropEnabled, False),
    ):
        settings.setAttribute(attribute, on)
    profile.installUrlSchemeHandler(SCHEME.encode(), SchemeHandler(profile))
    return profile


def seating_profile(parent: QObject | None = None) -> QWebEngineProfile:
    """The seating page's profile: may be shared by every seating view of the app.

    The page makes no network requests at all (its data arrives over the bridge); its
    Content-Security-Policy allows only `boxoffice:` and the QWebChannel script.
    """
    profile = _app_profile(parent)
    profile.settings().setAttribute(_Attr.LocalStorageEnabled, False)
    return profile


def payment_profile(parent: QObject | None = None) -> QWebEngineProfile:
    """A fresh off-the-record profile for one payment: no cookie, cache or storage of a card
    page outlives it, and it never shares state with the seating page or another payment.

    Besides `boxoffice:` it loads only Stripe.js (Stripe's, or the training emulator's on
    127.0.0.1), as the page's Content-Security-Policy says.
    """
    profile = _app_profile(parent)
    profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.NoCache)
    return profile
