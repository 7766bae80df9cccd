"""What the feed does when a layer below tells it something (accounts.signals). Connected in
``FeedConfig.ready()``; each receiver calls one service."""

from .services import feed_signals_changed


def relationship_changed(sender, *, user_ids, **kwargs) -> None:
    feed_signals_changed(user_ids=user_ids)
