"""Steering text -> what to show more of and less of.

"more pets and cooking, less sports" -> more ["pets", "cooking"], less ["sports"]. Words such as *more*, *love*,
*show me* turn the following terms positive; *less*, *fewer*, *no*, *not*, *avoid*, *without*, *no more*
turn them negative; the direction holds until another such word. Terms are separated by commas, "and", "or",
"&", "/" and the direction words themselves. A text without any direction word asks for more of what it names.
French works the same way: "plus de chats, moins de voitures, pas de foot" (*plus de*, *j'aime*, *montre-moi*
positive; *moins de*, *pas de*, *jamais*, *sans*, *trop de* negative; "et", "ou" separate terms).

This is plain text processing that runs in the web process, so reasons ("matches: pets") and a lexical match
work the moment the text is saved; the worker later embeds each term (feed.embeddings.feed_preference_embed).
"""

from __future__ import annotations

import re

from .topics import normalise, term_stems, word_stems

MAX_TEXT = 500
MAX_TERMS = 8
MAX_TERM_CHARS = 40

_TOKEN = re.compile(r"[a-z0-9][a-z0-9'\-]*|[,;.!?&/+\n]")
_ELISION = re.compile(r"\b(l|d|j|m|t|s|n|c|qu)'(?=[a-z])")  # French "d'animaux" is "d" "animaux"
_SEPARATORS = {",", ";", ".", "!", "?", "&", "/", "+", "\n", "and", "or", "but", "plus", "also", "then",
               "et", "ou", "mais", "aussi", "puis"}
_POSITIVE = {"more", "love", "like", "likes", "want", "enjoy", "prefer", "add", "extra",
             "aime", "aimerais", "adore", "veux", "voudrais", "prefere", "ajoute", "davantage", "montre-moi",
             "montrez-moi"}
_NEGATIVE = {"less", "fewer", "no", "not", "avoid", "without", "hide", "stop", "never", "hate", "dislike", "skip", "minus", "nothing", "none",
             "moins", "pas", "jamais", "sans", "evite", "eviter", "cache", "deteste", "aucun", "aucune", "assez", "marre"}
# Two-word openers read as one direction word.
_PHRASES = {
    ("no", "more"): -1,
    ("not", "much"): -1,
    ("don't", "show"): -1,
    ("dont", "show"): -1,
    ("don't", "want"): -1,
    ("dont", "want"): -1,
    ("show", "me"): 1,
    ("give", "me"): 1,
    ("lots", "of"): 1,
    ("plenty", "of"): 1,
    ("tired", "of"): -1,
    ("sick", "of"): -1,
    ("bored", "of"): -1,
    ("bored", "with"): -1,
    # French: "plus de chats, moins de voitures" ("plus" alone stays the English "and").
    ("plus", "de"): 1,
    ("plus", "d"): 1,
    ("plus", "des"): 1,
    ("encore", "plus"): 1,
    ("montre", "moi"): 1,
    ("beaucoup", "de"): 1,
    ("ne", "plus"): -1,
    ("en", "moins"): -1,
    ("trop", "de"): -1,
}
_FILLER = {
    "a", "an", "the", "some", "of", "clip", "clips", "video", "videos", "post", "posts", "stuff", "content", "things",
    "please", "me", "i", "i'm", "im", "show", "see", "about", "with", "any", "very", "much", "so", "to", "in", "my",
    "feed", "really", "just", "too", "lot", "lots", "many", "kind", "kinds", "type", "types", "way", "would", "do",
    "don't", "dont", "is", "are", "be", "it", "that", "this", "those", "these", "for", "on", "at",
    "de", "d", "des", "du", "le", "la", "les", "l", "un", "une", "je", "j", "me", "moi", "mon", "ma", "mes",
    "video", "videos", "trucs", "choses", "s", "il", "vous", "plait", "svp", "fil", "dans", "sur", "en", "tres",
    "vraiment",
}


def steering_parse(text: str) -> tuple[list[str], list[str]]:
    """(more_terms, less_terms), each de-duplicated, at most MAX_TERMS; a term named both ways keeps its last."""
    tokens = _TOKEN.findall(_ELISION.sub(r"\1 ", normalise(text)))
    direction = 1
    order: dict[str, int] = {}
    current: list[str] = []

    def flush() -> None:
        words = [w for w in current if w not in _FILLER]
        current.clear()
        term = " ".join(words).strip(" -'")[:MAX_TERM_CHARS].strip()
        if term:
            order.pop(term, None)
            order[term] = direction

    i = 0
    while i < len(tokens):
        token = tokens[i]
        pair = (token, tokens[i + 1]) if i + 1 < len(tokens) else None
        if pair in _PHRASES:
            flush()
            direction = _PHRASES[pair]
            i += 2
            continue
        if token in _SEPARATORS:
            flush()
        elif token in _POSITIVE:
            flush()
            direction = 1
        elif token in _NEGATIVE:
            flush()
            direction = -1
        else:
            current.append(token)
        i += 1
    flush()
    more = [term for term, sign in order.items() if sign > 0][:MAX_TERMS]
    less = [term for term, sign in order.items() if sign < 0][:MAX_TERMS]
    return more, less


def terms_matching(*, terms: list[str], text: str = "", words: set[str] | None = None) -> list[int]:
    """Indexes of the terms whose every word (stemmed) appears in the text (or in its stems, when given)."""
    if words is None:
        words = word_stems(text)
    matched = []
    for index, term in enumerate(terms):
        stems = term_stems(term)
        if stems and all(s in words for s in stems):
            matched.append(index)
    return matched
