"""The checks of ``fhud --selftest``: each proves one part a packaged app most often lacks.

A check is a function ``(state) -> str`` that returns a one-line detail when it passes
and raises :class:`CheckFailed` (or anything else) with the reason when it does not.
``state`` carries what one check learns for the next (the words heard in the clip).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fhud_app.selftest import layout as files

MAX_WER = 0.25  # tiny.en hears this clip almost perfectly; a broken model hears nothing
MIN_LIT = 0.002  # share of the frame's pixels that must be drawn


class CheckFailed(Exception):
    """A check failed; the message is the one line to print."""


@dataclass
class State:
    layout: files.Layout
    heard: str = ""
    phrases: list[str] = field(default_factory=list)


def _shorten(paths: list) -> str:
    return ", ".join(str(p) for p in paths)


# ---------------------------------------------------------------------- files
def check_files(state: State) -> str:
    absent = files.missing(state.layout)
    if absent:
        raise CheckFailed(f"missing {_shorten(absent)}: the install is incomplete, reinstall fHUD.")
    if sys.platform.startswith("linux"):
        reason = files.load_platform_plugin(state.layout)
        if reason:
            raise CheckFailed(f"the Qt xcb plugin does not load ({reason}): install the xcb "
                              "libraries (see scripts/bootstrap.sh).")  # fmt: skip
    n = len(files.required_files(state.layout))
    return f"{n} files: {len(files.shader_names())} shaders, resources, models, Qt platform plugins"


# ---------------------------------------------------------------------- speech
def word_error_rate(expected: str, heard: str) -> float:
    ref, hyp = _words(expected), _words(heard)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / max(1, len(ref))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def load_clip(state: State) -> tuple[np.ndarray, str]:
    from fhud_app.audio.file_source import load_audio

    clip = state.layout.resources / files.CLIP
    expected = (state.layout.resources / "selftest" / "garden.txt").read_text(encoding="utf-8")
    audio, error = load_audio(clip)
    if error is not None:
        raise CheckFailed(str(error))
    return audio, expected.strip()


def check_speech(state: State) -> str:
    from fhud_app.asr.whisper_engine import load_whisper, transcribe_words
    from fhud_app.core.config import AsrConfig

    cfg = AsrConfig(whisper_model=str(state.layout.whisper))
    audio, expected = load_clip(state)
    model = load_whisper(cfg, cpu_threads=0)
    words = transcribe_words(model, audio, 0.0, cfg)
    state.heard = " ".join(w.text for w in words)
    wer = word_error_rate(expected, state.heard)
    if wer > MAX_WER:
        raise CheckFailed(f"heard {state.heard!r} for {expected!r} ({wer:.0%} word errors).")
    return f"heard {state.heard!r} ({wer:.0%} word errors)"


# ---------------------------------------------------------------------- concepts
def check_concepts(state: State) -> str:
    from fhud_app.concepts.extractor import LlmExtractor
    from fhud_app.concepts.loading import load_llm
    from fhud_app.core.config import LlmConfig
    from fhud_app.core.mlx_gate import MlxGate

    if not state.heard:
        raise CheckFailed("nothing was heard in the clip, so there is nothing to extract from.")
    warnings: list[str] = []
    llm = load_llm("embedded", MlxGate(), hub_model=LlmConfig().hub_model, warn=warnings.append)
    if llm is None:
        raise CheckFailed(warnings[-1] if warnings else "the embedded concept model did not load.")
    result = LlmExtractor(llm).extract(state.heard)
    state.phrases = result.phrases
    if not result.phrases:
        raise CheckFailed(f"{llm.name} found no concept in {state.heard!r} (it said {result.raw!r}).")
    return f"{llm.name}: {', '.join(result.phrases)}"


# ---------------------------------------------------------------------- render
def check_render(state: State) -> str:
    """One HUD frame offscreen (EGL: no window, no X), with the clip's words and concepts."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # glyphs only: Qt never makes a GL context here
    from fhud_app.core.config import Config
    from fhud_app.core.events import Kind, make_event
    from fhud_app.render.headless import OffscreenHud, ensure_gui_app
    from fhud_app.render.particles import ParticleModel
    from fhud_app.render.synthetic import monologue_words

    ensure_gui_app()
    text = state.heard or "a garden of memory"
    words = monologue_words(text)
    end = float(words["end"].max())
    concepts = [make_event(Kind.CONCEPT, id=i + 1, text=p, value=2.0, count=2, start=0.5,
                           emitted_at=end) for i, p in enumerate(state.phrases or ["garden"])]  # fmt: skip
    size = (480, 270)
    model = ParticleModel(Config().render, size=(float(size[0]), float(size[1])))
    hud = OffscreenHud(model, size, ctx=_headless_context())
    try:
        model.consume(np.concatenate([words, *concepts]))
        for frame in range(int((end + 1.0) * 30) + 1):  # a second past the last word, at 30 fps
            model.update(frame / 30)
        hud.render()
        rgba = hud.read_rgba()
    finally:
        hud.release()
    bright = rgba[..., :3].max(axis=2).astype(np.int32)
    lit = float((bright > np.median(bright) + 48).mean())  # drawn over the translucent backdrop
    if lit < MIN_LIT or int(bright.max()) < 128:
        raise CheckFailed(f"the HUD frame is blank ({lit:.2%} of pixels drawn, brightest "
                          f"{int(bright.max())}): the GL driver draws nothing.")  # fmt: skip
    return f"{size[0]}x{size[1]} frame, {lit:.1%} of pixels lit, {_gl_name(hud)}"


def _headless_context() -> Any:
    """EGL where there is one (Linux); macOS has no EGL: its standalone CGL context."""
    if sys.platform != "darwin":
        from fhud_app.render.headless import create_egl_context

        return create_egl_context()
    import moderngl

    return moderngl.create_context(standalone=True, require=410)


def _gl_name(hud: Any) -> str:
    info = getattr(hud.ctx, "info", {}) or {}
    return str(info.get("GL_RENDERER", "EGL"))


# ---------------------------------------------------------------------- sound, hotkey
def check_sound(state: State) -> str:
    try:
        import sounddevice as sd
    except OSError as exc:  # PortAudio is missing
        raise CheckFailed(f"the sound library does not load ({exc}): install PortAudio "
                          "(libportaudio2).") from None  # fmt: skip
    inputs = [d["name"] for d in sd.query_devices() if d.get("max_input_channels", 0) > 0]
    version = sd.get_portaudio_version()[1].split(",")[0]
    if not inputs:
        return f"{version}: no input device on this machine (a pass: nothing to listen to)"
    return f"{version}: {len(inputs)} input device(s), e.g. {inputs[0]!r}"


_LOADERS = {"x11": "load_xlib", "macos": "load_carbon"}


def check_hotkey(state: State) -> str:
    import importlib

    from fhud_app.hud.hotkey import BACKENDS, select_backend

    name = select_backend()
    note = ""
    if name is None:  # no display here: the backend the desktop would use
        name, note = "x11", " (no display here: loaded, not opened)"
    module_name, cls_name = BACKENDS[name]
    module = importlib.import_module(module_name)
    getattr(module, cls_name)
    loader = _LOADERS.get(name)
    if loader is not None:
        lib = getattr(module, loader)()
        if name == "x11" and not note:
            dpy = lib.XOpenDisplay(None)
            if not dpy:
                raise CheckFailed("the X display does not open for the global hotkey.")
            lib.XCloseDisplay(dpy)
            note = f" (display {os.environ.get('DISPLAY')} opened)"
    return f"{name} backend ({cls_name}){note}"
