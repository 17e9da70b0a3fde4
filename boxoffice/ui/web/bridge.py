"""The typed QWebChannel bridge base and the web view that hosts one app page with it.

A page talks to Python only through one `Bridge` object, registered as `bridge` on the
page's QWebChannel and reached from JS through resources/web/common/bridge.js. Every slot
takes one JSON string and validates it with a pydantic model; every signal carries one
JSON string made from a pydantic model. `version` lets the page refuse a bridge it does
not know.
"""

from __future__ import annotations

import logging
from typing import ClassVar, Literal, TypeVar

import shiboken6
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError
from PySide6.QtCore import Property, QObject, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from boxoffice.ui.web.page_words import PageWords
from boxoffice.ui.web.scheme import SCHEME

logger = logging.getLogger(__name__)
js_logger = logging.getLogger("boxoffice.ui.web.js")

M = TypeVar("M", bound=BaseModel)


class PageMessage(BaseModel):
    """Base of the models the page sends: unknown keys are refused, strings stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Empty(PageMessage):
    """A call without arguments (`{}`)."""


class Notice(BaseModel):
    """A line for the page to show: information, or why something failed."""

    level: Literal["info", "error"]
    text: str


class Bridge(QObject):
    """Base of a page's QWebChannel object.

    Subclasses declare `@Slot(str)` methods (one JSON argument) and `Signal(str)` signals
    (one JSON argument); `parse` and `dump` do the JSON and the validation. Every page calls
    the slot `ready {}` once its script has set up.

    `words` (a constant property, JSON of `PageWords`) is what the page speaks: the language's
    tag and the page's words in it (boxoffice/ui/web/page_words.py), read once as the page
    connects.

    Signals:
        rejected(str): a call from the page failed validation (the reason; also logged).
        page_ready(): the page called `ready`.
        notice(Notice): to the page, a line to show (`BridgedView.show_info`, `show_error`).
    """

    VERSION: ClassVar[int] = 1
    rejected = Signal(str)
    page_ready = Signal()
    notice = Signal(str)

    def __init__(self, words: PageWords | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words = (words or PageWords(language="en", words={})).model_dump_json()

    def _get_version(self) -> int:
        return self.VERSION

    version = Property(int, _get_version, constant=True)

    def _get_words(self) -> str:
        return self._words

    words = Property(str, _get_words, constant=True)

    def parse(self, model: type[M], raw: str) -> M | None:
        """`raw` validated as `model`, or None (logged and reported as `rejected`)."""
        try:
            return model.model_validate_json(raw)
        except PydanticValidationError as exc:
            reason = f"{type(self).__name__}: bad {model.__name__} from the page: {exc}"
            logger.warning("%s", reason)
            self.rejected.emit(reason)
            return None

    @staticmethod
    def dump(model: BaseModel) -> str:
        return model.model_dump_json()

    @Slot(str)
    def ready(self, raw: str) -> None:
        if self.parse(Empty, raw) is not None:
            self.page_ready.emit()


class AppPage(QWebEnginePage):
    """A page that stays on `boxoffice:` (subframes may load, e.g. Stripe's 3-D Secure)
    and sends the page's console to logging."""

    _LEVELS: ClassVar[dict[QWebEnginePage.JavaScriptConsoleMessageLevel, int]] = {
        QWebEnginePage.JavaScriptConsoleMessageLevel.InfoMessageLevel: logging.DEBUG,
        QWebEnginePage.JavaScriptConsoleMessageLevel.WarningMessageLevel: logging.INFO,
        QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel: logging.WARNING,
    }

    def acceptNavigationRequest(  # noqa: N802 (Qt name)
        self, url: QUrl | str, type: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        url = QUrl(url)
        if not is_main_frame or url.scheme() == SCHEME:
            return True
        logger.warning("blocked navigation away from the app page to %s", url.toDisplayString())
        return False

    def javaScriptConsoleMessage(  # noqa: N802 (Qt name)
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        line: int,
        source: str,
    ) -> None:
        js_logger.log(self._LEVELS.get(level, logging.INFO), "%s:%d: %s", source, line, message)


class BridgedView(QWebEngineView):
    """A QWebEngineView with an `AppPage` on `profile` and `bridge` on its QWebChannel.

    Without a profile the view makes its own (`make_profile()`), owned by the page so that
    it is deleted after the page. Call `dispose()` (or delete the view) before the
    QApplication ends.
    """

    def __init__(
        self,
        bridge: Bridge,
        *,
        profile: QWebEngineProfile | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        own_profile = profile is None
        profile = self.make_profile() if profile is None else profile
        page = AppPage(profile, self)
        if own_profile:
            profile.setParent(page)  # children go after the page's own destructor ran
        self.bridge = bridge
        bridge.setParent(self)
        self._channel = QWebChannel(page)
        self._channel.registerObject("bridge", bridge)
        page.setWebChannel(self._channel)
        self.setPage(page)

    def make_profile(self) -> QWebEngineProfile:
        raise NotImplementedError

    def show_info(self, text: str) -> None:
        """Show a line of information on the page."""
        self.bridge.notice.emit(Bridge.dump(Notice(level="info", text=text)))

    def show_error(self, text: str) -> None:
        """Show on the page why something did not work."""
        self.bridge.notice.emit(Bridge.dump(Notice(level="error", text=text)))

    def dispose(self) -> None:
        """Close the view and delete it now (its page first, then an own profile)."""
        if shiboken6.isValid(self):
            self.close()
            shiboken6.delete(self)
