"""Writes of the prompt policy: the refusal log, enforcement at job creation and publication, and the slow-down of
members who are refused again and again."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import ngettext

from core.errors import LimitReached, Refused

from ..models import PolicyRefusal
from .policy import Verdict, prompt_check


def policy_refusal_create(*, user, text: str, verdict: Verdict, stage: str, job=None) -> PolicyRefusal:
    """Log one refusal for moderators (who, what, which rule). Written outside the request's transaction so it
    stays when the request is refused."""
    return PolicyRefusal.objects.create(
        user=user,
        text=(text or "")[:2000],
        rule=verdict.rule[:60],
        category=verdict.category[:40],
        context=verdict.context or PolicyRefusal.Context.PROMPT,
        stage=stage,
        method=verdict.method[:20],
        detail=verdict.detail[:300],
        score=verdict.score,
        job=job,
    )


def policy_slowdown_until(*, user, now: datetime | None = None) -> datetime | None:
    """When a member refused POLICY_SLOWDOWN_REFUSALS times within POLICY_SLOWDOWN_WINDOW_MIN may generate again
    (None: they may now). The window slides: it clears when the oldest of those refusals leaves it."""
    limit = settings.POLICY_SLOWDOWN_REFUSALS
    if limit <= 0:
        return None
    now = now or timezone.now()
    window = timedelta(minutes=settings.POLICY_SLOWDOWN_WINDOW_MIN)
    recent = list(
        PolicyRefusal.objects.filter(user_id=user.pk, created_at__gt=now - window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    return recent[-1] + window


def policy_check_slowdown(*, user) -> None:
    """429 while the member is slowed down, with the time it ends."""
    until = policy_slowdown_until(user=user)
    if until is None:
        return
    minutes = max(1, round((until - timezone.now()).total_seconds() / 60))
    raise LimitReached(
        ngettext(
            "Several of your recent prompts were refused by the content rules, so new generations are paused for "
            "{minutes} minute (until {until} UTC).",
            "Several of your recent prompts were refused by the content rules, so new generations are paused for "
            "{minutes} minutes (until {until} UTC).",
            minutes,
        ).format(minutes=minutes, until=f"{until:%H:%M}"),
        code="policy_slowdown",
        extra={"limit": "policy_slowdown", "resets_at": until.isoformat()},
    )


class PolicyRefused(Refused):
    """A text the prompt policy refused (422); ``verdict`` names the rule, the category and what matched."""

    def __init__(self, verdict: Verdict):
        extra = {"rule": verdict.rule, "category": verdict.category, "context": verdict.context}
        super().__init__(verdict.message, code="policy_refused", extra=extra)
        self.verdict = verdict


def policy_enforce(*, user, text: str, context: str, cameo_ids=(), stage: str = PolicyRefusal.Stage.CREATE) -> None:
    """Check a text with the web process's checks (names and phrases). A refusal is logged and raised as a 422
    naming the rule; nothing else happens."""
    verdict = prompt_check(text=text, user=user, cameo_ids=cameo_ids, context=context)
    if verdict.allowed:
        return
    policy_refusal_create(user=user, text=text, verdict=verdict, stage=stage)
    raise PolicyRefused(verdict)


def policy_restriction_refusal_create(*, user, text: str, detail: str, context: str, stage: str, job=None) -> None:
    """A cameo owner's restriction refused the prompt (cameos.restrictions / cameos.policy): logged like the
    policy's own refusals."""
    verdict = Verdict(
        allowed=False, rule="cameo_restriction", category="cameo", context=context, method="restriction", detail=detail
    )
    policy_refusal_create(user=user, text=text, verdict=verdict, stage=stage, job=job)
