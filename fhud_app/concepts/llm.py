"""The mlx-lm runtime of the concept extractor: a primed prefix and gated constrained decoding
(choosing and loading the model: :mod:`fhud_app.concepts.loading`).

Every MLX call goes through the shared :class:`~fhud_app.core.mlx_gate.MlxGate` at
``Priority.LOW`` and the gate is taken and released per forward step (one generated token, or a
small chunk of prompt tokens), so an ASR call waits at most one step.  A fixed prefix (the
few-shot examples) is run once; its KV cache is shallow-copied for every request.  Decoding is
greedy over an *allowed* token set (the tokens of the transcript, separators and end of text),
computed from the last hidden state only: the 262k-row output projection is never run in full.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fhud_app.core.mlx_gate import MlxGate, Priority
from fhud_app.core.paths import cache_dir

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
PREFILL_CHUNK = 1  # prompt tokens per gated step (batching gains nothing on this CPU)
_PUNCT = '.,!?;:"()[]{}…'
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9_]*>|\[multimodal\]")


def strip_control_text(text: str) -> str:
    """Remove anything that would tokenize as a control token (``<start_of_turn>``, ``<eos>`` …)."""
    return re.sub(r"\s+", " ", _TAG.sub(" ", text)).strip()


@dataclass
class Completion:
    text: str
    prompt_tokens: int
    new_tokens: int
    seconds: float
    stopped: str  # "newline" | "eos" | "stop" | "max_tokens" | "cancelled"
    ids: list[int] = field(default_factory=list)  # the generated token ids


class ConceptLlm:
    """A loaded mlx-lm model with a primed prefix and gated, constrained greedy decoding."""

    def __init__(
        self, model: Any, tokenizer: Any, gate: MlxGate, *, name: str, source: Path | None = None
    ) -> None:
        self.model = model
        self.source = source  # the model folder (keys the saved prefix cache)
        self.tokenizer = tokenizer
        self.gate = gate
        self.name = name
        self._prefix_cache: list[Any] | None = None
        self.prefix_tokens = 0
        self._special = set(getattr(tokenizer, "all_special_ids", []) or [])
        self._newline_ids = {i for i in self._token_ids("\n") if "\n" in tokenizer.decode([i])}
        self._eos_ids = set(getattr(tokenizer, "eos_token_ids", None) or [tokenizer.eos_token_id])
        backbone = getattr(model, "model", None)
        self._backbone = backbone if hasattr(backbone, "embed_tokens") else None
        self._tied = self._backbone is not None and not hasattr(model, "lm_head")

    # ------------------------------------------------------------------ tokens
    def _token_ids(self, text: str) -> list[int]:
        return [
            i
            for i in self.tokenizer.encode(text, add_special_tokens=False)
            if i not in self._special
        ]

    def encode(self, text: str, *, bos: bool = False) -> list[int]:
        """Token ids of ``text`` with control-token strings blanked out; never a special id."""
        ids = self._token_ids(_TAG.sub(" ", text))
        bos_id = getattr(self.tokenizer, "bos_token_id", None)
        return ([bos_id] if bos and bos_id is not None else []) + ids

    def allowed_ids(self, texts: Iterable[str]) -> set[int]:
        """The ids that can spell the given words, plus separators, newline and end of text."""
        out: set[int] = set(self._newline_ids) | set(self._eos_ids)
        for text in texts:
            for raw in strip_control_text(text).split():
                word = raw.strip(_PUNCT)
                for variant in {word, word.lower()} - {""}:
                    out.update(self._token_ids(" " + variant))
                    out.update(self._token_ids(variant))
        out.update(self._token_ids(","))
        out.update(self._token_ids(", "))
        return out

    # ------------------------------------------------------------------ forward steps
    def _step(self, ids: list[int], cache: list[Any], allowed: list[int] | None) -> int | None:
        """One gated forward pass; returns the greedy next id when ``allowed`` is given."""
        import mlx.core as mx

        with self.gate.hold(Priority.LOW):
            inputs = mx.array([ids])
            if allowed is None:
                if self._backbone is not None:
                    mx.eval(self._backbone(inputs, cache=cache))
                else:
                    mx.eval(self.model(inputs, cache=cache))
                return None
            logits = self._logits(inputs, cache, allowed)
            best = int(mx.argmax(logits).item())
        return allowed[best]

    def _logits(self, inputs: Any, cache: list[Any], allowed: list[int]) -> Any:
        import mlx.core as mx

        if self._tied:
            hidden = self._backbone(inputs, cache=cache)[0, -1]
            rows = self._backbone.embed_tokens(mx.array(allowed))
            return rows @ hidden
        logits = self.model(inputs, cache=cache)[0, -1]
        return logits[mx.array(allowed)]

    def _prefill(self, ids: list[int], cache: list[Any]) -> None:
        for i in range(0, len(ids), PREFILL_CHUNK):
            self._step(ids[i : i + PREFILL_CHUNK], cache, None)

    def prefix_cache_file(self) -> Path | None:
        """Where the primed prefix of this model is kept between runs (None: not kept)."""
        if self.source is None:
            return None
        weights = sorted(self.source.glob("*.safetensors"))
        stamp = "|".join(f"{w.name}:{w.stat().st_size}:{w.stat().st_mtime_ns}" for w in weights)
        tag = hashlib.sha256(f"{self.source.resolve()}|{stamp}".encode()).hexdigest()[:20]
        return cache_dir() / "prompt-cache" / f"{tag}.safetensors"

    def _new_cache(self) -> list[Any]:
        from mlx_lm.models.cache import make_prompt_cache

        return make_prompt_cache(self.model)

    def prime(self, prefix: str, cache_file: Path | None = None, *, tail: str = "") -> None:
        """Run the fixed prefix once; later requests reuse its KV cache.

        ``tail`` is encoded on its own and appended (the opening of every request, so it
        tokenizes exactly as when a session feeds it, and costs no step per request).
        With ``cache_file`` the prefix cache is loaded from there when it was saved for this
        exact prefix, and saved there (atomically) after it is computed.
        """
        ids = self.encode(prefix, bos=True) + (self.encode(tail) if tail else [])
        cache = self._load_prefix(cache_file, ids)
        if cache is None:
            cache = self._new_cache()
            self._prefill(ids, cache)
            self._save_prefix(cache_file, cache, ids)
        self._prefix_cache = cache
        self.prefix_tokens = len(ids)

    @staticmethod
    def _prefix_tag(ids: list[int]) -> str:
        return hashlib.sha256(json.dumps(ids).encode()).hexdigest()[:20]

    def _load_prefix(self, path: Path | None, ids: list[int]) -> list[Any] | None:
        if path is None or not path.is_file():
            return None
        from mlx_lm.models.cache import load_prompt_cache

        try:
            with self.gate.hold(Priority.LOW):
                cache, meta = load_prompt_cache(str(path), return_metadata=True)
        except Exception as exc:  # a damaged file is recomputed
            log.warning("ignoring the saved prompt cache %s (%s)", path, type(exc).__name__, exc_info=True)
            return None
        ok = meta.get("prefix") == self._prefix_tag(ids) and len(cache) == len(self._new_cache())
        return cache if ok else None

    def _save_prefix(self, path: Path | None, cache: list[Any], ids: list[int]) -> None:
        if path is None:
            return
        from mlx_lm.models.cache import save_prompt_cache

        tmp = path.with_name(f"{path.stem}.tmp-{os.getpid()}.safetensors")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self.gate.hold(Priority.LOW):
                save_prompt_cache(str(tmp), cache, {"prefix": self._prefix_tag(ids)})
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("could not save the prompt cache to %s (%s)", path, exc)
            tmp.unlink(missing_ok=True)

    def session(self) -> Session:
        """A new request continuing the primed prefix (its KV cache shallow-copied)."""
        if self._prefix_cache is None:
            raise RuntimeError("prime() the model before starting a session")
        return Session(self, [copy.copy(c) for c in self._prefix_cache])

    def complete(
        self,
        prompt: str,
        allowed: set[int],
        *,
        max_new_tokens: int = 24,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> Completion:
        """Greedy continuation of prefix + ``prompt`` over ``allowed``; stops at newline/end."""
        s = self.session()
        s.feed(prompt)
        return s.generate(allowed, max_new_tokens=max_new_tokens, cancelled=cancelled)


class Session:
    """One request: text is fed (prefilled) as it arrives, then :meth:`generate` decodes.

    Feeding the words of an utterance while it is still being spoken leaves only the last
    word and the answer cue to prefill when it ends, which is most of the latency.
    """

    def __init__(self, llm: ConceptLlm, cache: list[Any]) -> None:
        self.llm = llm
        self.cache = cache
        self.pending: list[int] = []  # the last fed token is held back for the first decode step
        self.tokens = 0  # tokens in the context beyond the primed prefix
        self.request_tokens = 0  # tokens fed since the last generate()
        self.prefill_seconds = 0.0

    def feed(self, text: str) -> None:
        ids = self.llm.encode(text)
        if not ids:
            return
        t0 = time.monotonic()
        todo = self.pending + ids
        for i in range(0, len(todo) - 1, PREFILL_CHUNK):
            self.llm._step(todo[i : min(i + PREFILL_CHUNK, len(todo) - 1)], self.cache, None)
        self.pending = todo[-1:]
        self.tokens += len(ids)
        self.request_tokens += len(ids)
        self.prefill_seconds += time.monotonic() - t0

    def generate(
        self,
        allowed: set[int] | Callable[[list[int]], set[int]],
        *,
        max_new_tokens: int = 24,
        cancelled: Callable[[], bool] = lambda: False,
        stop: Callable[[str], bool] = lambda _text: False,
    ) -> Completion:
        """Greedy decoding over ``allowed`` until newline, end of text, ``stop(text)`` or the cap.

        ``allowed`` is a fixed set of ids, or a function of the ids generated so far (a trie of
        phrases); an empty set ends the text.  Afterwards the session can be fed again (the
        next request continues this context): every generated token is in the cache or held
        back in ``pending``.
        """
        if not self.pending:
            raise RuntimeError("feed() some text before generate()")
        t0 = time.monotonic()
        llm, out = self.llm, []
        fixed = None if callable(allowed) else sorted(allowed)
        step_input, stopped = self.pending, "max_tokens"
        for _ in range(max_new_tokens):
            if cancelled():
                stopped = "cancelled"
                break
            choices = fixed if fixed is not None else sorted(allowed(out))  # type: ignore[operator]
            if not set(choices) - llm._eos_ids - llm._newline_ids:  # only the end is left
                stopped = "eos"
                break
            nxt = llm._step(step_input, self.cache, choices)
            step_input = []
            if nxt in llm._eos_ids or nxt in llm._newline_ids:
                stopped = "eos" if nxt in llm._eos_ids else "newline"
                break
            out.append(nxt)
            step_input = [nxt]
            if stop(llm.tokenizer.decode(out)):
                stopped = "stop"
                break
        self.pending = list(step_input)
        self.tokens += len(out)
        seconds = time.monotonic() - t0 + self.prefill_seconds
        self.prefill_seconds, prompt, self.request_tokens = 0.0, self.request_tokens, 0
        return Completion(llm.tokenizer.decode(out), prompt, len(out), seconds, stopped, out)
