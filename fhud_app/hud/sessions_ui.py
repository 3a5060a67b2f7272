"""The session library inside the app: the indexer thread, the Sessions window, New session,
and the concept memory (a concept said in earlier sessions gets a mark in the HUD).

:class:`SessionsUi` is built by the app with the pipeline controller and the HUD view; the
app only connects the tray's three entries to it (:meth:`open_window`, :meth:`new_session`,
:meth:`set_memory`) and its ``message`` to the status line.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from fhud_app.core import paths
from fhud_app.hud.controller import PipelineController
from fhud_app.hud.parts import HudView, Pipeline
from fhud_app.hud.session_index import SessionIndexer
from fhud_app.hud.settings import Key, Settings

STOP_PATIENCE_MS = 2000


class SessionsUi(QObject):
    message = Signal(str, bool)  # one sentence for the person, sticky?

    def __init__(self, controller: PipelineController, view: HudView, settings: Settings,
                 parent: QObject | None = None, folder: Path | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.controller, self.view, self.settings = controller, view, settings
        self.folder = Path(folder) if folder else paths.sessions_dir()
        self.memory = bool(settings.get(Key.CONCEPT_MEMORY))
        self.window = None
        self._current: str | None = None  # the id of the session being recorded
        self.indexer = SessionIndexer(self.folder, parent=self)
        self.indexer.notice.connect(lambda text: self.message.emit(text, False))
        self.indexer.recall.connect(self._on_recall)
        controller.session.written.connect(lambda path, final: self.indexer.session_written(Path(path), final=final))
        controller.started.connect(self._on_started)
        self.indexer.start()

    # ------------------------------------------------------------------ actions
    def open_window(self) -> None:
        if self.window is None:
            from fhud_app.hud.sessions_window import SessionsWindow
            from fhud_app.store.library import SessionLibrary

            self.window = SessionsWindow(SessionLibrary(self.folder), paths.cache_dir() / "session-pictures")
            self.indexer.updated.connect(self._refresh_window)
            self.window.refresh()
        self.indexer.request_update()
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def new_session(self) -> None:
        """Close the session being recorded and start a fresh one (a new file, an empty field)."""
        listening = bool(self.settings.get(Key.LISTENING))
        self.controller.restart()  # the stopped pipeline's words reach its file; a new one starts
        self.view.start_fresh()
        self.message.emit("A new session has started." if listening else
                          "The session is closed; a new one starts when you turn Listening on.", False)  # fmt: skip

    def set_memory(self, on: bool) -> None:
        self.memory = bool(on)
        self.settings.set(Key.CONCEPT_MEMORY, self.memory)
        if self.memory:
            self.indexer.request_recall(self._current or "")
        else:
            self.view.set_concept_recall({})

    def close(self) -> None:
        self.indexer.stop()
        self.indexer.wait(STOP_PATIENCE_MS)
        if self.window is not None:
            self.window.close()
            self.window.library.close()
            self.window = None

    # ------------------------------------------------------------------ reports
    def _on_started(self, pipeline: Pipeline) -> None:
        recorder = pipeline.session
        self._current = recorder.path.stem if recorder is not None else None
        if self.memory:
            self.indexer.request_recall(self._current or "")

    def _on_recall(self, counts: dict) -> None:
        if self.memory:
            self.view.set_concept_recall(counts)

    def _refresh_window(self) -> None:
        if self.window is not None and self.window.isVisible():
            self.window.refresh()
