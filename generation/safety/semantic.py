"""The check by meaning (worker only: loads the multilingual sentence-embedding model on first use).

Phrases miss paraphrases ("she slowly lets her dress fall to the floor and stands there with nothing on"). Here
the text, each of its sentences and each line of dialogue are embedded, and so is every description of every
category (data/categories.json, written the way a prompt would be); the cosine similarity of the closest pair is
the category's score. Each category also lists contrasts, harmless scenes that look alike ("a boxing match" for
graphic violence, "a couple kissing romantically" for sexual content): a prompt is refused when its score reaches
the category's ``threshold`` (``teen_threshold`` in the strict policy), beats its closest contrast by the
category's ``margin``, and meets the category's ``requires`` (sexual content involving minors also needs a sexual
content score). Categories are tried in the data's order, so the most serious one that applies is the one
reported (unless another is clearly closer, see :func:`semantic_check`).

The model reads English and French alike, so descriptions are written once, in English. The thresholds were set
from the scores of the labelled prompts in tests/safety/test_prompt_table.py and test_prompt_table_fr.py, both
languages together; ``bench/policy_thresholds.py`` prints every score and the figures (the README's "Safety and
moderation" section has them). The same embedding and sentence splitting serve the semantic
check of cameo owners' restrictions (cameos/policy.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from core import embeddings
from core.embeddings import sentence_parts
from core.text import tokens

from .categories import category_set
from .policy import ALLOWED, Situation, Verdict, category_refusal, escalate_for_minor_cameo

_lock = threading.Lock()
_descriptions: tuple[list[tuple[str, str]], np.ndarray] | None = None


def description_matrix() -> tuple[list[tuple[str, str, bool]], np.ndarray]:
    """[(category key, text, is a contrast)] for every description and contrast, and their embeddings, computed
    once per worker process."""
    global _descriptions
    if _descriptions is None:
        rows = [(c.key, d, False) for c in category_set().categories for d in c.descriptions]
        rows += [(c.key, d, True) for c in category_set().categories for d in c.contrasts]
        matrix = embeddings.embed_texts([d for _, d, _ in rows])
        with _lock:
            _descriptions = (rows, matrix)
    return _descriptions


@dataclass(frozen=True)
class Score:
    value: float  # the highest similarity with a description of the category
    description: str
    context: str  # where the closest part was: prompt, remix, dialogue, caption
    contrast: float  # the highest similarity with one of the category's contrasts


def category_scores(*, parts: list[tuple[str, str]]) -> dict[str, Score]:
    """{category key: its Score} for the text's parts (see the module docstring)."""
    rows = [(context, sentence) for context, text in parts for sentence in sentence_parts(text)]
    if not rows:
        return {}
    descriptions, matrix = description_matrix()
    similarity = embeddings.embed_texts([sentence for _, sentence in rows]) @ matrix.T
    best: dict[str, tuple[float, str, str]] = {}
    contrast: dict[str, float] = {}
    for column, (key, text, is_contrast) in enumerate(descriptions):
        row = int(np.argmax(similarity[:, column]))
        value = float(similarity[row, column])
        if is_contrast:
            contrast[key] = max(contrast.get(key, -1.0), value)
        elif key not in best or value > best[key][0]:
            best[key] = (value, text, rows[row][0])
    return {key: Score(v, d, c, contrast.get(key, -1.0)) for key, (v, d, c) in best.items()}


def category_applies(category, scores: dict[str, Score], *, strict: bool) -> bool:
    score = scores.get(category.key)
    if score is None:
        return False
    threshold = category.teen_threshold if strict else category.threshold
    if score.value < threshold or score.value < score.contrast + category.margin:
        return False
    return all(key in scores and scores[key].value >= minimum for key, minimum in category.requires)


def without_exceptions(parts: list[tuple[str, str]], key: str) -> list[tuple[str, str]] | None:
    """The parts with the category's exception phrases taken out ("comic strip" misleads the sexual-content
    descriptions the way it would mislead its phrases), or None when no exception occurs."""
    lexicon = category_set().exceptions.get(key)
    if lexicon is None or not lexicon.entries:
        return None
    changed, out = False, []
    for context, text in parts:
        items = tokens(text)
        spans = lexicon.find(items)
        if spans:
            changed = True
            keep = [t.text for i, t in enumerate(items) if not any(m.start <= i < m.end for m in spans)]
            text = " ".join(keep)
        out.append((context, text))
    return out if changed else None


CLEARLY_CLOSER = 0.15  # a later category names the refusal when it scores this much higher than the first


def semantic_check(*, parts: list[tuple[str, str]], situation: Situation) -> Verdict:
    """The first category (in the data's order) that applies to the text, as a refusal; else allowed. When a
    later category that also applies is clearly closer to the text (by :data:`CLEARLY_CLOSER`), it names the
    refusal instead ("his body is ripped open" is violence, though a nudity description is near enough to apply),
    unless the first is one an operator can never allow."""
    scores = category_scores(parts=parts)
    wanted = set(situation.category_keys())
    applying = []
    for category in category_set().categories:
        if category.key not in wanted:
            continue
        masked = without_exceptions(parts, category.key)
        if masked is not None:
            scores = {**scores, **{k: v for k, v in category_scores(parts=masked).items() if k == category.key}}
        if category_applies(category, scores, strict=situation.strict):
            applying.append(category)
    if not applying:
        return ALLOWED
    chosen = applying[0]
    if chosen.overridable:
        closest = max(applying, key=lambda c: scores[c.key].value)
        if scores[closest.key].value >= scores[chosen.key].value + CLEARLY_CLOSER:
            chosen = closest
    score = scores[chosen.key]
    return category_refusal(
        escalate_for_minor_cameo(chosen, situation),
        context=score.context,
        method="semantic",
        detail=score.description,
        score=round(score.value, 4),
    )
