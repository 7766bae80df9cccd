"""Writes for members: accounts and profiles, follows and blocks, suspensions, members under 18 and their
guardians, and notifications."""

from .closing import member_accounts_erase, member_anonymise, member_close, member_reopen, tombstone_handle
from .credentials import (
    password_change,
    password_reset_send,
    password_was_reset,
    session_ended,
    session_rekeyed,
    session_revoke,
    session_started,
    session_touch,
    sign_out_everywhere,
    token_revoke,
    token_touch,
    user_token,
)
from .members import BIRTH_DATE_REQUIRED, user_set_avatar, user_signup, user_update_profile
from .notifications import notification_create, notification_text, notifications_mark_read
from .relationships import block_create, block_delete, follow_create, follow_delete
from .suspension import user_check_not_suspended, user_lift_suspension, user_suspend
from .teens import guardian_accept, guardian_end, guardian_invite, teen_limits_update, watch_time_add

__all__ = [
    "member_accounts_erase",
    "member_anonymise",
    "member_close",
    "member_reopen",
    "tombstone_handle",
    "BIRTH_DATE_REQUIRED",
    "block_create",
    "block_delete",
    "follow_create",
    "follow_delete",
    "guardian_accept",
    "guardian_end",
    "guardian_invite",
    "notification_create",
    "notification_text",
    "notifications_mark_read",
    "password_change",
    "password_reset_send",
    "password_was_reset",
    "session_ended",
    "session_rekeyed",
    "session_revoke",
    "session_started",
    "session_touch",
    "sign_out_everywhere",
    "token_revoke",
    "token_touch",
    "teen_limits_update",
    "user_check_not_suspended",
    "user_lift_suspension",
    "user_set_avatar",
    "user_signup",
    "user_suspend",
    "user_token",
    "user_update_profile",
    "watch_time_add",
]
