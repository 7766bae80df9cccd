"""The policy's categories, read from data/categories.json, and their phrase (lexical) check.

A category applies to a text when one of its phrases occurs (outside its exception phrases), or when every term
list of one of its combinations has a match ("minor_terms" and "sexual_terms"). Hate phrases are also written as
templates over a list of groups ("{group} are vermin"). The semantic side (descriptions, thresholds) is used by
semantic.py in the worker.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.text import SINGLE_WORD_FUZZY_MIN, Entry, Lexicon, Match, Token, pattern_words, spans_overlap

DATA = Path(__file__).resolve().parent / "data" / "categories.json"
AGE_UNDER_18 = "<age under 18>"
PHRASE_FUZZY_MIN = 5  # each word of a longer phrase from this length ("stabed to death")
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
}
_AGE_SUFFIX = re.compile(r"^(\d{1,2})(?:yo|yr|yrs|yearold)$")


@dataclass(frozen=True)
class Category:
    key: str
    group: str
    title: str
    explanation: str
    audience: str  # everyone | teen
    overridable: bool
    descriptions: tuple[str, ...]
    threshold: float
    teen_threshold: float
    contrasts: tuple[str, ...] = ()  # harmless scenes that look alike: the score must beat them by ``margin``
    margin: float = 0.0
    requires: tuple[tuple[str, float], ...] = ()  # other categories' scores this one also needs
    translations: tuple[tuple[str, str, str], ...] = ()  # (language, title, explanation) besides the English

    def text(self, language: str | None) -> tuple[str, str]:
        """(title, explanation) in ``language`` when the data has it, else in English."""
        for code, title, explanation in self.translations:
            if language and language.split("-")[0] == code:
                return title, explanation
        return self.title, self.explanation


@dataclass(frozen=True)
class LexicalHit:
    category: Category
    method: str  # phrase | combination
    detail: str  # the words that matched


@dataclass(frozen=True)
class CategorySet:
    categories: tuple[Category, ...]
    phrases: Lexicon[str]  # payload: category key
    exceptions: dict[str, Lexicon[str]]
    terms: Lexicon[str]  # payload: term list name
    age_lists: frozenset[str]  # term lists that include "a child's age" (12-year-old, aged 9)
    combinations: dict[str, tuple[tuple[str, ...], ...]]

    def get(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)


def _entries(phrases, payload: str) -> list[Entry[str]]:
    out = []
    for phrase in phrases:
        pattern = pattern_words(phrase)
        if pattern:
            fuzzy = SINGLE_WORD_FUZZY_MIN if len(pattern) == 1 else PHRASE_FUZZY_MIN
            out.append(Entry(pattern, payload, fuzzy))
    return out


@lru_cache(maxsize=1)
def category_set() -> CategorySet:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    categories, phrase_entries, exceptions, combinations = [], [], {}, {}
    for item in data["categories"]:
        category = Category(
            key=item["key"],
            group=item["group"],
            title=item["title"],
            explanation=item["explanation"],
            audience=item.get("audience", "everyone"),
            overridable=bool(item.get("overridable", True)),
            descriptions=tuple(item.get("descriptions", ())),
            threshold=float(item.get("threshold", 1.0)),
            teen_threshold=float(item.get("teen_threshold", item.get("threshold", 1.0))),
            contrasts=tuple(item.get("contrasts", ())),
            margin=float(item.get("margin", 0.0)),
            requires=tuple((key, float(value)) for key, value in item.get("requires", {}).items()),
            translations=tuple((code, text["title"], text["explanation"]) for code, text in item.items()
                               if code == "fr" and text.get("title") and text.get("explanation")),
        )
        categories.append(category)
        phrases = list(item.get("phrases", ()))
        for template in item.get("templates", ()):
            phrases.extend(template.format(group=group) for group in item.get("groups", ()))
        phrase_entries.extend(_entries(phrases, category.key))
        exceptions[category.key] = Lexicon(_entries(item.get("exceptions", ()), category.key))
        combinations[category.key] = tuple(tuple(c) for c in item.get("combinations", ()))
    term_entries, age_lists = [], set()
    for name, terms in data.get("term_lists", {}).items():
        if AGE_UNDER_18 in terms:
            age_lists.add(name)
        term_entries.extend(_entries([t for t in terms if t != AGE_UNDER_18], name))
    return CategorySet(
        categories=tuple(categories),
        phrases=Lexicon(phrase_entries),
        exceptions=exceptions,
        terms=Lexicon(term_entries),
        age_lists=frozenset(age_lists),
        combinations=combinations,
    )


def mentions_child_age(items: list[Token]) -> str | None:
    """"12-year-old", "12 years old", "12yo", "aged 9", "a twelve year old": an age under 18, as written."""
    for i, token in enumerate(items):
        age, after = None, i + 1
        if token.text.isdigit() or token.text in _NUMBER_WORDS:
            age = int(token.text) if token.text.isdigit() else _NUMBER_WORDS[token.text]
            if after < len(items) and items[after].text in ("year", "years", "yr", "yrs"):
                if after + 1 < len(items) and items[after + 1].text == "old":
                    return f"{token.text} years old" if age < 18 else None
            if after < len(items) and items[after].text in ("yo", "yearold"):
                return f"{token.text} years old" if age < 18 else None
        elif _AGE_SUFFIX.match(token.text):
            age = int(_AGE_SUFFIX.match(token.text).group(1))
            if age < 18:
                return token.text
        if token.text == "aged" and after < len(items):
            following = items[after].text
            value = int(following) if following.isdigit() else _NUMBER_WORDS.get(following)
            if value is not None and value < 18:
                return f"aged {following}"
    return None


def _outside_exceptions(matches: list[Match[str]], exceptions: list[Match[str]]) -> list[Match[str]]:
    return [m for m in matches if not any(spans_overlap(m, e) for e in exceptions)]


def _words(items: list[Token], match: Match[str]) -> str:
    return " ".join(t.text for t in items[match.start : match.end])


def lexical_hits(items: list[Token], *, keys: list[str]) -> list[LexicalHit]:
    """The categories (among ``keys``, in the data's order) whose phrases or combinations occur in the text."""
    data = category_set()
    wanted = set(keys)
    phrase_matches = data.phrases.find(items)
    term_matches = data.terms.find(items)
    hits: list[LexicalHit] = []
    for category in data.categories:
        if category.key not in wanted:
            continue
        exceptions = data.exceptions[category.key].find(items)
        own = _outside_exceptions([m for m in phrase_matches if m.payload == category.key], exceptions)
        if own:
            hits.append(LexicalHit(category, "phrase", _words(items, own[0])))
            continue
        for combination in data.combinations.get(category.key, ()):
            found: list[str] = []
            for list_name in combination:
                matches = _outside_exceptions([m for m in term_matches if m.payload == list_name], exceptions)
                if matches:
                    found.append(_words(items, matches[0]))
                elif list_name in data.age_lists and mentions_child_age(items):
                    found.append(mentions_child_age(items))
                else:
                    break
            else:
                hits.append(LexicalHit(category, "combination", " + ".join(found)))
                break
    return hits
