"""The prompt policy: one place that decides whether a text may be used to make or present a clip.

``prompt_check`` is called for a prompt when a job is created (context ``prompt``, or ``remix`` for a remix;
each quoted line of dialogue is also checked alone, context ``dialogue``) and for a caption when a draft is
published (context ``caption``). The rules, in order:

1. real people (``public_figure``): the text names a listed public figure, and that person's own cameo is not
   among the cameos used with consent;
2. the categories of data/categories.json, in their order: sexual content involving minors (never allowed),
   sexual content, graphic violence, hate, harassment of a person, and for members under 18 (and any prompt
   using the cameo of a member under 18) the teen categories. Sexual content with the cameo of a member under
   18 is judged as sexual content involving a minor.

The web process runs the phrase and name checks only (no model is ever loaded there). ``semantic=True`` — the
worker, when it starts a job — adds the check by meaning (semantic.py, sentence embeddings against each
category's descriptions), which catches paraphrases the phrases miss.

Operators may allow overridable categories for adults with POLICY_ALLOWED_CATEGORIES (members under 18 and
prompts using their cameos always get every category).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from accounts.selectors import user_is_teen
from cameos.models import Cameo
from cameos.selectors import cameo_use_decision
from core.text import tokens

from .categories import Category, category_set, lexical_hits
from .figures import Figure, FigureIndex, figure_index

_QUOTE = re.compile(r"\"([^\"]+)\"|\u201c([^\u201d]+)\u201d")  # the preview backend's dialogue quotes
CONTEXT_SUBJECT = {
    "prompt": _("This prompt"),
    "remix": _("This remix prompt"),
    "dialogue": _("A line of dialogue in this prompt"),
    "caption": _("This caption"),
}
PUBLIC_FIGURE_RULE = "public_figure"
PUBLIC_FIGURE_TITLE = _("Real people")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    rule: str = ""  # public_figure, or a category key (sexual_content, graphic_violence, ...)
    category: str = ""  # real_people, minors, sexual, violence, hate, harassment, teen
    message: str = ""  # a sentence for the person, naming the rule
    context: str = ""  # prompt | remix | dialogue | caption
    method: str = ""  # name | phrase | combination | semantic
    detail: str = ""  # what matched: the name, the words, or the closest description
    score: float | None = None  # cosine similarity (semantic)


ALLOWED = Verdict(allowed=True)


@dataclass
class Situation:
    """Who is asking, and with which cameos: what the rules depend on besides the text."""

    strict: bool = False  # the member is under 18, or a cameo of a member under 18 is used
    minor_cameo: bool = False  # a cameo of a member under 18 is used
    consented_figures: set[int] = field(default_factory=set)  # user ids of figures whose own cameo is used
    author_id: int | None = None
    allowed_categories: frozenset[str] = frozenset()

    def category_keys(self) -> list[str]:
        keys = []
        for category in category_set().categories:
            if category.audience == "teen" and not self.strict:
                continue
            if category.overridable and category.key in self.allowed_categories and not self.strict:
                continue
            keys.append(category.key)
        return keys


def dialogue_lines(text: str) -> list[str]:
    return [re.sub(r"\s+", " ", m.group(1) or m.group(2)).strip() for m in _QUOTE.finditer(text or "")]


def situation_for(*, user, cameo_ids) -> Situation:
    """Read what the rules need: whether the member (or a cameo's owner) is under 18, and which public figures
    take part through their own cameo with consent."""
    situation = Situation(author_id=getattr(user, "pk", None))
    situation.strict = bool(user is not None and user_is_teen(user))
    ids = [int(i) for i in (cameo_ids or [])]
    if ids:
        for cameo in Cameo.objects.select_related("owner").filter(pk__in=ids):
            if user_is_teen(cameo.owner):
                situation.strict = True
                situation.minor_cameo = True
            if cameo.kind == Cameo.Kind.PERSON and user is not None and cameo_use_decision(cameo=cameo, user=user).allowed:
                situation.consented_figures.add(cameo.owner_id)
    if not situation.strict:
        situation.allowed_categories = frozenset(getattr(settings, "POLICY_ALLOWED_CATEGORIES", ()) or ())
    return situation


def figure_refusal(figure: Figure, *, context: str, detail: str) -> Verdict:
    subject = CONTEXT_SUBJECT.get(context, _("This text"))
    return Verdict(
        allowed=False,
        rule=PUBLIC_FIGURE_RULE,
        category="real_people",
        message=gettext(
            "{subject} breaks the rule “{title}”: it names {name}, a public figure. Clips of public figures are made "
            "only with their own cameo, used with their consent."
        ).format(subject=subject, title=PUBLIC_FIGURE_TITLE, name=figure.name),
        context=context,
        method="name",
        detail=detail,
    )


def category_refusal(
    category: Category, *, context: str, method: str, detail: str, score: float | None = None
) -> Verdict:
    subject = CONTEXT_SUBJECT.get(context, _("This text"))
    never = " " + gettext("This is never allowed.") if not category.overridable and category.audience == "everyone" else ""
    title, explanation = category.text(get_language())
    return Verdict(
        allowed=False,
        rule=category.key,
        category=category.group,
        message=gettext("{subject} breaks the rule “{title}”: {explanation}").format(
            subject=subject, title=title, explanation=explanation) + never,
        context=context,
        method=method,
        detail=detail[:300],
        score=score,
    )


def escalate_for_minor_cameo(category: Category, situation: Situation) -> Category:
    """Sexual content with the cameo of a member under 18 is sexual content involving a minor."""
    if situation.minor_cameo and category.group == "sexual":
        return category_set().get("minors_sexual") or category
    return category


def _lexical(text: str, *, context: str, situation: Situation, figures: FigureIndex) -> Verdict:
    items = tokens(text)
    if not items:
        return ALLOWED
    for figure, match in figures.find(items):
        if figure.user_id is not None and (
            figure.user_id in situation.consented_figures or figure.user_id == situation.author_id
        ):
            continue
        return figure_refusal(figure, context=context, detail=" ".join(t.text for t in items[match.start : match.end]))
    hits = lexical_hits(items, keys=situation.category_keys())
    if hits:
        hit = hits[0]
        return category_refusal(
            escalate_for_minor_cameo(hit.category, situation), context=context, method=hit.method, detail=hit.detail
        )
    return ALLOWED


def text_parts(*, text: str, context: str) -> list[tuple[str, str]]:
    """(context, text) pairs to check: each line of dialogue alone, then the whole text."""
    parts = []
    if context in ("prompt", "remix"):
        parts = [("dialogue", line) for line in dialogue_lines(text) if line]
    parts.append((context, text))
    return parts


def prompt_check(
    *, text: str, user, cameo_ids=(), context: str = "prompt", semantic: bool = False, situation: Situation | None = None
) -> Verdict:
    """Allowed, or the first rule the text breaks (see the module docstring). ``semantic`` loads the
    sentence-embedding model: pass it only in the worker."""
    if context not in CONTEXT_SUBJECT:
        raise ValueError(f"unknown policy context {context!r}")
    situation = situation or situation_for(user=user, cameo_ids=cameo_ids)
    parts = text_parts(text=text, context=context)
    figures = figure_index()
    for part_context, part in parts:
        verdict = _lexical(part, context=part_context, situation=situation, figures=figures)
        if not verdict.allowed:
            return verdict
    if semantic:
        from .semantic import semantic_check

        return semantic_check(parts=parts, situation=situation)
    return ALLOWED
