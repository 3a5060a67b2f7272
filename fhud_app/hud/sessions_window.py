"""The Sessions window: the list with a search field; a session's transcript, concepts,
the picture of its concept field, and export buttons.

It reads the index through its own :class:`~fhud_app.store.library.SessionLibrary`
connection (reads take milliseconds; the :class:`SessionIndexer` thread does every write).
The picture is drawn by ``fhud sessions picture`` in a child process: the snapshot path uses
a standalone EGL context, which must not meet the HUD's GL context in one process.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

from PySide6.QtCore import QProcess, QProcessEnvironment, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fhud_app.core.errors import FhudError
from fhud_app.store.export import FORMATS, export, paragraphs
from fhud_app.store.library import SessionLibrary
from fhud_app.store.library_schema import MARK
from fhud_app.store.session_file import SessionData
from fhud_app.store.timefmt import clock

SEARCH_DELAY_MS = 150
PICTURE_SIZE = (640, 360)
FORMAT_LABELS = {"md": "Markdown", "txt": "Text", "srt": "SRT", "vtt": "WebVTT", "json": "JSON"}
ID_ROLE = Qt.ItemDataRole.UserRole
TIME_ROLE = Qt.ItemDataRole.UserRole + 1


def literal_query(text: str) -> str:
    """Every word of ``text`` as a quoted FTS5 string (what a search box typed half-way means)."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in text.split())


def picture_command(session_id: str, folder: Path, out: Path) -> list[str]:
    args = ["sessions", "--folder", str(folder), "picture", session_id, "--out", str(out),
            "--size", f"{PICTURE_SIZE[0]}x{PICTURE_SIZE[1]}"]  # fmt: skip
    if getattr(sys, "frozen", False):  # the bundle's executable is the fhud command itself
        return [sys.executable, *args]
    return [sys.executable, "-m", "fhud_app", *args]


class SessionsWindow(QWidget):
    """``library`` is read here; ``pictures`` is a folder for the cached concept-field PNGs."""

    status = Signal(str)  # one sentence (also shown in the window)

    def __init__(self, library: SessionLibrary, pictures: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("fHUD sessions")
        self.library = library
        self.pictures = Path(pictures)
        self.session: SessionData | None = None
        self._process: QProcess | None = None
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS, timeout=self.refresh)
        self._build()
        self.resize(1100, 720)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        self.search = QLineEdit(placeholderText="Search words and concepts (garden, \"the garden\", gard*)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.list = QListWidget(wordWrap=True, alternatingRowColors=True, spacing=3)
        self.list.currentItemChanged.connect(self._on_current)
        self.title = QLabel(wordWrap=True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.picture = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(PICTURE_SIZE[0] // 2, PICTURE_SIZE[1] * 2 // 3)
        self.picture.setStyleSheet("background: #0d111b; color: #8893a8;")
        self.picture.setText("Choose a session to see its concept field.")
        self.transcript = QTextBrowser()
        self.concepts = QLabel(wordWrap=True)
        self.concepts.setTextFormat(Qt.TextFormat.PlainText)
        self.message = QLabel(wordWrap=True)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.addWidget(QLabel("Export:"))
        for fmt in FORMATS:
            button = QPushButton(FORMAT_LABELS[fmt], enabled=False)
            button.clicked.connect(lambda _checked=False, f=fmt: self.export_to_file(f))
            self.buttons[fmt] = button
            row.addWidget(button)
        row.addStretch(1)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.addWidget(self.search)
        lv.addWidget(self.list)
        right = QWidget()
        rv = QVBoxLayout(right)
        for w in (self.title, self.picture):
            rv.addWidget(w)
        rv.addWidget(self.transcript, 1)
        rv.addWidget(self.concepts)
        rv.addLayout(row)
        rv.addWidget(self.message)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 2)
        split.setSizes([380, 720])
        QVBoxLayout(self).addWidget(split)

    # ------------------------------------------------------------------ the list
    def refresh(self) -> None:
        """The sessions, or the hits of the search field (newest first)."""
        current = self.session.id if self.session else None
        self.list.blockSignals(True)
        self.list.clear()
        query = self.search.text().strip()
        try:
            if query:
                self._fill_hits(query)
            else:
                self._fill_sessions()
        finally:
            self.list.blockSignals(False)
        rows = [i for i in range(self.list.count()) if self.list.item(i).data(ID_ROLE) == current]
        if rows:
            self.list.blockSignals(True)  # the same session stays open where it was
            self.list.setCurrentRow(rows[0])
            self.list.blockSignals(False)
        elif current is None and self.list.count() and not query:
            self.list.setCurrentRow(0)  # the newest session opens with the window

    def _fill_sessions(self) -> None:
        for r in self.library.sessions():
            if self.session is not None and r.id == self.session.id and r.words != len(self.session.words):
                QTimer.singleShot(0, lambda sid=r.id: self.show_session(sid, picture=False))  # it grew
            when = r.started.strftime("%Y-%m-%d %H:%M") if r.started else r.id
            top = ", ".join(r.top) or "no concepts"
            item = QListWidgetItem(f"{when}  ·  {clock(r.duration)}  ·  {r.words} words\n{top}")
            item.setData(ID_ROLE, r.id)
            self.list.addItem(item)
        if not self.list.count():
            self._say(f"No sessions yet in {self.library.folder}.")

    def _fill_hits(self, query: str) -> None:
        try:
            hits = self.library.search(query, 100)
        except FhudError:  # half-typed syntax (an open quote): search the words as they are
            hits = self.library.search(literal_query(query), 100) if literal_query(query) else []
        for h in hits:
            when = h.started.strftime("%Y-%m-%d %H:%M") if h.started else h.session
            text = h.text.replace(MARK[0], "«").replace(MARK[1], "»")
            label = f"concept «{text.strip('«»')}»" if h.kind == "concept" else text
            item = QListWidgetItem(f"{when}  at {clock(h.time)}\n{label}")
            item.setData(ID_ROLE, h.session)
            item.setData(TIME_ROLE, h.time)
            self.list.addItem(item)
        self._say(f"{len(hits)} hit{'s' * (len(hits) != 1)}" + (" (the newest 100)" if len(hits) == 100 else "") + ".")

    def _on_current(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is not None:
            self.show_session(item.data(ID_ROLE), item.data(TIME_ROLE))

    # ------------------------------------------------------------------ one session
    def show_session(self, session_id: str, at: float | None = None, *, picture: bool = True) -> None:
        """Open a session (scrolled to ``at`` seconds); ``picture=False`` keeps the picture shown
        (a live session that grew: it is redrawn when chosen again, not every few seconds)."""
        try:
            data = self.library.load(session_id)
        except FhudError as exc:
            self._say(str(exc))
            return
        self.session = data
        when = f"{data.started:%Y-%m-%d %H:%M}" if data.started else data.id
        self.title.setText(f"{when}  ·  {clock(data.duration)}  ·  {len(data.words)} words"
                           + (f"  ·  {data.source}" if data.source else ""))  # fmt: skip
        self.transcript.setHtml(self._transcript_html(data))
        anchor = self._anchor_for(data, at)
        if anchor:
            self.transcript.scrollToAnchor(anchor)
        top = data.top_concepts(len(data.concepts))
        self.concepts.setText("Concepts: " + (", ".join(f"{c.text} ({c.mentions})" for c in top) or "none"))
        for button in self.buttons.values():
            button.setEnabled(True)
        self._say(data.problem() or "")
        if picture:
            self._load_picture(data)

    @staticmethod
    def _transcript_html(data: SessionData) -> str:
        parts = []
        for para in paragraphs(data.words):
            t = para[0].start
            text = html.escape(" ".join(w.text for w in para))
            parts.append(f'<p><a name="t{int(t)}"></a><span style="color:#888">[{clock(t)}]</span> {text}</p>')
        return "".join(parts) or "<p><i>Nothing was said.</i></p>"

    @staticmethod
    def _anchor_for(data: SessionData, at: float | None) -> str | None:
        if at is None:
            return None
        starts = [int(p[0].start) for p in paragraphs(data.words) if p[0].start <= at + 1e-6]
        return f"t{starts[-1]}" if starts else None

    def _picture_path(self, data: SessionData) -> Path:
        try:
            stamp = data.path.stat().st_mtime_ns
        except OSError:
            stamp = 0
        return self.pictures / f"{data.id}-{stamp}-{PICTURE_SIZE[0]}x{PICTURE_SIZE[1]}.png"

    def _load_picture(self, data: SessionData) -> None:
        path = self._picture_path(data)
        if path.exists():
            self._show_picture(path)
            return
        self.picture.setPixmap(QPixmap())
        self.picture.setText("Drawing the concept field…")
        if self._process is not None:
            self._process.kill()
            self._process.waitForFinished(1000)
        self.pictures.mkdir(parents=True, exist_ok=True)
        cmd = picture_command(data.id, self.library.folder, path)
        process = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("QT_QPA_PLATFORM", "offscreen")  # glyphs only: no window, no Qt GL beside EGL
        process.setProcessEnvironment(env)
        process.finished.connect(lambda code, _status, p=path, proc=process: self._on_picture(proc, code, p))
        self._process = process
        process.start(cmd[0], cmd[1:])

    def _on_picture(self, process: QProcess, code: int, path: Path) -> None:
        if process is not self._process:
            return
        self._process = None
        if self.session is None or self._picture_path(self.session) != path:
            return
        if code == 0 and path.exists():
            self._show_picture(path)
        else:
            err = bytes(process.readAllStandardError()).decode(errors="replace").strip().splitlines()
            self.picture.setText("The concept field could not be drawn" + (f": {err[-1]}" if err else "."))

    def _show_picture(self, path: Path) -> None:
        pixmap = QPixmap(str(path))
        self.picture.setPixmap(pixmap.scaled(self.picture.width(), self.picture.height(),
                                             Qt.AspectRatioMode.KeepAspectRatio,
                                             Qt.TransformationMode.SmoothTransformation))  # fmt: skip

    # ------------------------------------------------------------------ export
    def export_to_file(self, fmt: str, path: str | None = None) -> Path | None:
        if self.session is None:
            return None
        if path is None:
            suggested = str(Path.home() / f"{self.session.id}.{fmt}")
            path, _ = QFileDialog.getSaveFileName(self, f"Export as {FORMAT_LABELS[fmt]}", suggested)
            if not path:
                return None
        try:
            Path(path).write_text(export(self.session, fmt), encoding="utf-8")
        except OSError as exc:
            self._say(f"Could not write {path} ({exc.strerror or exc}): choose another folder.")
            return None
        self._say(f"Saved {Path(path).name} ({FORMAT_LABELS[fmt]}).")
        return Path(path)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        if text:
            self.status.emit(text)

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's name
        if self._process is not None:
            self._process.kill()
            self._process.waitForFinished(1000)
            self._process = None
        super().closeEvent(event)
