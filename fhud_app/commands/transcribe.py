"""``fhud transcribe FILE``: print the words of an audio file as a live captioner would.

The pipeline runs under a ``QCoreApplication``; the main thread reads the
words ring on a timer and prints each word once it is final (text), or one JSON
object per event (jsonl), then a closing ``{"type": "stats", ...}`` line.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

import numpy as np

from fhud_app.audio.sanitize import source_note
from fhud_app.core.config import Config
from fhud_app.core.errors import FhudError, InputError
from fhud_app.core.events import EVENT_DTYPE, JsonLines, Kind, decode_text
from fhud_app.core.pipes import BROKEN_PIPE_EXIT, silence_closed_output

POLL_MS = 20
NO_SPEECH = "no speech found"
STOP_PATIENCE_S = 0.5  # after the reader went away, how long the workers may take to end
CONCEPT_KINDS = (Kind.CONCEPT, Kind.LINK, Kind.RETIRE)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE",
                        help="audio file (wav, flac, ogg); 'mic' or 'mic:DEVICE' for a microphone")
    parser.add_argument("--realtime", action="store_true",
                        help="pace the file as if it were a microphone")
    parser.add_argument("--format", choices=("text", "jsonl"), default="text",
                        help="text: the final text, an utterance at a time; jsonl: one JSON object per event")
    parser.add_argument("--drafts", action="store_true",
                        help="also print the unstable draft tail as it changes")


class Printer:
    """Turns word-ring records into output lines (text or JSON Lines).

    JSON Lines prints every event as it comes (a revision's records as one object).
    Text prints the final text: an utterance's words once it has ended, after its revision;
    with ``drafts`` the words still open and the draft tail show in brackets meanwhile.
    When the reader goes away (``| head``) it stops writing and calls ``on_broken`` once.
    """

    def __init__(self, fmt: str, drafts: bool, out: TextIO,
                 on_broken: Callable[[], None] = lambda: None) -> None:  # fmt: skip
        self.fmt, self.drafts, self.out = fmt, drafts, out
        self.on_broken = on_broken
        self.broken = False
        self.words = 0
        self._line = 0  # characters on the current text line
        self._draft_shown = 0
        self._draft = ""
        self._open: dict[int, list[str]] = {}  # utterance -> its words, not printed yet
        self._json = JsonLines()
        self.field = ConceptField()  # what the text format summarizes at the end

    def records(self, recs: np.ndarray) -> None:
        if self.broken:
            return
        try:
            self._records(recs)
        except BrokenPipeError:
            self._broke()

    def _broke(self) -> None:
        self.broken = True
        silence_closed_output(self.out)
        self.on_broken()

    def _records(self, recs: np.ndarray) -> None:
        for rec in recs:
            if int(rec["kind"]) in CONCEPT_KINDS:
                self.field.add(rec)
        for d in self._json.feed(recs):
            kind = d["type"]
            self.words += kind == "word"
            if self.fmt == "jsonl":
                if kind != "draft" or self.drafts:
                    self.out.write(json.dumps(d, ensure_ascii=False) + "\n")
            elif kind == "word":
                if d["utterance"]:
                    self._open.setdefault(d["utterance"], []).append(d["text"])
                else:  # an engine without utterances: every word is final at once
                    self._print([d["text"]])
            elif kind == "revision":
                self._open[d["utterance"]] = [w["text"] for w in d["words"]]
            elif kind == "utterance":
                self._print(self._open.pop(d["utterance"], []))
            elif kind == "draft":
                self._draft = d["text"]
            self._show_draft()
        self.out.flush()

    def _show_draft(self) -> None:
        if self.fmt == "jsonl" or not self.drafts:
            return
        text = " ".join([w for words in self._open.values() for w in words] + ([self._draft] if self._draft else []))
        self._erase_draft()
        if text:  # shown after the final words, replaced by the next event
            self.out.write(f" [{text}]")
            self._draft_shown = len(text) + 3

    def _erase_draft(self) -> None:
        if self._draft_shown:
            n = self._draft_shown
            self.out.write("\b" * n + " " * n + "\b" * n)
            self._draft_shown = 0

    def _print(self, words: list[str]) -> None:
        self._erase_draft()
        for text in words:
            if self._line and self._line + len(text) > 78:
                self.out.write("\n")
                self._line = 0
            self.out.write((" " if self._line else "") + text)
            self._line += len(text) + 1

    def close(self, stats: dict[str, Any]) -> None:
        if self.broken:
            return
        try:
            self._close(stats)
        except BrokenPipeError:
            self._broke()

    def _close(self, stats: dict[str, Any]) -> None:
        if self.fmt == "jsonl":
            self.out.write(json.dumps(stats) + "\n")
        else:
            for u in sorted(self._open):  # utterances the stream never closed
                self._print(self._open[u])
            self._open, self._draft = {}, ""
            self._erase_draft()
            if self._line:
                self.out.write("\n")
            summary = self.field.summary()
            if summary:
                self.out.write("\n" + summary + "\n")
        self.out.flush()


class ConceptField:
    """The concepts and links of the event stream, for the text summary."""

    def __init__(self) -> None:
        self.concepts: dict[int, tuple[str, float, int]] = {}  # id -> text, weight, mentions
        self.links: dict[tuple[int, int], float] = {}

    def add(self, rec: np.void) -> None:
        kind = int(rec["kind"])
        if kind == Kind.CONCEPT:
            self.concepts[int(rec["id"])] = (decode_text(rec["text"]), float(rec["value"]), int(rec["count"]))
        elif kind == Kind.LINK:
            self.links[(int(rec["a"]), int(rec["b"]))] = float(rec["value"])
        elif kind == Kind.RETIRE:
            self.concepts.pop(int(rec["id"]), None)

    def neighbours(self, cid: int, limit: int = 3) -> list[str]:
        near = [(s, b if a == cid else a) for (a, b), s in self.links.items() if cid in (a, b)]
        near.sort(reverse=True)
        return [self.concepts[o][0] for _, o in near if o in self.concepts][:limit]

    def summary(self, limit: int = 12) -> str:
        ranked = sorted(self.concepts.items(), key=lambda kv: (-kv[1][1], kv[1][0]))[:limit]
        if not ranked:
            return ""
        width = max(len(text) for _, (text, _, _) in ranked)
        lines = ["Crystallized concepts (weight, mentions, linked with):"]
        for cid, (text, weight, mentions) in ranked:
            near = ", ".join(self.neighbours(cid))
            lines.append(f"  {text:<{width}}  {weight:5.2f}  ×{mentions:<3d} {near}".rstrip())
        return "\n".join(lines)


def _stats(pipeline: Any, wall_s: float, words_dropped: int) -> dict[str, Any]:
    m = pipeline.asr.snapshot()
    return {
        "type": "stats",
        "audio_s": round(m["audio_s"], 3),
        "wall_s": round(wall_s, 3),
        "rtf": round(m["rtf"], 4),
        "latency_p50": round(m["latency_p50"], 3),
        "latency_p95": round(m["latency_p95"], 3),
        "words": int(m["words"]),
        "drops": int(m["drops"]) + int(words_dropped),  # audio samples + word events lost
        "overflows": int(m["overflows"]),
        "engine": pipeline.asr.engine_name or None,
        **_concept_stats(pipeline),
    }


def _concept_stats(pipeline: Any) -> dict[str, Any]:
    worker = pipeline.concept_worker
    if worker is None:
        return {}
    c = worker.snapshot()
    return {
        "concept_latency_p50": round(c["latency_p50"], 3),
        "concept_latency_p95": round(c["latency_p95"], 3),
        "skipped_utterances": int(c["skipped"]),
        "utterances": int(c["utterances"]),
        "concepts": int(c["concepts"]),
        "extractor": c["extractor"] or None,
        "concept_tokens_in": round(c["prompt_tokens_mean"], 1),
        "concept_tokens_out": round(c["new_tokens_mean"], 1),
    }


def _say(text: str) -> None:
    try:
        print(f"fhud: {text}", file=sys.stderr, flush=True)
    except (BrokenPipeError, ValueError):
        pass


class Notes:
    """Lines for stderr, each said once: replaced non-finite samples, no speech found."""

    def __init__(self, source: Any, where: str) -> None:
        self.source, self.where = source, where
        self.said_nonfinite = False

    def check(self) -> None:
        if not self.said_nonfinite:
            note = source_note(self.source, self.where)
            if note is not None:
                self.said_nonfinite = True
                _say(f"note: {note}")

    def finish(self, stats: dict[str, Any], words: int) -> None:
        self.check()
        stats["nonfinite"] = int(getattr(self.source, "nonfinite", 0) or 0)
        if words == 0:
            stats["note"] = NO_SPEECH


def run(args: argparse.Namespace, *, mic_backend: Any = None, out: TextIO | None = None) -> int:
    from PySide6.QtCore import QCoreApplication

    from fhud_app.app import build_pipeline

    out = out or sys.stdout
    config = Config().with_("asr", engine=args.engine).with_("llm", model=args.llm)
    app = QCoreApplication.instance() or QCoreApplication(["fhud"])
    pipeline = build_pipeline(config, args.file, realtime=args.realtime, mic_backend=mic_backend)

    def reader_gone() -> None:
        """Stop at once; a worker inside a model load (which cannot be interrupted) is left
        to the process exit: there is nothing left to write."""
        if not pipeline.stop(timeout_s=STOP_PATIENCE_S):
            logging.shutdown()
            os._exit(BROKEN_PIPE_EXIT)
        app.quit()

    printer = Printer(args.format, args.drafts, out, on_broken=reader_gone)
    notes = Notes(pipeline.source, args.file)
    reader = pipeline.words.reader(from_start=True)
    concepts = pipeline.concepts.reader(from_start=True)
    buf = np.zeros(pipeline.words.capacity, EVENT_DTYPE)

    def pump() -> None:
        for r in (reader, concepts):
            n = r.read_into(buf)
            if n:
                printer.records(buf[:n])
        notes.check()

    previous = signal.signal(signal.SIGINT, lambda *_: app.quit())
    t0 = time.monotonic()
    try:
        pipeline.run_to_end(pump, POLL_MS)  # words already decoded are never lost
    finally:
        signal.signal(signal.SIGINT, previous)
    if printer.broken:
        return BROKEN_PIPE_EXIT  # the reader went away (``| head``): quietly, as Unix tools do
    stats = _stats(pipeline, time.monotonic() - t0, reader.dropped)
    notes.finish(stats, printer.words)
    printer.close(stats)
    if printer.broken:
        return BROKEN_PIPE_EXIT
    if stats.get("note") == NO_SPEECH and not pipeline.error:
        _say(f"{NO_SPEECH} in {args.file} ({stats['audio_s']:.1f} s of audio).")
    if pipeline.error:
        raise FhudError(pipeline.error)
    if reader.dropped:
        raise InputError(f"{reader.dropped} events were lost: the output could not keep up.")
    return 0
