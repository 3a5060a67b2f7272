"""PyInstaller runtime hook: PyAV (FFmpeg, ~75 MB) is left out of the bundles.

faster-whisper imports ``av`` when it is imported, to decode files it is given by name;
fHUD hands it samples it decoded itself (soundfile), so PyAV is never used.  This hook
makes ``import av`` succeed and any use of it fail with a sentence saying why.
"""

import sys
import types


class _LeftOut(types.ModuleType):
    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise ImportError(f"av.{name}: PyAV is not in the fHUD bundle (fHUD decodes audio with soundfile).")


sys.modules.setdefault("av", _LeftOut("av"))
