"""The list of public figures: the shipped data file merged with the rows staff keep in the admin.

Every name and alias is matched robustly (text.py): a name of several words allows a small misspelling in each
word of four letters or more ("Tayler Swfit", "Elon Muks"); a single-word alias only from eight letters
("Schwarzeneger"), since shorter words collide with everyday ones ("messy" for Messi, "macaron" for Macron);
common misspellings of short names are listed as aliases instead. Every name of several words also matches
written as one word ("#taylorswift", "@elonmusk"). ``capitalised_aliases`` are everyday words as well as names
("Drake", "Madonna"): they count only as written, with a capital letter, and never inside one of the entry's
``exceptions`` ("Francis Drake").

The merged list is compiled once per process and rebuilt when the admin rows change (their count and latest
change time are read with one query per check).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from core.text import Entry, Lexicon, Match, Token, spans_overlap, words

DATA = Path(__file__).resolve().parent / "data" / "public_figures.json"
NAME_FUZZY_MIN = 4
ALIAS_FUZZY_MIN = 8


@dataclass(frozen=True)
class Figure:
    key: str  # the normalised name
    name: str
    field: str
    user_id: int | None = None  # the person's own account (verified by staff)


@dataclass
class FigureIndex:
    figures: dict[str, Figure]
    names: Lexicon[str]  # payload: figure key
    exceptions: Lexicon[str] = field(default_factory=lambda: Lexicon([]))

    def find(self, items: list[Token]) -> list[tuple[Figure, Match[str]]]:
        """The figures named in the text, each once, in text order."""
        excluded = self.exceptions.find(items)
        seen: set[str] = set()
        found = []
        for match in self.names.find(items):
            if any(e.payload == match.payload and spans_overlap(match, e) for e in excluded):
                continue
            if match.payload not in seen:
                seen.add(match.payload)
                found.append((self.figures[match.payload], match))
        return found


def figure_key(name: str) -> str:
    return " ".join(words(name))


@lru_cache(maxsize=1)
def shipped_figures() -> tuple[dict, ...]:
    return tuple(json.loads(DATA.read_text(encoding="utf-8"))["figures"])


def _entries(key: str, name: str, aliases: list[str], capitalised: list[str]) -> list[Entry[str]]:
    out: list[Entry[str]] = []
    capital_forms = {tuple(words(a)) for a in capitalised}
    for alias in [name, *aliases]:
        pattern = tuple(words(alias))
        if not pattern or pattern in capital_forms:
            continue
        if len(pattern) == 1:
            out.append(Entry(pattern, key, ALIAS_FUZZY_MIN))
        else:
            out.append(Entry(pattern, key, NAME_FUZZY_MIN, plurals=False))
            joined = "".join(pattern)
            if len(joined) >= 6:
                out.append(Entry((joined,), key, ALIAS_FUZZY_MIN))
    for alias in capitalised:
        pattern = tuple(words(alias))
        if pattern:
            out.append(Entry(pattern, key, 0, capital_only=True))
    return out


def build_index(rows: list[dict]) -> FigureIndex:
    """``rows``: the admin's PublicFigure rows as dicts (name, aliases, field, active, user_id, username)."""
    merged: dict[str, dict] = {}
    for item in shipped_figures():
        merged[figure_key(item["name"])] = {
            "name": item["name"],
            "aliases": list(item.get("aliases", ())),
            "capitalised": list(item.get("capitalised_aliases", ())),
            "exceptions": list(item.get("exceptions", ())),
            "field": item.get("field", "other"),
            "user_id": None,
            "active": True,
        }
    for row in rows:
        key = figure_key(row["name"])
        if not key:
            continue
        entry = merged.setdefault(
            key,
            {"name": row["name"], "aliases": [], "capitalised": [], "exceptions": [], "field": row["field"],
             "user_id": None, "active": True},
        )
        entry["aliases"] += [a for a in row["aliases"] if a]
        if row.get("username") and len(row["username"]) >= 4:
            entry["aliases"].append(row["username"])
        entry["user_id"] = row.get("user_id")
        entry["active"] = row.get("active", True)
    figures: dict[str, Figure] = {}
    name_entries: list[Entry[str]] = []
    exception_entries: list[Entry[str]] = []
    for key, item in merged.items():
        if not item["active"]:
            continue
        figures[key] = Figure(key=key, name=item["name"], field=item["field"], user_id=item["user_id"])
        name_entries += _entries(key, item["name"], item["aliases"], item["capitalised"])
        exception_entries += [Entry(tuple(words(p)), key, 0) for p in item["exceptions"] if words(p)]
    return FigureIndex(figures=figures, names=Lexicon(name_entries), exceptions=Lexicon(exception_entries))


_lock = threading.Lock()
_cached: tuple[tuple, FigureIndex] | None = None


def figure_index() -> FigureIndex:
    """The merged list, rebuilt only when the admin rows changed."""
    global _cached
    from django.db.models import Count, Max

    from ..models import PublicFigure

    state = PublicFigure.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    version = (state["n"], state["changed"])
    with _lock:
        if _cached is not None and _cached[0] == version:
            return _cached[1]
    rows = [
        {
            "name": f.name,
            "aliases": f.alias_list(),
            "field": f.field,
            "active": f.active,
            "user_id": f.user_id,
            "username": f.user.username if f.user_id else "",
        }
        for f in PublicFigure.objects.select_related("user")
    ]
    index = build_index(rows)
    with _lock:
        _cached = (version, index)
    return index
