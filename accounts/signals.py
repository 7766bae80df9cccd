"""What accounts tells the layers above it (feed, cameos) when something changes that they act on.

Each signal is sent inside the transaction that makes the change; a higher app connects a one-line receiver in
its ``AppConfig.ready()`` that calls one of its services, so the consequence commits (or rolls back) with the
change itself.
"""

from django.dispatch import Signal

# A follow or a block was made or removed between two members. Keyword arguments: ``user_ids`` (both members).
# The feed's For-you rankings read follows and blocks.
relationship_changed = Signal()

# An unfollow or a block: consent to use each other's cameos may have ended (the ``mutuals`` level; blocks always
# end it). Keyword arguments: ``user_a_id``, ``user_b_id``.
relationship_ended = Signal()

# A guardian chose that nobody but the member under 18 may use their cameos. Keyword arguments: ``user_id``.
cameo_use_narrowed = Signal()
