"""Pages of accounts: signing up (logging in and out are Django's own views), the interface language and the
notifications."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import JavaScriptCatalog

from accounts import apis
from accounts.services import user_update_profile

from ..api_data import api_data, error_page
from ..forms import SignupForm


@require_http_methods(["GET", "POST"])
def signup_page(request):
    if request.user.is_authenticated:
        return redirect("feed-page")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = form.save()
        except ValidationError:
            pass
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("feed-page")
    return render(request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def notifications_page(request):
    status, page = api_data(apis.NotificationsApi, request)
    if status != 200:
        return error_page(request, status, page)
    return render(request, "accounts/notifications.html", {"notifications": page["results"], "next": page["next"]})


@require_POST
def language_set(request):
    """The language switch (sign-in page, profile): a cookie for this browser and, for a member, their profile's
    choice, so it follows them to other devices. An unknown code falls back to English."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if request.user.is_authenticated:
        user_update_profile(user=request.user, language=language)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = redirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=request.is_secure())
    translation.activate(language)
    return response


class LanguageCatalog(JavaScriptCatalog):
    """The JavaScript side of a catalogue (``gettext()`` in static/js), for the language in its URL (the page
    names its own), cached by browsers for a day."""

    def get(self, request, *args, **kwargs):
        language = kwargs.get("language")
        if language not in dict(settings.LANGUAGES):
            raise Http404("No such language.")
        with translation.override(language):
            response = super().get(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=24 * 3600)
        return response
