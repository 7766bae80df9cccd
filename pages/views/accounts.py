"""Pages of accounts: signing up (logging in and out are Django's own views) and the notifications."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import apis

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
