from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.authtoken.models import Token

from config.api import ApiError

from .models import Block, Follow, Guardianship, User
from .selectors import age_on, guardianship_of, is_blocked_between, user_is_teen, user_suspended_until

BIRTH_DATE_REQUIRED = "Enter your birth date: Riff uses it to apply the protections for members under 18."


def _birth_date_errors(birth_date) -> list[str]:
    if birth_date is None:
        return []
    today = timezone.localdate()
    if birth_date > today:
        return ["The birth date is in the future."]
    age = age_on(birth_date=birth_date, day=today)
    if age > 120:
        return ["Check the birth date: it is more than 120 years ago."]
    if age < settings.MIN_SIGNUP_AGE:
        return [f"You must be at least {settings.MIN_SIGNUP_AGE} years old to use Riff."]
    return []


def user_signup(
    *,
    username: str,
    password: str,
    email: str = "",
    display_name: str = "",
    birth_date=None,
    require_birth_date: bool = False,
) -> User:
    """Create an account (and its API token). Raises ValidationError with per-field messages; creates nothing then.
    The sign-up form and API require the birth date (members under 18 get the strictest policy); accounts made
    before it was asked for have none and count as adults."""
    errors: dict[str, list[str]] = {}
    if birth_date is None and require_birth_date:
        errors["birth_date"] = [BIRTH_DATE_REQUIRED]
    elif _birth_date_errors(birth_date):
        errors["birth_date"] = _birth_date_errors(birth_date)
    candidate = User(username=username, email=email, display_name=display_name, birth_date=birth_date)
    try:
        candidate.full_clean(exclude=["password"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if User.objects.filter(username__iexact=username).exists():
        errors.setdefault("username", []).append("That handle is already taken.")
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError({k: sorted(set(v), key=v.index) for k, v in errors.items()})
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username, password=password, email=email, display_name=display_name, birth_date=birth_date
            )
            Token.objects.create(user=user)
    except IntegrityError:
        raise ValidationError({"username": ["That handle is already taken."]})
    return user


def user_token(*, user: User) -> str:
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def user_update_profile(*, user: User, display_name=None, bio=None, avatar=None) -> User:
    if display_name is not None:
        user.display_name = display_name
    if bio is not None:
        user.bio = bio
    if avatar is not None:
        user.avatar = avatar
    user.full_clean(exclude=["password"])
    user.save()
    return user


def follow_create(*, follower: User, followee: User) -> bool:
    """Follow someone. Returns True if a new follow was made (following twice is a no-op)."""
    if follower.pk == followee.pk:
        raise ApiError("You cannot follow yourself.", code="follow_self")
    if is_blocked_between(follower.pk, followee.pk):
        raise ApiError("You cannot follow this account.", code="blocked", status_code=status.HTTP_403_FORBIDDEN)
    with transaction.atomic():
        _, created = Follow.objects.get_or_create(follower=follower, followee=followee)
    if created:
        from feed.services import feed_signals_changed, notification_create  # feed depends on accounts, not the reverse at import time

        feed_signals_changed(user_ids=[follower.pk])
        notification_create(recipient=followee, actor=follower, kind="follow", text=f"@{follower.username} started following you.")
    return created


def follow_delete(*, follower: User, followee: User) -> bool:
    with transaction.atomic():
        deleted, _ = Follow.objects.filter(follower=follower, followee=followee).delete()
        if deleted:
            _cameo_consent_changed(follower, followee)
            _feed_signals_changed(follower, followee)
    return bool(deleted)


def _feed_signals_changed(*users: User) -> None:
    """Their For-you rankings read follows and blocks: their next first page ranks again (feed.ranking)."""
    from feed.services import feed_signals_changed  # feed depends on accounts, not the reverse at import time

    feed_signals_changed(user_ids=[user.pk for user in users])


def _cameo_consent_changed(a: User, b: User) -> None:
    """An unfollow or a block can end consent to use each other's cameos (the mutuals level, blocks): pending
    uses that lost it stop now."""
    from cameos.services import cameos_relationship_changed  # cameos depends on accounts, not the reverse

    cameos_relationship_changed(user_a_id=a.pk, user_b_id=b.pk)


def block_create(*, blocker: User, blocked: User) -> bool:
    """Block someone: removes follows both ways and prevents new ones."""
    if blocker.pk == blocked.pk:
        raise ApiError("You cannot block yourself.", code="block_self")
    with transaction.atomic():
        Follow.objects.filter(follower=blocker, followee=blocked).delete()
        Follow.objects.filter(follower=blocked, followee=blocker).delete()
        _, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
        _cameo_consent_changed(blocker, blocked)
        _feed_signals_changed(blocker, blocked)
    return created


def block_delete(*, blocker: User, blocked: User) -> bool:
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    if deleted:
        _feed_signals_changed(blocker, blocked)
    return bool(deleted)


def user_set_avatar(*, user: User, upload) -> User:
    """Replace the avatar with a square JPEG made from an uploaded photo (checked and re-encoded; nothing is
    stored when the upload is refused)."""
    import io
    import uuid

    from django.core.files.base import ContentFile
    from PIL import Image

    from cameos.uploads import photo_from_upload

    photo = photo_from_upload(upload, what="avatar")
    with Image.open(io.BytesIO(photo.data)) as image:
        side = min(image.size)
        left, top = (image.width - side) // 2, (image.height - side) // 2
        square = image.crop((left, top, left + side, top + side)).resize((256, 256), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        square.save(out, format="JPEG", quality=88)
    old = user.avatar.name if user.avatar else ""
    user.avatar.save(f"{user.pk}/{uuid.uuid4().hex}.jpg", ContentFile(out.getvalue()), save=True)
    if old:
        user.avatar.storage.delete(old)
    return user


# --- suspension --------------------------------------------------------------------------------------------------


def user_check_not_suspended(*, user) -> None:
    """Refuse (403, with the date) what a suspended member may not do: generate, publish, comment."""
    until = user_suspended_until(user)
    if until is None:
        return
    reason = f" Reason: {user.suspension_reason}" if user.suspension_reason else ""
    raise ApiError(
        f"Your account is suspended until {until:%Y-%m-%d %H:%M} UTC: you cannot generate, publish or comment "
        f"until then.{reason}",
        code="suspended",
        status_code=status.HTTP_403_FORBIDDEN,
        extra={"suspended_until": until.isoformat()},
    )


def user_suspend(*, user: User, until, reason: str) -> None:
    """Set the suspension (called by feed.moderation inside its transaction)."""
    User.objects.filter(pk=user.pk).update(suspended_until=until, suspension_reason=reason[:500])
    user.suspended_until, user.suspension_reason = until, reason[:500]


def user_lift_suspension(*, user: User, until=None) -> bool:
    """End the suspension now (only the one ending at ``until``, when given). Returns whether one ended."""
    qs = User.objects.filter(pk=user.pk, suspended_until__isnull=False)
    if until is not None:
        qs = qs.filter(suspended_until=until)
    lifted = qs.update(suspended_until=None, suspension_reason="")
    if lifted:
        user.suspended_until, user.suspension_reason = None, ""
    return bool(lifted)


# --- guardians and the limits of members under 18 ----------------------------------------------------------------


def guardian_invite(*, teen: User, username: str) -> Guardianship:
    """A member under 18 asks a parent's or guardian's account to link to theirs. One link at a time."""
    from feed.services import notification_create

    if not user_is_teen(teen):
        raise ApiError(
            "Only members under 18 can link a guardian account.", code="not_teen", status_code=status.HTTP_403_FORBIDDEN
        )
    guardian = User.objects.filter(username__iexact=(username or "").strip().lstrip("@"), is_active=True).first()
    if guardian is None:
        raise ApiError("No account with that handle.", code="user_not_found", status_code=status.HTTP_404_NOT_FOUND)
    if guardian.pk == teen.pk:
        raise ApiError("You cannot be your own guardian.", code="guardian_self")
    if user_is_teen(guardian) or guardian.birth_date is None:
        raise ApiError(
            f"@{guardian.username} cannot be a guardian: a guardian's account must give a birth date of 18 or more "
            "years ago.",
            code="guardian_not_adult",
        )
    if is_blocked_between(teen.pk, guardian.pk):
        raise ApiError("You cannot invite this account.", code="blocked", status_code=status.HTTP_403_FORBIDDEN)
    if guardianship_of(teen=teen) is not None:
        raise ApiError(
            "You already have a guardian link (or an invitation waiting).",
            code="guardian_exists",
            status_code=status.HTTP_409_CONFLICT,
        )
    try:
        with transaction.atomic():
            link = Guardianship.objects.create(teen=teen, guardian=guardian)
            notification_create(
                recipient=guardian,
                actor=teen,
                kind="system",
                text=f"@{teen.username} asks you to be their guardian on Riff: you would see and could lower their limits.",
                data={"guardianship": link.pk, "teen": teen.username},
            )
    except IntegrityError:
        raise ApiError(
            "You already have a guardian link (or an invitation waiting).",
            code="guardian_exists",
            status_code=status.HTTP_409_CONFLICT,
        )
    return link


def _guardian_link(*, guardian: User, teen_username: str, states) -> Guardianship:
    link = (
        Guardianship.objects.select_for_update()
        .select_related("teen", "guardian")
        .filter(guardian=guardian, teen__username__iexact=teen_username, state__in=states)
        .first()
    )
    if link is None:
        raise ApiError(
            f"You are not the guardian of @{teen_username}.", code="not_guardian", status_code=status.HTTP_404_NOT_FOUND
        )
    return link


def guardian_accept(*, guardian: User, teen_username: str) -> Guardianship:
    from feed.services import notification_create

    with transaction.atomic():
        link = _guardian_link(guardian=guardian, teen_username=teen_username, states=[Guardianship.State.PENDING, Guardianship.State.ACTIVE])
        if link.state == Guardianship.State.PENDING:
            link.state = Guardianship.State.ACTIVE
            link.accepted_at = timezone.now()
            link.save(update_fields=["state", "accepted_at"])
            notification_create(
                recipient=link.teen,
                actor=guardian,
                kind="system",
                text=f"@{guardian.username} is now your guardian on Riff.",
                data={"guardianship": link.pk},
            )
    return link


def guardian_end(*, user: User, teen_username: str | None = None) -> Guardianship:
    """The guardian ends the link (or declines the invitation); the member may withdraw a pending invitation.
    Limits already lowered stay as they are."""
    with transaction.atomic():
        if teen_username is None:
            link = (
                Guardianship.objects.select_for_update()
                .filter(teen=user, state=Guardianship.State.PENDING)
                .first()
            )
            if link is None:
                raise ApiError(
                    "There is no invitation to withdraw (only your guardian can end an accepted link).",
                    code="no_invitation",
                    status_code=status.HTTP_404_NOT_FOUND,
                )
        else:
            link = _guardian_link(
                guardian=user, teen_username=teen_username, states=[Guardianship.State.PENDING, Guardianship.State.ACTIVE]
            )
        link.state = Guardianship.State.ENDED
        link.ended_at = timezone.now()
        link.save(update_fields=["state", "ended_at"])
    return link


def teen_limits_update(
    *, guardian: User, teen_username: str, daily_watch_limit_min: int | None = None, cameo_use: str | None = None
) -> User:
    """The guardian lowers the limits: a daily watch time from 1 minute up to the default (never above), and who
    may use the member's cameos (``approved`` people, the default, or ``only_me``). Pending uses of the member's
    cameos that lose consent stop at once."""
    from cameos.models import Cameo
    from cameos.services import cameo_consent_sweep

    default = settings.TEEN_DAILY_WATCH_LIMIT_MIN
    if daily_watch_limit_min is not None and not (1 <= daily_watch_limit_min <= default):
        raise ApiError(
            f"The daily watch time must be between 1 and {default} minutes (a guardian can lower it, not raise it "
            "above the default).",
            code="limit_out_of_range",
        )
    if cameo_use is not None and cameo_use not in ("approved", "only_me"):
        raise ApiError("cameo_use must be approved or only_me.", code="cameo_use_invalid")
    with transaction.atomic():
        link = _guardian_link(guardian=guardian, teen_username=teen_username, states=[Guardianship.State.ACTIVE])
        teen = User.objects.select_for_update().get(pk=link.teen_id)
        if not user_is_teen(teen):
            raise ApiError(
                f"@{teen.username} is 18 or older: their limits are their own now.",
                code="not_teen",
                status_code=status.HTTP_409_CONFLICT,
            )
        fields = []
        if daily_watch_limit_min is not None:
            teen.teen_watch_limit_min = daily_watch_limit_min
            fields.append("teen_watch_limit_min")
        if cameo_use is not None:
            teen.teen_cameo_use = cameo_use
            fields.append("teen_cameo_use")
        if fields:
            teen.save(update_fields=fields)
        if cameo_use == "only_me":
            cameo_ids = list(Cameo.objects.filter(owner=teen).values_list("pk", flat=True))
            if cameo_ids:
                cameo_consent_sweep(cameo_ids=cameo_ids)
    return teen
