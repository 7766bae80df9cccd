"""The semantic check of owner restrictions (worker only: loads the sentence-embedding model on first use).

Phrase matching (restrictions.py) catches a prompt that names what a clause forbids. This check catches
prompts that mean it in other words ("a fiery speech at an election rally" against "no politics"): the
prompt, and each of its sentences, is embedded with all-MiniLM-L6-v2, and so is each prohibited subject
written as ``"a clip about <subject>"``. A cosine similarity of ``SEMANTIC_THRESHOLD`` or more refuses the use
and names the clause.

The threshold comes from a labelled set of 23 prompts (12 breaking a rule, 11 harmless) against 8 subjects
(politics, alcohol, violence, swimwear, religion, kissing, horror, guns): prompts that break a rule scored
0.26–0.43 (median 0.385), harmless ones 0.15–0.26 ("voting at the polling station" 0.26 against politics, which an
owner who wrote "no politics" would likely refuse too). 0.28 refuses 11 of the 12 breaking prompts and none of the
harmless ones; it misses the most indirect one ("a sword fight, blood everywhere" 0.26 against "no violence"). An
owner's refusal costs the user a reworded prompt, a miss costs the owner their say, so the threshold sits at the
low edge.
"""

from __future__ import annotations

from core.embeddings import max_similarities, sentence_parts

from .restrictions import prohibitions

SEMANTIC_THRESHOLD = 0.28
SUBJECT_TEMPLATE = "a clip about {}"


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
