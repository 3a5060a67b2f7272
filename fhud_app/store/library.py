"""The session library (Qt-free): an SQLite index over the session files, searchable.

The JSON Lines files stay the source of truth.  The index (``sqlite3``, WAL, FTS5 over the
words and the concepts) is derived from them and can always be rebuilt: :meth:`update`
notices new, grown, hand-edited and deleted files by their size and modification time; a
missing, garbage or damaged index is rebuilt from the files, and says so.

Anything worth telling the person (a torn last line, a file that is not a session, a
rebuilt index) is appended once to :attr:`SessionLibrary.notices` as one sentence.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from fhud_app.core.errors import InputError
from fhud_app.store import library_schema as schema
from fhud_app.store.library_schema import ConceptRow, Hit, SessionRow

if TYPE_CHECKING:
    from fhud_app.store.session_file import SessionData

log = logging.getLogger(__name__)
COMMIT_EVERY = 50  # files indexed per transaction during a bulk build
NO_INDEX = "There was no session index yet"  # said only when there were sessions to index


def default_index_path(folder: Path) -> Path:
    """Beside the sessions folder (not in it: a read-only folder keeps a writable index)."""
    folder = Path(folder)
    return folder.parent / f"{folder.name}-index.sqlite3"


class SessionLibrary:
    """The index of the session files in ``folder`` (one connection: use it from one thread)."""

    def __init__(self, folder: Path, index_path: Path | None = None) -> None:
        self.folder = Path(folder)
        self.index_path = Path(index_path) if index_path else default_index_path(self.folder)
        self.notices: list[str] = []
        self._rebuilt_because: str | None = None
        self.conn = self._open()

    # ------------------------------------------------------------------ opening
    def _open(self) -> sqlite3.Connection:
        existed = self.index_path.exists()
        try:
            conn = self._connect(self.index_path)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and not schema.is_corrupt(exc):
                return self._in_memory(exc)
            self._discard_index()
            self._rebuilt_because = f"The session index {self.index_path} was unreadable ({exc})"
            try:
                return self._connect(self.index_path)
            except sqlite3.DatabaseError as again:
                return self._in_memory(again)
        if not existed:
            self._rebuilt_because = NO_INDEX
        return conn

    def _connect(self, path: Path | str) -> sqlite3.Connection:
        if isinstance(path, Path) and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=10.0, isolation_level=None)
        try:
            schema.prepare(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _in_memory(self, exc: Exception) -> sqlite3.Connection:
        self.notices.append(f"The session index cannot be written at {self.index_path} ({exc}): "
                            "using one in memory, built from the session files.")  # fmt: skip
        self._rebuilt_because = None
        return self._connect(":memory:")

    def _discard_index(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.index_path) + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        self.conn.close()

    def _recover(self, exc: sqlite3.DatabaseError) -> None:
        """An index damaged while open: drop it, rebuild from the files, say so."""
        self.conn.close()
        self._discard_index()
        self._rebuilt_because = f"The session index {self.index_path} was damaged ({exc})"
        self.conn = self._connect(self.index_path)
        self.update()

    def _guarded(self, fn, *args):  # noqa: ANN001, ANN202 - any read of the index
        try:
            return fn(self.conn, *args)
        except sqlite3.DatabaseError as exc:
            if not schema.is_corrupt(exc):
                raise
            self._recover(exc)
            return fn(self.conn, *args)

    # ------------------------------------------------------------------ indexing
    def update(self, quiet: frozenset[Path] = frozenset()) -> int:
        """Bring the index in line with the files; the number of files (re)read.

        ``quiet``: files being written right now (the live session), whose unfinished last
        line is no news.
        """
        try:
            return self._update(quiet)
        except sqlite3.DatabaseError as exc:
            if not schema.is_corrupt(exc):
                raise
            self._recover(exc)
            return self._update(quiet)

    def _update(self, quiet: frozenset[Path]) -> int:
        files = self._files()
        known = {row[0]: (row[1], row[2]) for row in self.conn.execute(
            "SELECT path, size, mtime_ns FROM files")}  # fmt: skip
        gone = [p for p in known if p not in files]
        changed = sorted(p for p, st in files.items() if known.get(p) != st)
        if not gone and not changed and not self._rebuilt_because:
            return 0
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for path in gone:
                self._forget(path)
                self.notices.append(f"The file of session {Path(path).stem} was deleted: "
                                    "it left the library.")  # fmt: skip
            for i, path in enumerate(changed, 1):
                self._index_file(Path(path), files[path], Path(path) in quiet)
                if i % COMMIT_EVERY == 0:
                    self.conn.execute("COMMIT")
                    self.conn.execute("BEGIN IMMEDIATE")
        finally:
            self._commit()
        if self._rebuilt_because:
            count = self.conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
            if count or self._rebuilt_because != NO_INDEX:
                self.notices.append(f"{self._rebuilt_because}: built it from {count} session "
                                    f"file{'s' * (count != 1)}.")  # fmt: skip
            self._rebuilt_because = None
        return len(changed)

    def _commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def _files(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        try:
            entries = list(self.folder.glob("*.jsonl"))
        except OSError:
            return out
        for p in entries:
            try:
                st = p.stat()
            except OSError:
                continue
            out[str(p)] = (st.st_size, st.st_mtime_ns)
        return out

    def _index_file(self, path: Path, stat: tuple[int, int], quiet: bool) -> None:
        from fhud_app.store.session_file import NotASession, read_session

        old_problem = self.conn.execute("SELECT problem FROM files WHERE path=?", (str(path),)).fetchone()
        self._forget(str(path))
        problem: str | None
        try:
            data = read_session(path)
        except NotASession as exc:
            problem, data = str(exc), None
        except InputError as exc:  # unreadable (permissions): try again at the next update
            self.notices.append(str(exc))
            return
        else:
            problem = data.problem()
        self.conn.execute("INSERT INTO files(path, size, mtime_ns, problem) VALUES (?,?,?,?)",
                          (str(path), stat[0], stat[1], problem))  # fmt: skip
        if data is not None:
            schema.insert_session(self.conn, data, stat)
        if problem and not quiet and (old_problem is None or old_problem[0] != problem):
            self.notices.append(problem)

    def _forget(self, path: str) -> None:
        schema.delete_session(self.conn, path)
        self.conn.execute("DELETE FROM files WHERE path=?", (path,))

    def reindex(self) -> int:
        """Rebuild the whole index from the files; the number of sessions."""
        self.conn.execute("BEGIN IMMEDIATE")
        schema.clear(self.conn)
        self._commit()
        self._update(frozenset())
        return self.conn.execute("SELECT count(*) FROM sessions").fetchone()[0]

    def index_session(self, path: Path, quiet: bool = True) -> None:
        """Re-read one file now (the live session after a flush)."""
        path = Path(path)
        try:
            st = path.stat()
        except OSError:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self._index_file(path, (st.st_size, st.st_mtime_ns), quiet)
        finally:
            self._commit()

    # ------------------------------------------------------------------ reading
    def sessions(self) -> list[SessionRow]:
        """Every session, newest first."""
        return self._guarded(schema.all_sessions)

    def resolve(self, ident: str) -> SessionRow:
        """The session named by its id, a unique prefix of it, or ``last``."""
        rows = self.sessions()
        if ident in ("last", "latest") and rows:
            return rows[0]
        exact = [r for r in rows if r.id == ident]
        matches = exact or [r for r in rows if r.id.startswith(ident)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise InputError(f"There is no session {ident!r} in {self.folder}: "
                             "`fhud sessions list` shows the ids.")  # fmt: skip
        raise InputError(f"{ident!r} names {len(matches)} sessions ({matches[0].id}, {matches[1].id}…): "
                         "give more of the id.")  # fmt: skip

    def load(self, ident: str) -> SessionData:
        from fhud_app.store.session_file import NotASession, read_session

        row = self.resolve(ident)
        try:
            return read_session(row.path)
        except NotASession as exc:
            raise InputError(str(exc)) from None
        except InputError:
            raise InputError(f"Session {row.id}'s file {row.path} is gone or unreadable: "
                             "`fhud sessions list` shows what is left.") from None  # fmt: skip

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """FTS5 over words and concepts, newest first; bad syntax raises one sentence."""
        if not query.strip():
            raise InputError("The search is empty: give a word or a phrase.")
        try:
            return self._guarded(schema.search, query, limit)
        except sqlite3.OperationalError as exc:
            raise InputError(f"The search {query!r} is not a valid query ({exc}): close every double "
                             "quote, or put the words in double quotes to search for them as "
                             "they are.") from None  # fmt: skip

    def concepts(self, min_sessions: int = 1, limit: int = 50) -> list[ConceptRow]:
        """Concepts across sessions (same normalized phrase), the most recurrent first."""
        return self._guarded(schema.concepts_across, min_sessions, limit)

    def earlier_sessions(self, keys: list[str], exclude: str | None = None) -> dict[str, int]:
        """For each of ``keys``, how many sessions other than ``exclude`` it came up in."""
        return self._guarded(schema.sessions_per_key, keys, exclude)

    def recall(self, exclude: str | None = None) -> dict[str, int]:
        """Every concept key with how many sessions other than ``exclude`` it came up in."""
        return self._guarded(schema.sessions_per_key, None, exclude)

    def delete(self, ident: str) -> SessionRow:
        """Delete the session's file and its index entries (the file first)."""
        row = self.resolve(ident)
        try:
            row.path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise InputError(f"Cannot delete session {row.id}: {exc.strerror or exc} in {row.path.parent} "
                             "(is the sessions folder read-only?); nothing was removed.") from None  # fmt: skip
        self.conn.execute("BEGIN IMMEDIATE")
        self._forget(str(row.path))
        self._commit()
        return row
