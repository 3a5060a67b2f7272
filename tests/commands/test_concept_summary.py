from __future__ import annotations

import io

import numpy as np

from fhud_app.commands.transcribe import ConceptField, Printer
from fhud_app.core.events import Kind, make_event


def _stream() -> np.ndarray:
    return np.concatenate([
        make_event(Kind.WORD, text="gardens", start=0.0, end=0.4, value=0.9),
        make_event(Kind.CONCEPT, id=1, text="garden", value=2.5, count=3),
        make_event(Kind.CONCEPT, id=2, text="memory", value=1.5, count=2),
        make_event(Kind.CONCEPT, id=3, text="water", value=0.5, count=1),
        make_event(Kind.CONCEPT, id=4, text="gone", value=9.0, count=9),
        make_event(Kind.LINK, a=1, b=2, value=0.8),
        make_event(Kind.LINK, a=3, b=1, value=0.2),
        make_event(Kind.RETIRE, id=4),
    ])


def test_text_output_ends_with_the_concepts_ranked_by_weight_with_their_links():
    out = io.StringIO()
    printer = Printer("text", drafts=False, out=out)
    printer.records(_stream())
    printer.close({"type": "stats"})
    text = out.getvalue()
    assert text.startswith("gardens\n")
    lines = text.split("Crystallized concepts")[1].splitlines()[1:]
    assert [line.split()[0] for line in lines] == ["garden", "memory", "water"]  # retired one gone
    assert lines[0].split()[-2:] == ["memory,", "water"]  # strongest link first
    assert "×3" in lines[0]


def test_jsonl_output_has_no_summary_but_every_concept_event():
    out = io.StringIO()
    printer = Printer("jsonl", drafts=False, out=out)
    printer.records(_stream())
    printer.close({"type": "stats"})
    assert "Crystallized" not in out.getvalue()
    assert out.getvalue().count('"type": "concept"') == 4


def test_an_empty_field_prints_nothing():
    assert ConceptField().summary() == ""
