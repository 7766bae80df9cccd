"""Explore: what is moving on Riff this week, for anyone (signed in or not) and within the same rules as the feed.

- Trending tags: each tag's public posts of the last EXPLORE_DAYS, each counted with the same decayed velocity
  that ranks trending posts ((1 + engagement) · e^(−age/τ), feed.for_you.formula): the sum of e^(hot_score − now/τ).
- Trending remix chains: the roots with the most remixes published this week.
- Creators worth following: members whose first clip is recent, with the likes their clips got this week, that
  the viewer does not follow or block; each with the reason it is suggested. Members under 18 are suggested only
  to members under 18 (adults are never pointed at teens).
- Challenges: tags staff pinned with a prompt (feed.Challenge).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import Follow, User
from accounts.selectors import blocked_user_ids, teen_birth_date_after, user_is_teen, user_with_counts

from .for_you.formula import time_term
from .models import Challenge, Like, Post, PostTag
from .selectors import posts_for_display

EXPLORE_DAYS = 7
TRENDING_TAGS = 12
TRENDING_CHAINS = 8
CREATORS = 8
NEW_CREATOR_DAYS = 30
MAX_TAG_ROWS = 5000


@dataclass
class TrendingTag:
    name: str
    score: float
    posts: int


def trending_tags(*, now=None, limit: int = TRENDING_TAGS) -> list[TrendingTag]:
    now = now or timezone.now()
    rows = (
        PostTag.objects.filter(created_at__gte=now - timedelta(days=EXPLORE_DAYS), post__state=Post.State.PUBLISHED,
                               post__visibility=Post.Visibility.PUBLIC, post__author__is_active=True)
        .order_by("-created_at")
        .values_list("tag__name", "post__hot_score")[:MAX_TAG_ROWS]
    )
    now_term = time_term(now)
    scores: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for name, hot in rows:
        scores[name] += math.exp(min(hot - now_term, 50.0))
        counts[name] += 1
    ranked = sorted(scores, key=lambda n: (-scores[n], n))[:limit]
    return [TrendingTag(name=n, score=scores[n], posts=counts[n]) for n in ranked]


def trending_chains(*, viewer, now=None, limit: int = TRENDING_CHAINS) -> list[tuple[Post, int]]:
    """(root post, remixes published this week) for the roots remixed most this week that the viewer may see."""
    now = now or timezone.now()
    counted = (
        Post.objects.filter(created_at__gte=now - timedelta(days=EXPLORE_DAYS), state=Post.State.PUBLISHED,
                            root__isnull=False)
        .values("root_id").annotate(n=Count("pk")).order_by("-n", "-root_id")[: limit * 3]
    )
    week = {row["root_id"]: row["n"] for row in counted}
    roots = {p.pk: p for p in posts_for_display(viewer=viewer).filter(pk__in=week)}
    ordered = sorted(roots, key=lambda pk: (-week[pk], -pk))[:limit]
    return [(roots[pk], week[pk]) for pk in ordered]


@dataclass
class Suggestion:
    user: User
    reason: str
    likes_this_week: int


def creators_to_follow(*, viewer, now=None, limit: int = CREATORS) -> list[Suggestion]:
    now = now or timezone.now()
    since = now - timedelta(days=EXPLORE_DAYS)
    firsts = (
        Post.objects.filter(state=Post.State.PUBLISHED, visibility=Post.Visibility.PUBLIC, author__is_active=True)
        .values("author_id").annotate(first=Min("created_at"))
        .filter(first__gte=now - timedelta(days=NEW_CREATOR_DAYS))
    )
    authors = {row["author_id"]: row["first"] for row in firsts}
    signed_in = viewer is not None and viewer.is_authenticated
    if signed_in:
        authors.pop(viewer.pk, None)
        followed = set(Follow.objects.filter(follower_id=viewer.pk).values_list("followee_id", flat=True))
        excluded = followed | blocked_user_ids(user_id=viewer.pk)
        authors = {a: f for a, f in authors.items() if a not in excluded}
    people = user_with_counts().filter(pk__in=authors)
    if not (signed_in and user_is_teen(viewer)):
        people = people.exclude(birth_date__gt=teen_birth_date_after())  # teens are not suggested to adults
    else:
        people = people.filter(birth_date__gt=teen_birth_date_after())  # a teen is suggested other teens only
    people = list(people)
    likes = dict(
        Like.objects.filter(post__author_id__in=[p.pk for p in people], created_at__gte=since,
                            post__state=Post.State.PUBLISHED)
        .values("post__author_id").annotate(n=Count("pk")).values_list("post__author_id", "n")
    )
    via = {}
    if signed_in and people:
        via = dict(
            Follow.objects.filter(follower__in=Follow.objects.filter(follower_id=viewer.pk).values("followee_id"),
                                  followee__in=people)
            .values("followee_id").annotate(n=Count("pk")).values_list("followee_id", "n")
        )
    people.sort(key=lambda p: (-via.get(p.pk, 0), -likes.get(p.pk, 0), -authors[p.pk].timestamp()))
    out = []
    for person in people[:limit]:
        if via.get(person.pk):
            reason = ngettext("Followed by %(n)d person you follow", "Followed by %(n)d people you follow",
                              via[person.pk]) % {"n": via[person.pk]}
        elif likes.get(person.pk):
            reason = ngettext("New on Riff: %(n)d like this week", "New on Riff: %(n)d likes this week",
                              likes[person.pk]) % {"n": likes[person.pk]}
        else:
            reason = gettext("New on Riff this month")
        out.append(Suggestion(user=person, reason=reason, likes_this_week=likes.get(person.pk, 0)))
    return out


def challenges(*, now=None) -> list[Challenge]:
    now = now or timezone.now()
    return list(
        Challenge.objects.filter(active=True).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .select_related("tag", "post")[:6]
    )
