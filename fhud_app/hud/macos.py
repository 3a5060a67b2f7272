"""macOS window behaviour through PyObjC: a HUD that floats over everything.

Qt makes a ``Qt.Tool`` window an ``NSPanel``; we add the non-activating panel
style (clicks never activate the app or steal focus), let it join every Space
and sit beside full-screen apps, and lift it to the status window level when
pinned.  Qt rebuilds the native window on every ``setWindowFlags``, so the
window calls :func:`apply_panel` after each change.  Elsewhere these are no-ops.
"""

from __future__ import annotations

import importlib
import logging
import sys
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)


def _appkit() -> ModuleType | None:
    if sys.platform != "darwin":
        return None
    try:
        return importlib.import_module("AppKit")
    except ImportError:
        log.warning("PyObjC is missing: the HUD cannot float over full-screen apps (pip install pyobjc-framework-Cocoa).")
        return None


def native_window(widget: Any) -> Any:
    """The ``NSWindow`` behind a top-level widget (its ``winId`` is an ``NSView*``)."""
    objc = importlib.import_module("objc")
    view = objc.objc_object(c_void_p=int(widget.winId()))
    return view.window()


def apply_panel(widget: Any, *, pinned: bool, appkit: ModuleType | None = None) -> bool:
    """Apply the panel settings to ``widget``'s native window; True when applied."""
    ak = appkit if appkit is not None else _appkit()
    if ak is None:
        return False
    window = native_window(widget)
    if window is None:
        return False
    window.setStyleMask_(window.styleMask() | ak.NSWindowStyleMaskNonactivatingPanel)
    window.setCollectionBehavior_(
        ak.NSWindowCollectionBehaviorCanJoinAllSpaces
        | ak.NSWindowCollectionBehaviorFullScreenAuxiliary
        | ak.NSWindowCollectionBehaviorStationary
    )
    window.setLevel_(ak.NSStatusWindowLevel if pinned else ak.NSNormalWindowLevel)
    window.setHidesOnDeactivate_(False)
    if hasattr(window, "setBecomesKeyOnlyIfNeeded_"):
        window.setBecomesKeyOnlyIfNeeded_(True)
    return True


def use_accessory_policy(appkit: ModuleType | None = None) -> bool:
    """No Dock icon when run from source (a bundle gets the same from ``LSUIElement``)."""
    ak = appkit if appkit is not None else _appkit()
    if ak is None or getattr(sys, "frozen", False):
        return False
    app = ak.NSApplication.sharedApplication()
    app.setActivationPolicy_(ak.NSApplicationActivationPolicyAccessory)
    return True
