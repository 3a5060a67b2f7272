"""The interface every global-hotkey backend implements."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from fhud_app.hud.hotkey.chords import Chord, ChordError


class HotkeyError(ChordError):
    """The chord could not be registered (taken by another app, no backend, ...)."""


class HotkeyBackend(QObject):
    """Registers one chord system-wide and emits :attr:`activated` when it is pressed.

    ``register`` raises :class:`HotkeyError` with a sentence a person can act on;
    ``unregister`` is idempotent.  Backends that confirm asynchronously (the
    Wayland portal) report late failures through :attr:`failed`.
    """

    activated = Signal()
    failed = Signal(str)

    name = "none"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.chord: Chord | None = None

    def register(self, chord: Chord) -> None:
        raise NotImplementedError

    def unregister(self) -> None:
        raise NotImplementedError

    def bind(self, chord: Chord) -> None:
        """Register ``chord``, or replace the chord registered already."""
        if self.chord is None:
            self.register(chord)
        else:
            self.rebind(chord)

    def rebind(self, chord: Chord) -> None:
        """Replace the registered chord; on failure the previous one is restored."""
        previous = self.chord
        self.unregister()
        try:
            self.register(chord)
        except HotkeyError:
            if previous is not None:
                self.register(previous)
            raise
