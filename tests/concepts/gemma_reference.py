"""An independent numpy forward pass of Gemma 3 (text) straight from the GGUF tensors.

Written from the Gemma 3 description (RMSNorm with the GGUF's stored 1+w scale, q/k norms,
RoPE with rotate-half, local layers at base 10k and every sixth layer global at the GGUF's
base, GELU-tanh gated MLP, sandwich norms, embeddings scaled by sqrt(hidden), tied output).
It shares no code with mlx-lm or with the converter's name mapping, so agreement of logits
checks the conversion.  Prompts shorter than the sliding window only.
"""

from __future__ import annotations

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize


class GgufGemma:
    def __init__(self, path: str) -> None:
        reader = GGUFReader(path)
        self.t = {
            t.name: dequantize(t.data, t.tensor_type).astype(np.float32).reshape(
                tuple(int(d) for d in reversed(t.shape))
            )
            for t in reader.tensors
        }

        def field(key: str) -> float:
            return float(reader.fields[key].contents())

        self.layers = int(field("gemma3.block_count"))
        self.heads = int(field("gemma3.attention.head_count"))
        self.kv_heads = int(field("gemma3.attention.head_count_kv"))
        self.head_dim = int(field("gemma3.attention.key_length"))
        self.eps = field("gemma3.attention.layer_norm_rms_epsilon")
        self.global_base = field("gemma3.rope.freq_base")

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        x64 = x.astype(np.float64)
        rms = np.sqrt(np.mean(x64 * x64, axis=-1, keepdims=True) + self.eps)
        return (x64 / rms * self.t[name]).astype(np.float32)

    def _rope(self, x: np.ndarray, base: float) -> np.ndarray:
        n, d = x.shape[-2], x.shape[-1]
        inv = 1.0 / base ** (np.arange(0, d, 2, dtype=np.float64) / d)
        ang = np.arange(n)[:, None] * inv[None, :]
        cos = np.cos(np.concatenate([ang, ang], -1))
        sin = np.sin(np.concatenate([ang, ang], -1))
        half = np.concatenate([-x[..., d // 2 :], x[..., : d // 2]], -1)
        return (x * cos + half * sin).astype(np.float32)

    def _attention(self, x: np.ndarray, i: int) -> np.ndarray:
        p, n, hd = f"blk.{i}.", x.shape[0], self.head_dim
        q = (x @ self.t[p + "attn_q.weight"].T).reshape(n, self.heads, hd).transpose(1, 0, 2)
        k = (x @ self.t[p + "attn_k.weight"].T).reshape(n, self.kv_heads, hd).transpose(1, 0, 2)
        v = (x @ self.t[p + "attn_v.weight"].T).reshape(n, self.kv_heads, hd).transpose(1, 0, 2)
        base = self.global_base if (i + 1) % 6 == 0 else 10_000.0
        q = self._rope(self._norm(q, p + "attn_q_norm.weight"), base)
        k = self._rope(self._norm(k, p + "attn_k_norm.weight"), base)
        rep = self.heads // self.kv_heads
        k, v = np.repeat(k, rep, 0), np.repeat(v, rep, 0)
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(256.0)
        scores = scores + np.triu(np.full((n, n), -np.inf), 1)
        w = np.exp(scores - scores.max(-1, keepdims=True))
        w /= w.sum(-1, keepdims=True)
        out = (w @ v).transpose(1, 0, 2).reshape(n, self.heads * hd)
        return out @ self.t[p + "attn_output.weight"].T

    def _mlp(self, x: np.ndarray, i: int) -> np.ndarray:
        p = f"blk.{i}."
        g = x @ self.t[p + "ffn_gate.weight"].T
        g = 0.5 * g * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (g + 0.044715 * g**3)))
        return (g * (x @ self.t[p + "ffn_up.weight"].T)) @ self.t[p + "ffn_down.weight"].T

    def logits(self, ids: list[int]) -> np.ndarray:
        """Logits of the last position."""
        emb = self.t["token_embd.weight"]
        x = emb[ids] * np.float32(np.sqrt(emb.shape[1]))
        for i in range(self.layers):
            p = f"blk.{i}."
            h = self._attention(self._norm(x, p + "attn_norm.weight"), i)
            x = x + self._norm(h, p + "post_attention_norm.weight")
            h = self._mlp(self._norm(x, p + "ffn_norm.weight"), i)
            x = x + self._norm(h, p + "post_ffw_norm.weight")
        return self._norm(x, "output_norm.weight")[-1] @ emb.T
