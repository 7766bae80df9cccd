from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "feed"
    verbose_name = "Feed"

    def ready(self) -> None:
        from accounts import signals as accounts_signals

        from . import receivers

        accounts_signals.relationship_changed.connect(receivers.relationship_changed, dispatch_uid="feed.relationship_changed")
