"""A scripted stand-in for the LLM that runs the real :class:`ConceptLlm` decoding loop.

:class:`ToyTokenizer` is word-level (" word", "word", ",", ".", "\\n" and four special tokens,
``<start_of_turn>`` among them); :class:`FakeLlm` replaces only the forward step: it keeps the
fed tokens in an immutable cache and, when asked for a next token, proposes the next token of
``respond(text)`` — taken only if it is in the allowed set, else it ends the text.  So the
session, allowed-set, stop and grounding logic under test are the production code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fhud_app.concepts.llm import ConceptLlm
from fhud_app.core.mlx_gate import MlxGate

SPECIALS = ["<pad>", "<eos>", "<bos>", "<start_of_turn>", "<end_of_turn>"]
_PIECE = re.compile(r"<[a-z_]+>|\n| ?[A-Za-z0-9'\-]+|[,.;:!?]| ")


class ToyTokenizer:
    def __init__(self) -> None:
        self.pieces: list[str] = list(SPECIALS)
        self.ids: dict[str, int] = {p: i for i, p in enumerate(self.pieces)}
        self.all_special_ids = list(range(len(SPECIALS)))
        self.eos_token_id = 1
        self.eos_token_ids = {1}
        self.bos_token_id = 2

    def _id(self, piece: str) -> int:
        if piece not in self.ids:
            self.ids[piece] = len(self.pieces)
            self.pieces.append(piece)
        return self.ids[piece]

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        return [self._id(p) for p in _PIECE.findall(text)]

    def decode(self, ids: list[int]) -> str:
        return "".join(self.pieces[i] for i in ids)


class ToyCache:
    def __init__(self) -> None:
        self.tokens: tuple[int, ...] = ()


class FakeLlm(ConceptLlm):
    """``respond(text_of_the_current_request) -> model output`` drives generation."""

    def __init__(self, respond: Callable[[str], str], gate: MlxGate | None = None) -> None:
        super().__init__(object(), ToyTokenizer(), gate or MlxGate(), name="fake")
        self.respond = respond
        self.steps = 0
        self.requests: list[str] = []

    def _new_cache(self) -> list[Any]:
        return [ToyCache()]

    def _step(self, ids: list[int], cache: list[Any], allowed: list[int] | None) -> int | None:
        with self.gate.hold():
            self.steps += 1
            cache[0].tokens = cache[0].tokens + tuple(ids)
            if allowed is None:
                return None
            text = self.tokenizer.decode(list(cache[0].tokens))
            request = text.rsplit("\nText:", 1)[-1]
            prompt, _, produced = request.partition("\nPhrases:")
            if not produced:
                self.requests.append(prompt.strip())
            wanted = self.tokenizer.encode(self.respond(prompt.strip()) + "\n")
            k = len(self.tokenizer.encode(produced))
            nxt = wanted[k] if k < len(wanted) else self.tokenizer.eos_token_id
            return nxt if nxt in allowed else self.tokenizer.eos_token_id
