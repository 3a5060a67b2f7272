"""The SQL of the session library: tables, writing a session, the queries (Qt-free).

Tables: ``files`` (every ``*.jsonl`` seen, with its size, mtime and problem), ``sessions``,
``segments`` (runs of up to :data:`SEGMENT_WORDS` words, or one concept) whose text is in
the FTS5 tables ``fts`` (words) and ``cfts`` (concepts) by the same rowid, and ``concepts``
(a session's concepts by normalized key).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # the reader is imported when a file is read, not for `fhud sessions list`
    from fhud_app.store.session_file import SessionData, Word

VERSION = 3
SPAN = 1 << 20  # segment rowids of a session: [start second << 20, + SPAN); newest sorts last
SEGMENT_WORDS = 16
SEGMENT_PAUSE_S = 1.0
WORD, CONCEPT = 0, 1
MARK = ("\x01", "\x02")  # highlight() markers, replaced by the caller's
TABLE_NAMES = ("files", "sessions", "segments", "fts", "cfts", "concepts")
SEP = "\x1f"  # between the top concepts of a session

TABLES = """
CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, problem TEXT);
CREATE TABLE IF NOT EXISTS sessions(id TEXT PRIMARY KEY, path TEXT UNIQUE, started TEXT, day TEXT,
    source TEXT, duration REAL, words INTEGER, concepts INTEGER, top TEXT, problem TEXT);
CREATE TABLE IF NOT EXISTS segments(id INTEGER PRIMARY KEY, session TEXT, kind INTEGER,
    start REAL, starts TEXT);
CREATE INDEX IF NOT EXISTS segments_session ON segments(session);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(text, prefix='2 3',
    tokenize='porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS cfts USING fts5(text, prefix='2 3',
    tokenize='porter unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS concepts(session TEXT, key TEXT, text TEXT, mentions INTEGER,
    weight REAL, first_seen REAL);
CREATE INDEX IF NOT EXISTS concepts_key ON concepts(key);
CREATE INDEX IF NOT EXISTS concepts_session ON concepts(session);
"""


class SessionRow(NamedTuple):
    id: str
    path: Path
    started: datetime | None
    source: str
    duration: float
    words: int
    concepts: int
    top: list[str]
    problem: str | None


class Hit(NamedTuple):
    session: str
    started: datetime | None
    kind: str  # "words" or "concept"
    time: float  # seconds into the session of the first matching word
    text: str  # the segment, matches between MARK[0] and MARK[1]


class ConceptRow(NamedTuple):
    key: str
    text: str
    sessions: int
    days: int
    mentions: int
    session_ids: list[str]
    first_day: str
    last_day: str


def is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    """A damaged or foreign file, as opposed to a locked, read-only or busy one or a bad query."""
    text = str(exc).lower()
    return any(s in text for s in ("malformed", "not a database", "corrupt", "no such table",
                                   "no such module", "index format"))  # fmt: skip


def prepare(conn: sqlite3.Connection) -> None:
    """WAL, the tables; an index of another version is emptied (rebuilt from the files)."""
    conn.execute("PRAGMA busy_timeout=10000")
    version = conn.execute("PRAGMA user_version").fetchone()[0]  # reads the header: garbage fails here
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    if version not in (0, VERSION):
        for name in TABLE_NAMES:
            conn.execute(f"DROP TABLE IF EXISTS {name}")
    conn.executescript(TABLES)
    conn.execute(f"PRAGMA user_version={VERSION}")
    conn.execute("SELECT count(*) FROM files").fetchone()
    conn.execute("SELECT rowid FROM fts LIMIT 1").fetchall()
    conn.execute("SELECT rowid FROM cfts LIMIT 1").fetchall()


def clear(conn: sqlite3.Connection) -> None:
    for name in TABLE_NAMES:
        conn.execute(f"DELETE FROM {name}")


def segments(words: list[Word]) -> list[list[Word]]:
    out: list[list[Word]] = []
    for w in words:
        if out and len(out[-1]) < SEGMENT_WORDS and w.start - out[-1][-1].end < SEGMENT_PAUSE_S:
            out[-1].append(w)
        else:
            out.append([w])
    return out


def insert_session(conn: sqlite3.Connection, data: SessionData, stat: tuple[int, int]) -> None:
    started = data.started or datetime.fromtimestamp(stat[1] / 1e9)
    top = [c.text for c in data.top_concepts(5)]
    conn.execute("INSERT OR REPLACE INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?)",
                 (data.id, str(data.path), started.isoformat(timespec="seconds"), started.date().isoformat(),
                  data.source, data.duration, len(data.words), len(data.concepts), SEP.join(top),
                  data.problem()))  # fmt: skip
    seg_rows, fts_rows, cfts_rows = [], [], []
    base = _free_base(conn, started)
    for i, seg in enumerate(segments(data.words)[: SPAN // 2]):
        starts = " ".join(str(round(w.start * 100)) for w in seg)
        seg_rows.append((base + i, data.id, WORD, seg[0].start, starts))
        fts_rows.append((base + i, " ".join("".join(w.text.split()) for w in seg)))
    for j, c in enumerate(list(data.concepts.values())[: SPAN // 2]):  # after the words: found first
        seg_rows.append((base + SPAN - 1 - j, data.id, CONCEPT, c.first_seen, ""))
        cfts_rows.append((base + SPAN - 1 - j, c.text))
    conn.executemany("INSERT INTO segments VALUES (?,?,?,?,?)", seg_rows)
    conn.executemany("INSERT INTO fts(rowid, text) VALUES (?,?)", fts_rows)
    conn.executemany("INSERT INTO cfts(rowid, text) VALUES (?,?)", cfts_rows)
    conn.executemany("INSERT INTO concepts VALUES (?,?,?,?,?,?)",
                     [(data.id, c.key, c.text, c.mentions, c.weight, c.first_seen)
                      for c in data.concepts.values()])  # fmt: skip


def _free_base(conn: sqlite3.Connection, started: datetime) -> int:
    """The first rowid of a session: its start second, shifted so that newer sorts higher."""
    try:
        second = min(max(0, int(started.timestamp())), 1 << 40)
    except (OverflowError, OSError, ValueError):  # a header dated in year 1 or 9999
        second = 0
    base = second * SPAN
    while conn.execute("SELECT 1 FROM segments WHERE id >= ? AND id < ? LIMIT 1",
                       (base, base + SPAN)).fetchone():  # fmt: skip
        base += SPAN  # another session began in the same second
    return base


def delete_session(conn: sqlite3.Connection, path: str) -> None:
    row = conn.execute("SELECT id FROM sessions WHERE path=?", (path,)).fetchone()
    if row is None:
        return
    sid = row[0]
    for table in ("fts", "cfts"):
        conn.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT id FROM segments WHERE session=?)", (sid,))
    conn.execute("DELETE FROM segments WHERE session=?", (sid,))
    conn.execute("DELETE FROM concepts WHERE session=?", (sid,))
    conn.execute("DELETE FROM sessions WHERE id=?", (sid,))


def _when(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def all_sessions(conn: sqlite3.Connection) -> list[SessionRow]:
    rows = conn.execute("SELECT id, path, started, source, duration, words, concepts, top, problem "
                        "FROM sessions ORDER BY started DESC, id DESC").fetchall()  # fmt: skip
    return [SessionRow(r[0], Path(r[1]), _when(r[2]), r[3], r[4], r[5], r[6], r[7].split(SEP) if r[7] else [], r[8])
            for r in rows]  # fmt: skip


# Newest first: FTS5 walks its doclists by descending rowid and stops at the limit, so a
# common word costs no more than a rare one (ranking every match by bm25 does not scale).
SEARCH = """
SELECT seg.session, s.started, seg.kind, seg.start, seg.starts, f.text
FROM (SELECT rowid, highlight({table}, 0, '{on}', '{off}') AS text FROM {table}
      WHERE {table} MATCH ? ORDER BY rowid DESC LIMIT ?) f
JOIN segments seg ON seg.id = f.rowid JOIN sessions s ON s.id = seg.session ORDER BY f.rowid DESC
"""
CONCEPT_HITS = 5  # concepts named like the query come first, at most this many


def search(conn: sqlite3.Connection, query: str, limit: int) -> list[Hit]:
    """The newest concepts named like ``query`` (a few), then the newest moments that say it."""
    rows = []
    for table, n in (("cfts", min(CONCEPT_HITS, limit)), ("fts", limit)):
        sql = SEARCH.format(table=table, on=MARK[0], off=MARK[1])
        rows += conn.execute(sql, (query, n)).fetchall()
    hits = []
    for sid, started, kind, start, starts, text in rows:
        time = start
        if kind == WORD and MARK[0] in text:  # the time of the first matching word
            k = text[: text.index(MARK[0])].count(" ")
            offsets = starts.split()
            if k < len(offsets):
                time = int(offsets[k]) / 100
        hits.append(Hit(sid, _when(started), "words" if kind == WORD else "concept", time, text))
    return hits


def concepts_across(conn: sqlite3.Connection, min_sessions: int, limit: int) -> list[ConceptRow]:
    rows = conn.execute(
        """SELECT c.key, c.text, max(c.mentions), count(DISTINCT c.session) AS n, count(DISTINCT s.day),
                  sum(c.mentions) AS m, group_concat(DISTINCT c.session), min(s.day), max(s.day)
           FROM concepts c JOIN sessions s ON s.id = c.session
           GROUP BY c.key HAVING n >= ? ORDER BY n DESC, m DESC, c.key LIMIT ?""",
        (min_sessions, limit),
    ).fetchall()
    return [ConceptRow(r[0], r[1], r[3], r[4], r[5], sorted(r[6].split(","), reverse=True), r[7], r[8])
            for r in rows]  # fmt: skip


def sessions_per_key(conn: sqlite3.Connection, keys: list[str] | None, exclude: str | None) -> dict[str, int]:
    """Sessions (other than ``exclude``) each concept key came up in; every key when ``keys`` is None."""
    if keys is None:
        rows = conn.execute("SELECT key, count(DISTINCT session) FROM concepts WHERE session IS NOT ? "
                            "GROUP BY key", (exclude,))  # fmt: skip
        return dict(rows.fetchall())
    out: dict[str, int] = {}
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for key, n in conn.execute(
            f"SELECT key, count(DISTINCT session) FROM concepts WHERE key IN ({marks}) "
            "AND session IS NOT ? GROUP BY key", (*chunk, exclude)):  # fmt: skip
            out[key] = n
    return out
