from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework import status
from rest_framework.authtoken.models import Token

from config.api import ApiError

from .models import Block, Follow, User
from .selectors import is_blocked_between


def user_signup(*, username: str, password: str, email: str = "", display_name: str = "", birth_date=None) -> User:
    """Create an account (and its API token). Raises ValidationError with per-field messages; creates nothing then."""
    errors: dict[str, list[str]] = {}
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
        from feed.services import notification_create  # feed depends on accounts, not the reverse at import time

        notification_create(recipient=followee, actor=follower, kind="follow", text=f"@{follower.username} started following you.")
    return created


def follow_delete(*, follower: User, followee: User) -> bool:
    with transaction.atomic():
        deleted, _ = Follow.objects.filter(follower=follower, followee=followee).delete()
        if deleted:
            _cameo_consent_changed(follower, followee)
    return bool(deleted)


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
    return created


def block_delete(*, blocker: User, blocked: User) -> bool:
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
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
