"""Owner restrictions on a cameo ("no politics; always wearing a hat"), enforced on prompts.

Each clause separated by ';', ',' or a new line is one rule. Prohibitions ("no X", "never X", "don't X",
"not X"; in French "pas de X", "jamais X", "aucun X", "sans X") are refused when the prompt mentions X. Phrase matching is done here with the text machinery the prompt
policy uses too (core.text: the same normalisation, plurals, possessives and misspellings as the policy's
phrases); the semantic check with the sentence-embedding model (cameos.policy, worker only) uses the same
clauses.
"""

from __future__ import annotations

import re

from core.text import SINGLE_WORD_FUZZY_MIN, normalise, tokens, word_matches, words

_SPLIT = re.compile(r"[;\n,]+")
# English and French: "no politics", "never X", "don't X"; "pas de politique", "pas d'alcool", "jamais de X",
# "jamais X", "aucun X", "sans X", "ne pas X".
_PROHIBITION = re.compile(
    r"^(?:no|never|don'?t|do not|not|nothing|without"
    r"|jamais(?:\s+(?:de|du|des)\b|\s+d')?|pas(?:\s+(?:de|du|des)\b|\s+d')?|aucune?|sans|ne\s+pas)"
    r"\b\s*(?:with\s+|in\s+|about\s+|show(?:ing)?\s+|use\s+|avec\s+|en\s+|dans\s+|sur\s+)?(.+)$",
    re.I,
)
_STOP = {"a", "an", "the", "me", "my", "of", "in", "on", "any", "anything", "as", "at", "to", "be", "being",
         "le", "la", "les", "l", "un", "une", "de", "d", "du", "des", "moi", "mon", "ma", "mes", "en", "au", "aux",
         "avec", "dans", "sur", "quoi", "que", "qui"}


def clauses(restrictions: str) -> list[str]:
    return [c.strip() for c in _SPLIT.split(restrictions or "") if c.strip()]


def prohibitions(restrictions: str) -> list[tuple[str, str]]:
    """[(the clause as written, the prohibited subject)]."""
    out = []
    for clause in clauses(restrictions):
        match = _PROHIBITION.match(normalise(clause))
        if match:
            out.append((clause, match.group(1).strip(" .!")))
    return out


def restriction_violated(*, restrictions: str, prompt: str) -> str | None:
    """The first clause the prompt breaks (as the owner wrote it), or None: every word of the prohibited subject
    occurs in the prompt (in any order)."""
    prompt_tokens = tokens(prompt)
    for clause, subject in prohibitions(restrictions):
        subject_words = [w for w in words(subject) if w not in _STOP]
        if subject_words and all(
            any(word_matches(t, w, fuzzy_min=SINGLE_WORD_FUZZY_MIN) for t in prompt_tokens) for w in subject_words
        ):
            return clause
    return None
