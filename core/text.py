"""Text normalisation and robust phrase matching, shared by the prompt policy (names of public figures, category
phrases) and by the owners' cameo restrictions.

A text becomes a list of tokens: accents stripped (NFKD), lower case, French elisions split ("l'amour" is "l"
"amour"), possessives dropped ("Obama's", "Obamas'"), apostrophes inside words removed ("O'Neal" -> "oneal"),
hyphens, dots and underscores splitting words ("Jay-Z" -> "jay z", "@taylor_swift" -> "taylor swift"), digits
read as letters inside words ("p0rn" -> "porn"), and runs of three or more single letters joined ("p o r n",
"p.o.r.n" -> "porn").

A pattern word matches a token when it is the same word, a plural of it ("kids", "parties"), a prefix match (a
pattern ending in ``*``), or a small misspelling: a Damerau-Levenshtein distance of 1 (2 for words of 10 letters or
more) between words that also share their Soundex key (which keeps "bidet" from matching "biden" and "beheld"
from matching "behead"). Misspellings count only for long enough words: ``fuzzy_min`` letters in both.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, Iterable, TypeVar

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_TOKEN = re.compile(r"(@?)([A-Za-z0-9]+(?:'[A-Za-z0-9]+)*'?)")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})
MENTION = "@mention"  # a pattern word that matches any @handle
# A one-word phrase matches misspellings only from this length ("decapitated"): shorter words collide with everyday
# ones ("messy"/Messi, "lunched"/"lynched"). The prompt policy's phrases and owners' restrictions both use it.
SINGLE_WORD_FUZZY_MIN = 8

T = TypeVar("T")


def strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def normalise(text: str) -> str:
    """Accents stripped, lower case, straight apostrophes (the form every comparison starts from)."""
    return strip_accents(text or "").translate(_APOSTROPHES).lower()


@dataclass(frozen=True)
class Token:
    text: str  # normalised word
    alt: str  # the word with digits read as letters ("s3x" -> "sex"); equal to text when nothing changed
    capital: bool  # written with a leading capital letter
    mention: bool  # part of an @handle


def _word(raw: str) -> str:
    word = raw.lower()
    if word.endswith("'s"):
        word = word[:-2]
    return word.replace("'", "")


# French elisions: "l'amour", "d'un", "qu'il", "j'ai" are two words ("l" "amour"), not one ("lamour").
_ELISIONS = frozenset({"l", "d", "j", "m", "t", "s", "n", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"})


def _elided(raw: str) -> tuple[str, str] | None:
    """("l", "amour") for "l'amour"; None for anything else ("Obama's", "don't")."""
    head, _, rest = raw.partition("'")
    if head.lower() in _ELISIONS and rest[:1].isalpha() and "'" not in rest:
        return head, rest
    return None


def tokens(text: str) -> list[Token]:
    """The words of ``text`` as tokens (see the module docstring)."""
    source = strip_accents(text or "").translate(_APOSTROPHES)
    out: list[Token] = []
    for match in _TOKEN.finditer(source):
        at, raw = match.group(1), match.group(2)
        mention = bool(at) or (bool(out) and out[-1].mention and source[match.start() - 1 : match.start()] in "_.")
        for part in _elided(raw) or (raw,):
            word = _word(part)
            if not word:
                continue
            alt = word.translate(_LEET) if (any(c.isdigit() for c in word) and any(c.isalpha() for c in word)) else word
            out.append(Token(word, alt, part[:1].isupper(), mention))
    return _join_spelled_out(out)


def _join_spelled_out(items: list[Token]) -> list[Token]:
    """"p o r n" -> "porn": runs of three or more single letters become one word."""
    result: list[Token] = []
    run: list[Token] = []

    def flush() -> None:
        if len(run) >= 3:
            word = "".join(t.text for t in run)
            result.append(Token(word, word, run[0].capital, False))
        else:
            result.extend(run)
        run.clear()

    for token in items:
        if len(token.text) == 1 and token.text.isalpha():
            run.append(token)
        else:
            flush()
            result.append(token)
    flush()
    return result


def words(text: str) -> list[str]:
    """The normalised words of a name, a phrase or a restriction."""
    return [t.text for t in tokens(text)]


def pattern_words(phrase: str) -> tuple[str, ...]:
    """A data phrase as pattern words: normalised like text, keeping a trailing ``*`` (prefix) and ``@mention``."""
    out: list[str] = []
    for piece in (phrase or "").split():
        if piece == MENTION:
            out.append(MENTION)
            continue
        star = piece.endswith("*")
        parts = words(piece.rstrip("*"))
        if parts and star:
            parts[-1] += "*"
        out.extend(parts)
    return tuple(out)


# --- word comparison ---------------------------------------------------------------------------------------


def soundex(word: str) -> str:
    """American Soundex (letters only; other characters are skipped)."""
    codes = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"), **dict.fromkeys("dt", "3"), "l": "4",
             **dict.fromkeys("mn", "5"), "r": "6"}
    letters = [c for c in word.lower() if "a" <= c <= "z"]
    if not letters:
        return ""
    key, previous = letters[0].upper(), codes.get(letters[0], "")
    for c in letters[1:]:
        code = codes.get(c, "")
        if code and code != previous:
            key += code
            if len(key) == 4:
                break
        if c not in "hw":
            previous = code
    return (key + "000")[:4]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), or ``limit + 1`` as soon as it must exceed it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if a == b:
        return 0
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        best = current[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_edits(length: int) -> int:
    return 1 if length < 10 else 2


@lru_cache(maxsize=65536)
def close(a: str, b: str, fuzzy_min: int) -> bool:
    """A small misspelling of each other: both at least ``fuzzy_min`` letters, alphabetic, the same Soundex key,
    and within 1 edit (2 from 10 letters)."""
    if fuzzy_min <= 0 or min(len(a), len(b)) < fuzzy_min or not (a.isalpha() and b.isalpha()):
        return False
    if soundex(a) != soundex(b):
        return False
    return edit_distance(a, b, allowed_edits(min(len(a), len(b)))) <= allowed_edits(min(len(a), len(b)))


def same_word(a: str, b: str) -> bool:
    """Equal, or one is a plural of the other ("kid"/"kids", "party"/"parties", "beach"/"beaches")."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if len(short) < 3:
        return False
    return long_ in (short + "s", short + "es") or (short.endswith("y") and long_ == short[:-1] + "ies")


def word_matches(token: Token, pattern: str, *, fuzzy_min: int, plurals: bool = True) -> bool:
    """Does ``token`` stand for the pattern word? (``word*`` is a prefix; ``@mention`` any handle.)"""
    if pattern == MENTION:
        return token.mention
    if pattern.endswith("*"):
        prefix = pattern[:-1]
        for form in {token.text, token.alt}:
            if form.startswith(prefix):
                return True
            if fuzzy_min and len(prefix) >= max(fuzzy_min, 8) and len(form) >= len(prefix):
                if close(form[: len(prefix)], prefix, fuzzy_min) or close(form[: len(prefix) + 1], prefix, fuzzy_min):
                    return True
        return False
    for form in {token.text, token.alt}:
        if form == pattern:
            return True
        if same_word(form, pattern):
            if plurals:
                return True
            continue  # a plural is a different word here, not a misspelling ("cooks" is not "Cook")
        if close(form, pattern, fuzzy_min):
            return True
    return False


# --- a set of phrases, indexed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry(Generic[T]):
    words: tuple[str, ...]
    payload: T
    fuzzy_min: int  # 0: exact words only
    capital_only: bool = False  # every word must be written with a capital and exactly
    plurals: bool = True  # "kids" for "kid" (off for names of several words: "Tim cooks" is not Tim Cook)


@dataclass(frozen=True)
class Match(Generic[T]):
    start: int  # token index
    end: int  # one past the last token
    entry: Entry[T]

    @property
    def payload(self) -> T:
        return self.entry.payload


def _deletions(word: str, depth: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


class Lexicon(Generic[T]):
    """Phrases (sequences of pattern words) found in token lists. The first word is looked up through an index:
    exact forms, prefixes by their first two letters, and misspellings through their deletion neighbourhood
    (the SymSpell idea: two words within one edit share a word with one letter deleted), so a prompt is matched
    against thousands of phrases in well under a millisecond per word."""

    def __init__(self, entries: Iterable[Entry[T]]):
        self.entries: list[Entry[T]] = [e for e in entries if e.words]
        self._exact: dict[str, list[Entry[T]]] = {}
        self._prefix: dict[str, list[Entry[T]]] = {}
        self._fuzzy: dict[str, list[Entry[T]]] = {}
        self._mention: list[Entry[T]] = []
        for entry in self.entries:
            first = entry.words[0]
            if first == MENTION:
                self._mention.append(entry)
            elif first.endswith("*"):
                self._prefix.setdefault(first[:2], []).append(entry)
            else:
                forms = {first}
                if entry.plurals:
                    forms |= {first + "s", first + "es"}
                    if first.endswith("y"):
                        forms.add(first[:-1] + "ies")
                    if first.endswith("s"):
                        forms.add(first[:-1])
                    if first.endswith("es"):
                        forms.add(first[:-2])
                    if first.endswith("ies"):
                        forms.add(first[:-3] + "y")
                for form in forms:
                    self._exact.setdefault(form, []).append(entry)
                if entry.fuzzy_min and len(first) >= entry.fuzzy_min and first.isalpha() and not entry.capital_only:
                    for variant in _deletions(first, allowed_edits(len(first))):
                        self._fuzzy.setdefault(variant, []).append(entry)

    def _candidates(self, token: Token) -> list[Entry[T]]:
        found: dict[int, Entry[T]] = {}
        for form in {token.text, token.alt}:
            for entry in self._exact.get(form, ()):
                found[id(entry)] = entry
            for entry in self._prefix.get(form[:2], ()):
                found[id(entry)] = entry
            if form.isalpha() and len(form) >= 4:
                for variant in _deletions(form, allowed_edits(len(form))):
                    for entry in self._fuzzy.get(variant, ()):
                        found[id(entry)] = entry
        if token.mention:
            for entry in self._mention:
                found[id(entry)] = entry
        return list(found.values())

    def _matches_at(self, items: list[Token], start: int, entry: Entry[T]) -> bool:
        if start + len(entry.words) > len(items):
            return False
        for offset, pattern in enumerate(entry.words):
            token = items[start + offset]
            if entry.capital_only:
                if not (token.capital and token.text == pattern):
                    return False
            elif not word_matches(token, pattern, fuzzy_min=entry.fuzzy_min, plurals=entry.plurals):
                return False
        return True

    def find(self, items: list[Token]) -> list[Match[T]]:
        """Every occurrence of every phrase, in text order."""
        found: list[Match[T]] = []
        for start, token in enumerate(items):
            for entry in self._candidates(token):
                if self._matches_at(items, start, entry):
                    found.append(Match(start, start + len(entry.words), entry))
        return found


def spans_overlap(a: Match, b: Match) -> bool:
    return a.start < b.end and b.start < a.end
