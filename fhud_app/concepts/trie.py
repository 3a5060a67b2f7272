"""Constrained decoding over a list of candidate phrases (Qt-free).

The model may only spell candidate phrases, separated by a comma, each at most once, and may
end the list after any complete phrase.  :meth:`PhraseTrie.allowed` gives the token ids that
may come next after the ids generated so far; :meth:`PhraseTrie.phrases` reads the finished
output back as candidate names.  Every candidate is spelled by one or more token paths (the
phrase as said, and lower-cased), all leading back to the same name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


class PhraseTrie:
    def __init__(
        self,
        spellings: Iterable[tuple[str, list[int]]],
        sep: int,
        end: Iterable[int],
        *,
        max_phrases: int = 4,
    ) -> None:
        """``spellings``: (candidate name, token ids of one way to spell it) pairs."""
        self.sep = sep
        self.end = frozenset(end)
        self.max_phrases = max_phrases
        self.paths: dict[tuple[int, ...], str] = {}
        for name, ids in spellings:
            if ids and sep not in ids:
                self.paths.setdefault(tuple(ids), name)

    def __len__(self) -> int:
        return len(set(self.paths.values()))

    def _split(self, out: list[int]) -> tuple[list[tuple[int, ...]], tuple[int, ...]]:
        done: list[tuple[int, ...]] = []
        cur: list[int] = []
        for t in out:
            if t == self.sep:
                done.append(tuple(cur))
                cur = []
            else:
                cur.append(t)
        return done, tuple(cur)

    def allowed(self, out: list[int]) -> set[int]:
        """The ids that may follow ``out``: a phrase's next token, or after a complete phrase a
        comma or the end of the list."""
        done, cur = self._split(out)
        used = {self.paths.get(p) for p in done}
        nxt: set[int] = set()
        n = len(cur)
        for path, name in self.paths.items():
            if name in used or len(path) <= n or path[:n] != cur:
                continue
            nxt.add(path[n])
        if not cur:
            return nxt | set(self.end)  # the list may end (or be empty)
        if cur in self.paths:
            more = len(done) + 1 < self.max_phrases and len(used | {self.paths[cur]}) < len(self)
            nxt |= set(self.end) | ({self.sep} if more else set())
        return nxt

    def phrases(self, out: list[int]) -> list[str]:
        """The candidate names spelled by ``out`` (complete phrases only, in order)."""
        done, cur = self._split(out)
        names = [self.paths.get(p) for p in [*done, cur]]
        return list(dict.fromkeys(n for n in names if n))

    def full(self, out: list[int]) -> bool:
        """True when ``out`` holds ``max_phrases`` complete phrases (nothing more may come)."""
        return len(self.phrases(out)) >= self.max_phrases and not self.allowed(out) - self.end


def build_trie(
    names: dict[str, list[str]],
    encode: Callable[[str], list[int]],
    sep: int,
    end: Iterable[int],
    *,
    max_phrases: int = 4,
) -> PhraseTrie:
    """A trie over ``{name: [spellings]}``; each spelling is encoded after a space, as the model
    writes a list item after "Phrases:" or ", "."""
    pairs = [(name, encode(" " + s)) for name, spells in names.items() for s in spells]
    return PhraseTrie(pairs, sep, end, max_phrases=max_phrases)
