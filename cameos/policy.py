"""The semantic check of owner restrictions (worker only: loads the sentence-embedding model on first use).

Phrase matching (restrictions.py) catches a prompt that names what a clause forbids. This check catches
prompts that mean it in other words ("a fiery speech at an election rally" against "no politics"), in English or
French either way round ("pas de politique" against "me debating the president on live television"): the prompt,
and each of its sentences, is embedded with the multilingual model (core.embeddings), and so is each prohibited
subject written as ``"someone doing something involving <subject>"``. A cosine similarity of
``SEMANTIC_THRESHOLD`` or more refuses the use and names the clause.

The threshold and the template come from a labelled set (tests/cameos/test_policy.py): 8 subjects (politics,
alcohol, violence, swimwear, religion, kissing, horror, guns) written as English and as French clauses, against
11 English and 8 French prompts that break one and 11 English and 6 French harmless ones, in all four pairings.
Of the templates tried ("<subject>", "a clip about <subject>", "a video showing …", "someone involved in …"), this
one separates best: breaking prompts score 0.318–0.58, harmless ones at most 0.312 ("moi qui fais des crêpes dans
la cuisine" against "no kissing"). 0.315 refuses every breaking prompt and no harmless one; the gap is narrow, so
an indirect prompt near the line can go either way. An owner's refusal costs the user a reworded prompt, a miss
costs the owner their say, so the threshold sits at the low edge.
"""

from __future__ import annotations

from core.embeddings import max_similarities, sentence_parts

from .restrictions import prohibitions

SEMANTIC_THRESHOLD = 0.315
SUBJECT_TEMPLATE = "someone doing something involving {}"


def restriction_similarities(*, restrictions: str, prompt: str) -> list[tuple[str, float]]:
    """[(clause as written, highest cosine similarity with any part of the prompt)] for every prohibition. The
    prompt is split into sentences and embedded like the prompt policy's check by meaning does."""
    rules = prohibitions(restrictions)
    if not rules or not prompt.strip():
        return []
    similarity = max_similarities(
        texts=sentence_parts(prompt), targets=[SUBJECT_TEMPLATE.format(subject) for _, subject in rules]
    )
    return [(clause, float(score)) for (clause, _), score in zip(rules, similarity)]


def restriction_violated_semantically(*, restrictions: str, prompt: str) -> str | None:
    """The clause the prompt is closest to breaking, if it is at or above the threshold."""
    scored = restriction_similarities(restrictions=restrictions, prompt=prompt)
    if not scored:
        return None
    clause, score = max(scored, key=lambda item: item[1])
    return clause if score >= SEMANTIC_THRESHOLD else None
