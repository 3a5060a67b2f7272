"""The HUD window: frameless, translucent, draggable, resizable, never focused.

It hosts the particle view (any ``QWidget``; the app passes the GL widget) and
a one-line status strip for model loading, errors and microphone messages.
Pin on top, click-through and opacity are window-level properties; every flag
change is followed by the macOS panel settings (Qt resets them).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QGuiApplication,
    QMouseEvent,
    QPainter,
    QPainterPath,
)
from PySide6.QtWidgets import QLabel, QSizeGrip, QVBoxLayout, QWidget

from fhud_app.hud import macos

EDGE = 8  # px of border that resizes instead of moving
RADIUS = 14.0
BACKGROUND = QColor(8, 12, 22, 150)
MIN_SIZE = (240, 140)


def window_flags(pinned: bool, click_through: bool) -> Qt.WindowType:
    """Frameless tool window that never takes focus, optionally on top and click-through."""
    flags = (
        Qt.WindowType.Tool
        | Qt.WindowType.FramelessWindowHint
        | Qt.WindowType.WindowDoesNotAcceptFocus
        | Qt.WindowType.NoDropShadowWindowHint
    )
    if pinned:
        flags |= Qt.WindowType.WindowStaysOnTopHint
    if click_through:
        flags |= Qt.WindowType.WindowTransparentForInput
    return flags


def edges_at(pos: QPoint, rect: QRect, margin: int = EDGE) -> Qt.Edge:
    """The window edges under ``pos`` (empty when it is inside the move area)."""
    edges = Qt.Edge(0)
    if pos.x() <= margin:
        edges |= Qt.Edge.LeftEdge
    elif pos.x() >= rect.width() - margin:
        edges |= Qt.Edge.RightEdge
    if pos.y() <= margin:
        edges |= Qt.Edge.TopEdge
    elif pos.y() >= rect.height() - margin:
        edges |= Qt.Edge.BottomEdge
    return edges


class StatusStrip(QLabel):
    """One line at the bottom of the HUD: loading progress, errors, hints."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setStyleSheet(
            "QLabel { color: rgba(220, 236, 255, 220); background: rgba(0, 0, 0, 90);"
            " border-radius: 8px; padding: 3px 10px; font-size: 12px; }"
        )
        self.setWordWrap(True)
        self._pending = ""  # the latest steady status, shown once a notice has had its time
        self._alert = ""  # a lasting problem, on a line of its own under the rest
        self._current = ""  # the status or notice shown now
        self._notice_timer = QTimer(self, singleShot=True, timeout=self._notice_done)
        self.hide()

    def set_alert(self, text: str) -> None:
        """A lasting problem (the session cannot be saved): a line of its own under every
        status and notice until it is cleared with ``""``."""
        self._alert = text
        self._show(self._current)

    def show_message(self, text: str, *, sticky: bool = True, seconds: float = 4.0) -> None:
        """A steady status (``sticky``) or a notice that stays ``seconds`` and is not
        overwritten by statuses meanwhile (they show once it has gone)."""
        if sticky:
            self._pending = text
            if self._notice_timer.isActive():
                return
        else:
            self._notice_timer.start(int(seconds * 1000))
        self._show(text)

    def _notice_done(self) -> None:
        self._show(self._pending)

    def _show(self, text: str) -> None:
        self._current = text
        text = "\n".join(line for line in (text, self._alert) if line)
        self.setText(text)
        self.setVisible(bool(text))


class HudWindow(QWidget):
    """The HUD.  ``visibility_changed(bool)`` follows show/hide; ``exposed`` fires once
    the window system has put it on screen (the figure behind "startup to visible")."""

    visibility_changed = Signal(bool)
    exposed = Signal()
    geometry_changed = Signal(QRect)
    menu_requested = Signal(QPoint)  # a right-click: the tray's menu, for desktops without a tray

    def __init__(self, view: QWidget, *, pinned: bool = True, click_through: bool = False,
                 opacity: float = 0.92) -> None:  # fmt: skip
        super().__init__(None, window_flags(pinned, click_through))
        self.setWindowTitle("fHUD")
        self.setObjectName("fhud-hud")
        self._pinned, self._click_through = pinned, click_through
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_MacAlwaysShowToolWindow)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view = view
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(view, 1)
        self.status = StatusStrip(self)
        layout.addWidget(self.status, 0)
        self._grip = QSizeGrip(self)
        self._grip.resize(14, 14)
        self._drag_offset: QPoint | None = None
        self._watched = None
        self.setMinimumSize(*MIN_SIZE)
        self.set_opacity(opacity)

    # ------------------------------------------------------------------ state
    @property
    def pinned(self) -> bool:
        return self._pinned

    @property
    def click_through(self) -> bool:
        return self._click_through

    def set_pinned(self, on: bool) -> None:
        if on != self._pinned:
            self._pinned = on
            self._apply_flags()

    def set_click_through(self, on: bool) -> None:
        if on != self._click_through:
            self._click_through = on
            self._apply_flags()

    def set_opacity(self, value: float) -> None:
        self.setWindowOpacity(min(1.0, max(0.2, float(value))))

    def toggle(self) -> None:
        self.setVisible(not self.isVisible())

    def _apply_flags(self) -> None:
        visible = self.isVisible()
        geometry = self.geometry()
        self.setWindowFlags(window_flags(self._pinned, self._click_through))  # hides the window
        handle = self.windowHandle()
        if handle is not None and QGuiApplication.platformName() == "xcb":
            # Qt writes _NET_WM_STATE itself only on a fresh window; on a mapped one it asks
            # the window manager, and there may be none: start over with a new native window.
            handle.destroy()
        self.setGeometry(geometry)
        if visible:
            self.show()
        macos.apply_panel(self, pinned=self._pinned)

    # ------------------------------------------------------------------ show/hide
    def showEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        handle = self.windowHandle()
        if handle is not None and self._watched is not handle:
            handle.installEventFilter(self)
            self._watched = handle
        macos.apply_panel(self, pinned=self._pinned)
        self.visibility_changed.emit(True)

    def hideEvent(self, event: QEvent) -> None:  # noqa: N802
        super().hideEvent(event)
        self.visibility_changed.emit(False)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self._watched and event.type() == QEvent.Type.Expose and obj.isExposed():
            self.exposed.emit()
        return super().eventFilter(obj, event)

    # ------------------------------------------------------------------ painting
    def paintEvent(self, _event: QEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(self.rect().adjusted(0, 0, -1, -1), RADIUS, RADIUS)
        painter.fillPath(path, BACKGROUND)
        painter.end()

    def resizeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._grip.move(self.width() - self._grip.width() - 2, self.height() - self._grip.height() - 2)
        self.geometry_changed.emit(self.geometry())

    def moveEvent(self, event: QEvent) -> None:  # noqa: N802
        super().moveEvent(event)
        self.geometry_changed.emit(self.geometry())

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        self.menu_requested.emit(event.globalPos())
        event.accept()

    # ------------------------------------------------------------------ drag and resize
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        handle = self.windowHandle()
        edges = edges_at(event.position().toPoint(), self.rect())
        if edges and handle is not None and handle.startSystemResize(edges):
            return event.accept()
        if not edges and handle is not None and handle.startSystemMove():
            return event.accept()
        # No window manager support (bare X servers): move by hand.
        self._drag_offset = event.globalPosition().toPoint() - self.frameGeometry().topLeft()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag_offset is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move(event.globalPosition().toPoint() - self._drag_offset)
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._drag_offset = None
        super().mouseReleaseEvent(event)


def initial_geometry(saved_text: str, width: int, height: int) -> QRect:
    """The saved geometry fitted to the screens (:func:`fit_geometry`), else the default."""
    return fit_geometry(parse_geometry(saved_text), available_screens(), width, height)


def default_geometry(screen: QRect, width: int, height: int) -> QRect:
    """Centred near the top of the screen, inside it."""
    w, h = min(width, screen.width()), min(height, screen.height())
    x = screen.x() + (screen.width() - w) // 2
    y = screen.y() + max(0, screen.height() // 12)
    return QRect(x, y, w, h)


def available_screens() -> list[QRect]:
    """Every screen's available area, the primary one first."""
    primary = QGuiApplication.primaryScreen()
    others = [s for s in QGuiApplication.screens() if s is not primary]
    return [s.availableGeometry() for s in ([primary] if primary else []) + others]


def fit_geometry(saved: QRect | None, screens: list[QRect], width: int, height: int) -> QRect:
    """A restored geometry made to fit: on the screen it overlaps most, no larger than that
    screen and wholly inside it; the default place (on the first screen) when it is on none.

    A saved 100000x100000 window would otherwise ask the GL driver for a framebuffer it
    cannot allocate, on every launch.
    """
    if not screens:
        return saved if saved is not None else QRect(0, 0, width, height)
    overlap = [(_area(saved.intersected(s)), i) for i, s in enumerate(screens)] if saved is not None else []
    best = max(overlap, default=(0, 0))
    if saved is None or best[0] == 0:
        return default_geometry(screens[0], width, height)
    screen = screens[best[1]]
    w = max(min(saved.width(), screen.width()), min(MIN_SIZE[0], screen.width()))
    h = max(min(saved.height(), screen.height()), min(MIN_SIZE[1], screen.height()))
    x = min(max(saved.x(), screen.x()), screen.x() + screen.width() - w)
    y = min(max(saved.y(), screen.y()), screen.y() + screen.height() - h)
    return QRect(x, y, w, h)


def _area(rect: QRect) -> int:
    return max(rect.width(), 0) * max(rect.height(), 0)


GEOMETRY_LIMIT = 1 << 20  # px; anything beyond is not a real screen position (and overflows QRect)


def parse_geometry(text: str) -> QRect | None:
    try:
        x, y, w, h = (int(v) for v in str(text).split(","))
    except ValueError:
        return None
    if any(abs(v) > GEOMETRY_LIMIT for v in (x, y, w, h)):
        return None
    return QRect(x, y, w, h) if w > 0 and h > 0 else None


def format_geometry(rect: QRect) -> str:
    return f"{rect.x()},{rect.y()},{rect.width()},{rect.height()}"

