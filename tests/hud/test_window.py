from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QWidget

from fhud_app.hud.window import (
    HudWindow,
    default_geometry,
    edges_at,
    format_geometry,
    parse_geometry,
    window_flags,
)

from .conftest import xprop

W = Qt.WindowType


def test_flags_never_take_focus_and_follow_the_toggles():
    base = window_flags(False, False)
    for flag in (W.Tool, W.FramelessWindowHint, W.WindowDoesNotAcceptFocus):
        assert base & flag
    assert not base & W.WindowStaysOnTopHint and not base & W.WindowTransparentForInput
    assert window_flags(True, False) & W.WindowStaysOnTopHint
    assert window_flags(False, True) & W.WindowTransparentForInput


def test_edges_for_resizing():
    rect = QRect(0, 0, 300, 200)
    assert edges_at(QPoint(150, 100), rect) == Qt.Edge(0)
    assert edges_at(QPoint(2, 100), rect) == Qt.Edge.LeftEdge
    assert edges_at(QPoint(298, 198), rect) == Qt.Edge.RightEdge | Qt.Edge.BottomEdge


def test_geometry_text_round_trip_and_default_placement():
    rect = QRect(10, 20, 300, 200)
    assert parse_geometry(format_geometry(rect)) == rect
    assert parse_geometry("") is None and parse_geometry("1,2,0,5") is None
    placed = default_geometry(QRect(0, 0, 1600, 1000), 720, 420)
    assert placed.width() == 720 and placed.center().x() == pytest.approx(800, abs=1)


@pytest.fixture
def hud(qtbot):
    window = HudWindow(QWidget(), pinned=True)
    qtbot.addWidget(window)
    window.setGeometry(100, 100, 400, 260)
    return window


def test_pinned_window_is_above_and_unpinning_clears_it(qtbot, x11, hud):
    hud.show()
    qtbot.waitExposed(hud)
    assert "_NET_WM_STATE_ABOVE" in xprop(int(hud.winId()), "_NET_WM_STATE")
    hud.set_pinned(False)
    qtbot.waitExposed(hud)
    assert "_NET_WM_STATE_ABOVE" not in xprop(int(hud.winId()), "_NET_WM_STATE")
    hud.set_pinned(True)
    qtbot.waitExposed(hud)
    assert "_NET_WM_STATE_ABOVE" in xprop(int(hud.winId()), "_NET_WM_STATE")
    assert hud.geometry() == QRect(100, 100, 400, 260)


def test_window_refuses_input_focus(qtbot, x11, hud):
    hud.show()
    qtbot.waitExposed(hud)
    assert "accepts input or input focus: False" in xprop(int(hud.winId()), "WM_HINTS")


def test_click_through_keeps_the_window_visible(qtbot, x11, hud):
    hud.show()
    qtbot.waitExposed(hud)
    hud.set_click_through(True)
    qtbot.waitExposed(hud)
    assert hud.windowHandle().flags() & W.WindowTransparentForInput
    assert hud.isVisible()


def test_toggle_and_signals(qtbot, hud):
    seen = []
    hud.visibility_changed.connect(seen.append)
    hud.toggle()
    hud.toggle()
    assert seen == [True, False]


def test_opacity_is_clamped(hud):
    hud.set_opacity(0.01)
    assert hud.windowOpacity() == pytest.approx(0.2, abs=0.01)
    hud.set_opacity(0.8)
    assert hud.windowOpacity() == pytest.approx(0.8, abs=0.01)


def test_drag_moves_the_window_without_a_window_manager(qtbot, x11, hud):
    hud.show()
    qtbot.waitExposed(hud)
    start = hud.pos()
    qtbot.mousePress(hud, Qt.MouseButton.LeftButton, pos=QPoint(200, 130))
    qtbot.mouseMove(hud, QPoint(260, 170))
    qtbot.waitUntil(lambda: hud.pos() != start, timeout=3000)
    qtbot.mouseRelease(hud, Qt.MouseButton.LeftButton, pos=QPoint(260, 170))


def test_status_strip_notices_outlive_statuses(qtbot, hud):
    hud.show()
    hud.status.show_message("Loading the speech model… 40%")
    assert hud.status.isVisible() and "40%" in hud.status.text()
    hud.status.show_message("The microphone was removed.", sticky=False, seconds=0.2)
    hud.status.show_message("Loading the speech model… 80%")
    assert hud.status.text() == "The microphone was removed."
    qtbot.waitUntil(lambda: "80%" in hud.status.text(), timeout=3000)
    hud.status.show_message("")
    assert not hud.status.isVisible()


def test_right_click_asks_for_the_menu(qtbot, hud):
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(10, 10), QPoint(110, 120))
    with qtbot.waitSignal(hud.menu_requested) as asked:
        QApplication.sendEvent(hud, event)
    assert asked.args == [QPoint(110, 120)]
