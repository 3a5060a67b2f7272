"""``fhud sessions list|show|search|export|delete|reindex|concepts``: the session library.

Every action first brings the index in line with the session files (new, grown,
edited and deleted files), then answers from it; what it noticed on the way (a torn
last line, a file that is not a session, a rebuilt index) goes to stderr, once.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fhud_app.core import paths
from fhud_app.core.errors import InputError
from fhud_app.store.library import SessionLibrary
from fhud_app.store.library_schema import MARK, SessionRow
from fhud_app.store.timefmt import clock

FORMATS = ("md", "txt", "srt", "vtt", "json")  # fhud_app.store.export.FORMATS (imported when used)

ACTIONS = {
    "list": "every session: date, duration, words, top concepts",
    "show": "one session's transcript and concepts",
    "search": "search the words and concepts of every session (FTS5 syntax)",
    "export": "write a session as md, txt, srt, vtt or json",
    "delete": "delete a session's file (asks first)",
    "reindex": "rebuild the index from the session files",
    "concepts": "concepts that came up across sessions, with their sessions and days",
    "picture": "draw a session's concept field as it ended (PNG)",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--folder", type=Path, help="the sessions folder (default: the app's)")
    parser.add_argument("--index", type=Path, help="the index file (default: beside the folder)")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = {name: sub.add_parser(name, help=text, description=text) for name, text in ACTIONS.items()}
    for name in ("show", "export", "delete", "picture"):
        p[name].add_argument("id", metavar="ID", help="a session id (or a unique start of one, or 'last')")
    p["search"].add_argument("query", metavar="QUERY", help='words, "a phrase", garden OR soil, gard*')
    p["search"].add_argument("--limit", type=int, default=20, help="at most this many hits (default 20)")
    p["export"].add_argument("--format", choices=FORMATS, default="md", help="default: md")
    p["export"].add_argument("--out", type=Path, help="file to write (default: standard output)")
    p["delete"].add_argument("--yes", action="store_true", help="do not ask")
    p["picture"].add_argument("--out", type=Path, required=True, help="PNG to write")
    p["picture"].add_argument("--size", default="960x540", help="WIDTHxHEIGHT in pixels (default 960x540)")
    p["concepts"].add_argument("--min-sessions", type=int, default=1, help="came up in at least N sessions")
    p["concepts"].add_argument("--limit", type=int, default=50, help="at most this many (default 50)")


def open_library(args: argparse.Namespace) -> SessionLibrary:
    library = SessionLibrary(args.folder or paths.sessions_dir(), args.index)
    library.update()
    return library


def run(args: argparse.Namespace) -> int:
    library = open_library(args)
    try:
        return ACTION_RUNNERS[args.action](library, args)
    finally:
        for notice in library.notices:
            print(f"fhud: note: {notice}", file=sys.stderr)
        library.close()


def _date(row: SessionRow) -> str:
    return row.started.strftime("%Y-%m-%d %H:%M") if row.started else "?"


def do_list(library: SessionLibrary, _args: argparse.Namespace) -> int:
    rows = library.sessions()
    if not rows:
        print(f"No sessions yet in {library.folder}.", file=sys.stderr)
        return 0
    width = max(len(r.id) for r in rows)
    print(f"{'ID':{width}}  {'DATE':16}  {'DURATION':>8}  {'WORDS':>6}  TOP CONCEPTS")
    for r in rows:
        mark = " (!)" if r.problem else ""
        print(f"{r.id:{width}}  {_date(r):16}  {clock(r.duration):>8}  {r.words:>6}  "
              f"{', '.join(r.top)}{mark}")  # fmt: skip
    return 0


def do_show(library: SessionLibrary, args: argparse.Namespace) -> int:
    from fhud_app.store.export import paragraphs

    data = library.load(args.id)
    when = f"{data.started:%Y-%m-%d %H:%M:%S}" if data.started else "?"
    print(f"Session {data.id} · {when} · {clock(data.duration)} · {len(data.words)} words"
          + (f" · {data.source}" if data.source else ""))  # fmt: skip
    print()
    for para in paragraphs(data.words):
        print(f"[{clock(para[0].start)}] " + " ".join(w.text for w in para))
        print()
    concepts = data.top_concepts(len(data.concepts))
    if concepts:
        print("Concepts: " + ", ".join(f"{c.text} ({c.mentions})" for c in concepts))
    return 0


def highlight(text: str, tty: bool) -> str:
    on, off = ("\x1b[1;33m", "\x1b[0m") if tty else ("[", "]")
    return text.replace(MARK[0], on).replace(MARK[1], off)


def do_search(library: SessionLibrary, args: argparse.Namespace) -> int:
    hits = library.search(args.query, max(1, args.limit))
    if not hits:
        print(f"Nothing matches {args.query!r}.", file=sys.stderr)
        return 1
    tty = sys.stdout.isatty()
    for h in hits:
        when = h.started.strftime("%Y-%m-%d %H:%M") if h.started else "?"
        what = "concept " if h.kind == "concept" else ""
        print(f"{h.session}  {when}  at {clock(h.time)}  {what}{highlight(h.text, tty)}")
    return 0


def do_export(library: SessionLibrary, args: argparse.Namespace) -> int:
    from fhud_app.store.export import export

    data = library.load(args.id)
    text = export(data, args.format)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Cannot write {args.out} ({exc.strerror or exc}): choose another file.") from None
    print(f"wrote {args.out} ({args.format}, {len(data.words)} words)", file=sys.stderr)
    return 0


def do_delete(library: SessionLibrary, args: argparse.Namespace) -> int:
    row = library.resolve(args.id)
    if not args.yes:
        question = (f"Delete session {row.id} ({_date(row)}, {row.words} words)? "
                    "Its file is removed for good. [y/N] ")  # fmt: skip
        try:
            answer = input(question)
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print(f"Kept session {row.id}.", file=sys.stderr)
            return 1
    library.delete(row.id)
    print(f"Deleted session {row.id}.", file=sys.stderr)
    return 0


def do_reindex(library: SessionLibrary, _args: argparse.Namespace) -> int:
    n = library.reindex()
    print(f"Indexed {n} session{'s' * (n != 1)} from {library.folder}.", file=sys.stderr)
    return 0


def do_concepts(library: SessionLibrary, args: argparse.Namespace) -> int:
    rows = library.concepts(max(1, args.min_sessions), max(1, args.limit))
    if not rows:
        print("No concepts yet.", file=sys.stderr)
        return 0
    width = min(32, max(len(r.text) for r in rows))
    print(f"{'CONCEPT':{width}}  {'SESSIONS':>8}  {'DAYS':>4}  {'MENTIONS':>8}  DAYS SEEN / SESSIONS")
    for r in rows:
        days = r.first_day if r.first_day == r.last_day else f"{r.first_day}..{r.last_day}"
        shown = ", ".join(r.session_ids[:3]) + (", …" if len(r.session_ids) > 3 else "")
        print(f"{r.text[:width]:{width}}  {r.sessions:>8}  {r.days:>4}  {r.mentions:>8}  {days}: {shown}")
    return 0


def do_picture(library: SessionLibrary, args: argparse.Namespace) -> int:
    from fhud_app.commands.session_picture import render_picture
    from fhud_app.commands.snapshot import parse_size

    try:
        size = parse_size(args.size)
    except argparse.ArgumentTypeError as exc:
        raise InputError(f"{exc}.") from None
    data = library.load(args.id)
    render_picture(data, args.out, size)
    print(f"wrote {args.out} ({size[0]}x{size[1]}, {len(data.concepts)} concepts)", file=sys.stderr)
    return 0


ACTION_RUNNERS = {"list": do_list, "show": do_show, "search": do_search, "export": do_export,
                  "delete": do_delete, "reindex": do_reindex, "concepts": do_concepts,
                  "picture": do_picture}  # fmt: skip
