"""Quoted dialogue in a prompt: each line's text, who speaks it, how (the verb), and in which language.

``the coach shouts "again!"``, ``a little girl whispers "look"``, ``"hi," says the old man``, ``Bob: "yes"``,
``la petite fille chuchote « regarde »``. The speaker is the noun of the phrase next to the speech verb; the
phrase's other words ("little", "old", "deep-voiced") describe them, which casting uses to pick a voice.
"""

from __future__ import annotations

import re

from core.voices import detect

from . import vocab

MAX_DIALOGUE_LINES = 6
MAX_LINE_CHARS = 200
MAX_PHRASE_WORDS = 4

_QUOTE_RE = re.compile(r"\"([^\"]+)\"|\u201c([^\u201d]+)\u201d|\u00ab\s*([^\u00bb]+?)\s*\u00bb")
_FRENCH_VERBS = r"dit|demande|crie|s'écrie|hurle|chuchote|murmure|chante|répond|marmonne|annonce|grommelle"
_VERBS = rf"{vocab.SPEECH_VERBS}|whisper|murmurs|murmured|grumbles|grumbled|{_FRENCH_VERBS}"
_WORD = r"@?[^\W\d_][\w'’-]*"
_BEFORE_RE = re.compile(rf"((?:{_WORD}\s+){{0,{MAX_PHRASE_WORDS}}}?)({_VERBS})\s*[,:]?\s*$", re.IGNORECASE)
_NAMED_RE = re.compile(rf"({_WORD})\s*:\s*$")
_AFTER_VERB_FIRST_RE = re.compile(rf"^\s*[,.!?]?\s*({_VERBS})\s+((?:{_WORD}\s*){{1,{MAX_PHRASE_WORDS}}})", re.IGNORECASE)
_AFTER_SPEAKER_FIRST_RE = re.compile(rf"^\s*[,.!?]?\s*((?:{_WORD}\s+){{1,{MAX_PHRASE_WORDS}}}?)({_VERBS})\b",
                                     re.IGNORECASE)
_DETERMINERS = frozenset("the a an this that his her their my le la les l' un une ce cette son sa".split())
_STOP = frozenset(
    "to at with in on into from while and then as but when who which that à au avec dans sur puis et quand qui".split()
)
_NON_SPEAKERS = frozenset(
    {"it", "and", "then", "he", "she", "they", "who", "which", "that", "one", "someone", "everyone", "il", "elle", "on"}
)


def extract_dialogue(prompt: str) -> tuple[list[dict], str]:
    """Quoted lines and the prompt with the quotes removed. Each line is ``{"text", "speaker", "description",
    "delivery", "language"}``: the speaker's word (None when nobody is named), the words describing them, the
    speech verb (None when there is none) and ``"en"`` or ``"fr"`` (detected per line, the prompt's own language
    when the line is too short to tell)."""
    lines: list[dict] = []
    rest: list[str] = []
    cursor = 0
    matches = list(_QUOTE_RE.finditer(prompt))
    for i, match in enumerate(matches):
        before = prompt[cursor:match.start()]
        after_end = matches[i + 1].start() if i + 1 < len(matches) else len(prompt)
        after = prompt[match.end():after_end]
        text = re.sub(r"\s+", " ", next(g for g in match.groups() if g is not None)).strip()[:MAX_LINE_CHARS]
        if text and len(lines) < MAX_DIALOGUE_LINES:
            speaker, description, verb = _speaker(before, after)
            lines.append({"text": text, "speaker": speaker, "description": description,
                          "delivery": verb.lower() if verb else None})
        rest.append(before)
        rest.append(" , ")
        cursor = match.end()
    rest.append(prompt[cursor:])
    remainder = "".join(rest)
    prompt_language = detect(remainder)
    for line in lines:
        line["language"] = detect(line["text"], default=prompt_language)
    return lines, remainder


def _speaker(before: str, after: str) -> tuple[str | None, list[str], str | None]:
    """The speaker's word, the words describing them, and the speech verb.

    An animal or object word is normalised to its kind ("kitten" -> "cat"); people keep their word ("girl",
    "coach") so that two people are two speakers; a name keeps its spelling.
    """
    match = _BEFORE_RE.search(before)
    if match:
        found = _phrase(match.group(1), from_end=True)
        if found:
            return (*found, match.group(2))
    match = _NAMED_RE.search(before)
    if match and match.group(1).lower() not in _NON_SPEAKERS:
        return match.group(1), [], None
    match = _AFTER_VERB_FIRST_RE.search(after)
    if match:
        found = _phrase(match.group(2), from_end=False)
        if found:
            return (*found, match.group(1))
    match = _AFTER_SPEAKER_FIRST_RE.search(after)
    if match:
        found = _phrase(match.group(1), from_end=True)
        if found:
            return (*found, match.group(2))
    return None, [], None


def _phrase(text: str, *, from_end: bool) -> tuple[str, list[str]] | None:
    """The speaker noun and its describing words in a short phrase next to the verb."""
    words = re.findall(_WORD, text)
    if from_end:  # "... and a little girl" -> the words after the last clause break
        for index in range(len(words) - 1, -1, -1):
            if words[index].lower() in _STOP or words[index].endswith((",", ".")):
                words = words[index + 1:]
                break
    else:  # "the old man to the boy" -> the words before the first clause break
        for index, word in enumerate(words):
            if word.lower() in _STOP:
                words = words[:index]
                break
    words = [w for w in words if w.lower() not in _DETERMINERS]
    words = [re.sub(r"^[lL]['’]", "", w) for w in words]
    if not words or words[-1].lower() in _NON_SPEAKERS:
        return None
    kind = vocab.NOUNS.get(words[-1].lower())
    speaker = words[-1] if kind is None else words[-1].lower() if kind == "person" else kind
    return speaker, [w.lower() for w in words]
