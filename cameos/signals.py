"""What cameos tells the layers above it (generation, which owns jobs, drafts and what they became) when consent
changes. Sent inside the transaction that makes the change; generation's receivers (connected in its
``AppConfig.ready()``) stop the uses that lost consent in that same transaction.
"""

from django.dispatch import Signal

# Consent to use these cameos narrowed: the owner lowered the level, removed an approval or added restrictions, an
# unfollow or a block ended a relationship, or a guardian chose that only a member under 18 may use theirs. Uses
# still in progress (a queued or running job, an unpublished draft) that lost consent must stop. Keyword arguments:
# ``cameo_ids``, and ``user_id``: only that person's uses, or None for everyone's.
consent_narrowed = Signal()

# A cameo is about to be deleted (its ledger rows go with it): every use still in progress stops. Keyword arguments:
# ``cameo_id``, ``removed_by`` (the owner) and ``reason`` for the people whose uses stop: a message id and its values
# (``core.i18n.render``), written to each of them in their own language.
cameo_deleting = Signal()
