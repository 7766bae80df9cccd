"""The For-you feed: a ranked page per member, explained with readable reasons.

- ``formula``: the score of a candidate post and the variety rule, with their weights in settings.FEED_WEIGHTS;
  also the engagement counters and ``hot_score`` that every write keeps (feed.services);
- ``candidates``: the bounded candidate set and the member's signals, in plain SQL (the hot path);
- ``ranking``: computing one member's ranking from those;
- ``stored``: a computed ranking as it is kept and served (the cache, each process's own copies, the reasons);
- ``page``: one page, cut from a kept or a new ranking, its posts read with the visibility rule.
"""

from .page import FeedItem, feed_for_you, for_you_page_posts

__all__ = ["FeedItem", "feed_for_you", "for_you_page_posts"]
