"""Nothing leaves the machine: the switches that keep third-party libraries from phoning home.

Measured (strace, 2026-12): ``import onnxruntime`` (1.2x+, Linux included; faster-whisper's
Silero VAD loads it) starts a background thread that, about ten seconds later, looks up
``mobile.events.data.microsoft.com`` to upload usage events.  ``onnxruntime.disable_telemetry_events()``
does not stop it; only ``ORT_DISABLE_TELEMETRY=1`` in the environment *before the import* does.
huggingface_hub (and transformers through it) reads ``HF_HUB_DISABLE_TELEMETRY`` at import.
``DO_NOT_TRACK`` is the cross-tool convention (huggingface_hub honours it too).

These are environment variables because that is the only switch these libraries read; they
are set explicitly, by :func:`disable_telemetry`, at the two places that can import them
first: the command line's ``main`` and the VAD loader.  They are forced, not defaulted: no
configuration of fHUD sends usage data.
"""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)

TELEMETRY_OFF = {
    "ORT_DISABLE_TELEMETRY": "1",  # onnxruntime (the Silero VAD of faster-whisper)
    "HF_HUB_DISABLE_TELEMETRY": "1",  # huggingface_hub, transformers
    "DO_NOT_TRACK": "1",  # the common convention, honoured by huggingface_hub and others
}
_READ_AT_IMPORT = {"ORT_DISABLE_TELEMETRY": "onnxruntime", "HF_HUB_DISABLE_TELEMETRY": "huggingface_hub"}


def disable_telemetry() -> list[str]:
    """Set every switch in :data:`TELEMETRY_OFF`; the libraries already imported too early
    for their switch to count (logged: a bug to fix in the caller's import order)."""
    late = sorted(mod for var, mod in _READ_AT_IMPORT.items()
                  if mod in sys.modules and os.environ.get(var) != TELEMETRY_OFF[var])  # fmt: skip
    os.environ.update(TELEMETRY_OFF)
    for module in late:
        log.warning("%s was imported before its telemetry switch was set", module)
    return late
