"""What the For-you ranking reads about a member: the version of their signals, and the steering text."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from accounts.models import User, new_feed_version
from core.errors import Invalid
from core.tasks import enqueue_on_commit

from ..models import FeedPreference
from ..steering import MAX_TEXT, steering_parse
from ..tasks import embed_preference
from ..topics import topic_for_term


def feed_signals_changed(*, user_ids) -> None:
    """What the For-you ranking reads about these users changed (a like, a view, a follow, a block, the steering
    text or its vectors): their next first page computes a new ranking instead of reusing a kept one
    (feed.for_you.stored, "Serving"). The new version is written to the users' rows (in the caller's transaction where
    there is one, else just after the change, before the answer goes back), so the next request sees it and it is
    never lost to an unreachable cache."""
    ids = {int(user_id) for user_id in user_ids}
    if ids:
        User.objects.filter(pk__in=ids).update(feed_version=new_feed_version())


def feed_preference_set(*, user, text: str) -> FeedPreference:
    """Save what the user wants more or less of. The terms work at once (lexical matching, reasons); the worker
    then embeds them (feed.tasks.embed_preference) and the vectors take over."""
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise Invalid(
            gettext("The text is too long ({length} characters; at most {most}).").format(
                length=len(text), most=MAX_TEXT
            ),
            code="text_too_long",
        )
    more, less = steering_parse(text)
    topics = list(dict.fromkeys(t for t in (topic_for_term(term) for term in more) if t is not None))
    with transaction.atomic():
        preference, _ = FeedPreference.objects.update_or_create(
            user=user,
            defaults={
                "text": text,
                "more_terms": more,
                "less_terms": less,
                "more_vectors": None,
                "less_vectors": None,
                "more_topics": topics,
                "vectors_at": None,
            },
        )
        if more or less:
            enqueue_on_commit(embed_preference, user.pk)
    feed_signals_changed(user_ids=[user.pk])
    return preference
