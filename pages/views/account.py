"""The account page (``/account/``): password, signed-in browsers and API tokens, the archive of your data and
deleting the account; the page to cancel a deletion in its grace period; the password-reset pages are Django's
own views (pages.urls) with a form that signs every session out."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import services as account_services
from accounts.selectors import member_credentials
from core.errors import DomainError
from privacy import services
from privacy.apis import ExportOutputSerializer
from privacy.models import DataExport


class ResetSetPasswordForm(SetPasswordForm):
    """The new password chosen from an emailed link: every session and API token made with the old one ends."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        account_services.password_was_reset(user=user)
        return user


def _first_error(exc: ValidationError) -> str:
    return next(iter(exc.messages), _("Check the form."))


def _act(request) -> None:
    action = request.POST.get("action", "")
    user = request.user
    if action == "password":
        keep = request.session.session_key
        account_services.password_change(
            user=user, old_password=request.POST.get("old_password", ""),
            new_password=request.POST.get("new_password", ""), keep_session_key=keep,
        )
        update_session_auth_hash(request, user)
        account_services.session_rekeyed(old_key=keep, new_key=request.session.session_key)
        messages.success(request, _("Your password was changed. Other sessions were signed out."))
    elif action == "revoke_session":
        account_services.session_revoke(user=user, session_id=int(request.POST.get("id") or 0))
        messages.success(request, _("That session was signed out."))
    elif action == "revoke_token":
        account_services.token_revoke(user=user, token_id=int(request.POST.get("id") or 0))
        messages.success(request, _("That API token was revoked."))
    elif action == "export":
        services.export_start(user=user)
        messages.success(request, _("Your archive is being made. It appears here when it is ready."))
    else:
        messages.error(request, _("Unknown action."))


@login_required
@require_http_methods(["GET", "POST"])
def account_page(request):
    if request.method == "POST":
        try:
            _act(request)
        except (ValidationError, DomainError, ValueError) as exc:
            messages.error(request, _first_error(exc) if isinstance(exc, ValidationError) else str(exc) or _("Check the form."))
        return redirect("account-page")
    found = member_credentials(user=request.user, session_key=request.session.session_key)
    exports = ExportOutputSerializer(DataExport.objects.filter(user=request.user)[:5], many=True).data
    return render(request, "accounts/account.html", {
        "sessions": found.sessions,
        "tokens": found.tokens,
        "exports": exports,
        "export_running": any(e["state"] in DataExport.ACTIVE for e in exports),
        "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
        "keep_hours": settings.EXPORT_KEEP_HOURS,
    })


@login_required
@require_http_methods(["POST"])
def account_delete(request):
    try:
        deletion = services.account_delete_request(user=request.user, password=request.POST.get("password", ""))
    except (ValidationError, DomainError) as exc:
        messages.error(request, _first_error(exc) if isinstance(exc, ValidationError) else str(exc))
        return redirect("account-page")
    logout(request)
    return render(request, "accounts/deleted.html", {"deletion": deletion, "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS})


@require_http_methods(["GET", "POST"])
def account_restore_page(request):
    """During the grace period: sign in to cancel the deletion."""
    error = ""
    if request.method == "POST":
        try:
            user = services.account_deletion_cancel(
                request=request, username=request.POST.get("username", ""), password=request.POST.get("password", ""))
        except (ValidationError, DomainError) as exc:
            error = _first_error(exc) if isinstance(exc, ValidationError) else str(exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your account is open again."))
            return redirect("feed-page")
    return render(request, "accounts/restore.html", {"error": error}, status=400 if error else 200)
