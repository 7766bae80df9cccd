"""Members: signing up, the API token, the profile and the avatar."""

from __future__ import annotations

import io
import uuid

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from PIL import Image

from core.uploads import photo_from_upload

from ..models import User
from ..selectors import age_on

BIRTH_DATE_REQUIRED = gettext_lazy("Enter your birth date: Riff uses it to apply the protections for members under 18.")


def _birth_date_errors(birth_date) -> list[str]:
    if birth_date is None:
        return []
    today = timezone.localdate()
    if birth_date > today:
        return [gettext("The birth date is in the future.")]
    age = age_on(birth_date=birth_date, day=today)
    if age > 120:
        return [gettext("Check the birth date: it is more than 120 years ago.")]
    if age < settings.MIN_SIGNUP_AGE:
        return [gettext("You must be at least {age} years old to use Riff.").format(age=settings.MIN_SIGNUP_AGE)]
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
    """Create an account. Raises ValidationError with per-field messages; creates nothing then.
    The sign-up form and API require the birth date (members under 18 get the strictest policy); accounts made
    before it was asked for have none and count as adults."""
    errors: dict[str, list[str]] = {}
    if birth_date is None and require_birth_date:
        errors["birth_date"] = [str(BIRTH_DATE_REQUIRED)]
    elif _birth_date_errors(birth_date):
        errors["birth_date"] = _birth_date_errors(birth_date)
    candidate = User(username=username, email=email, display_name=display_name, birth_date=birth_date)
    try:
        candidate.full_clean(exclude=["password"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if User.objects.filter(username__iexact=username).exists():
        errors.setdefault("username", []).append(gettext("That handle is already taken."))
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
    except IntegrityError:
        raise ValidationError({"username": [gettext("That handle is already taken.")]})
    return user


def user_update_profile(*, user: User, display_name=None, bio=None, avatar=None, language=None) -> User:
    if language is not None:
        user.language = language if language in dict(settings.LANGUAGES) else ""
    if display_name is not None:
        user.display_name = display_name
    if bio is not None:
        user.bio = bio
    if avatar is not None:
        user.avatar = avatar
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_set_avatar(*, user: User, upload) -> User:
    """Replace the avatar with a square JPEG made from an uploaded photo (checked and re-encoded; nothing is
    stored when the upload is refused)."""
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
