"""Pages of cameos: list and create, and one page per cameo (verification with the camera, permission,
approvals and requests, the ledger with Remove). Forms post to these views, which call the same services as
the API; recording the verification clip is done in the browser (static/js/cameos.js) against the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from cameos import selectors, services
from cameos.models import Cameo, CameoReference
from core.errors import DomainError
from core.media import public_url, signed_url
from core.uploads import check_upload_size, clip_from_upload, photo_from_upload
from generation import services as generation_services
from generation.selectors import cameo_use_media, cameo_use_state


def _visible_or_404(request, cameo_id: int) -> Cameo:
    cameo = selectors.cameo_get_visible(user=request.user, cameo_id=cameo_id)
    if cameo is None:
        raise Http404("There is no such cameo.")
    return cameo


def _error(request, exc: DomainError) -> None:
    messages.error(request, exc.message)


@login_required
@require_http_methods(["GET", "POST"])
def cameo_list_page(request):
    form = {"name": "", "kind": Cameo.Kind.PERSON, "permission": Cameo.Permission.ONLY_ME, "restrictions": ""}
    status = 200
    if request.method == "POST":
        form.update({key: request.POST.get(key, form[key]) for key in form})
        try:
            files = request.FILES.getlist("reference")
            clip_file = request.FILES.get("reference_clip")
            check_upload_size(sum(f.size for f in files) + (clip_file.size if clip_file else 0), what="upload")
            photos = [photo_from_upload(f) for f in files]
            clip = clip_from_upload(clip_file, what="reference clip") if clip_file else None
            cameo = services.cameo_create(
                owner=request.user,
                name=form["name"],
                kind=form["kind"],
                photos=photos,
                clip=clip,
                permission=form["permission"],
                restrictions=form["restrictions"],
            )
        except DomainError as exc:
            _error(request, exc)
            status = 400
        else:
            messages.success(request, gettext("Cameo created. Its photos are being checked."))
            return redirect("cameo-page", cameo_id=cameo.pk)
    cameos = list(selectors.cameos_for_list(user=request.user).order_by("-created_at", "-id")[:100])
    for cameo in cameos:
        cameo.avatar_url = public_url(cameo.avatar) if cameo.avatar else ""
    return render(
        request,
        "cameos/list.html",
        {"cameos": cameos, "form": form, "kinds": Cameo.Kind.choices, "permissions": Cameo.Permission.choices},
        status=status,
    )


@login_required
def cameo_page(request, cameo_id: int):
    cameo = _visible_or_404(request, cameo_id)
    is_owner = cameo.owner_id == request.user.pk
    context = {
        "cameo": cameo,
        "is_owner": is_owner,
        "avatar_url": public_url(cameo.avatar) if cameo.avatar else "",
        "permissions": Cameo.Permission.choices,
    }
    if is_owner:
        uses = list(selectors.cameo_uses(cameo=cameo)[:100])
        for use in uses:
            use.state = cameo_use_state(use)
            use.poster_url = signed_url(cameo_use_media(use, "poster"))
        context.update(
            {
                "reference_urls": [
                    signed_url(r.file) for r in cameo.references.all() if r.kind == CameoReference.Kind.PHOTO
                ],
                "requests": list(selectors.cameo_requests_pending(cameo=cameo)[:100]),
                "approvals": list(selectors.cameo_approvals(cameo=cameo)[:200]),
                "uses": uses,
                "needs_verification": cameo.kind == Cameo.Kind.PERSON and cameo.is_ready and cameo.verified_at is None,
                "voice_url": signed_url(cameo.voice) if cameo.voice else "",
                "voice_sample_url": signed_url(cameo.voice_sample) if cameo.voice_sample else "",
            }
        )
    return render(request, "cameos/detail.html", context)


@login_required
@require_POST
def cameo_action(request, cameo_id: int):
    """One form endpoint for the detail page's buttons; ``action`` names the operation."""
    cameo = _visible_or_404(request, cameo_id)
    action = request.POST.get("action", "")
    user = request.user
    try:
        if action == "update":
            services.cameo_update(
                user=user,
                cameo=cameo,
                name=request.POST.get("name"),
                permission=request.POST.get("permission"),
                restrictions=request.POST.get("restrictions"),
            )
            messages.success(request, gettext("Saved."))
        elif action == "approve":
            services.cameo_approval_create(owner=user, cameo=cameo, username=request.POST.get("username", ""))
            messages.success(request, f"@{request.POST.get('username', '').lstrip('@')} is approved.")
        elif action == "unapprove":
            services.cameo_approval_delete(owner=user, cameo=cameo, username=request.POST.get("username", ""))
            messages.success(request, gettext("Approval removed."))
        elif action == "decline":
            services.cameo_request_close(user=user, cameo=cameo, username=request.POST.get("username", ""))
            messages.success(request, gettext("Request declined."))
        elif action == "request":
            services.cameo_request_create(user=user, cameo=cameo, message=request.POST.get("message", ""))
            messages.success(request, gettext("Request sent."))
        elif action == "remove_use":
            generation_services.cameo_use_remove(owner=user, cameo=cameo, use_id=int(request.POST.get("use", "0") or 0))
            messages.success(request, gettext("Use removed."))
        elif action == "remove_user_uses":
            count = generation_services.cameo_uses_remove_for_user(
                owner=user, cameo=cameo, username=request.POST.get("username", "")
            )
            messages.success(request, f"{count} use{'s' if count != 1 else ''} removed.")
        elif action == "voice_in_clips":
            on = request.POST.get("on") == "1"
            services.cameo_update(user=user, cameo=cameo, voice_in_clips=on)
            messages.success(request, gettext("Your cameo now speaks with your voice.") if on
                             else gettext("Your cameo now speaks with a voice from Riff's catalogue."))
        elif action == "delete_voice":
            services.cameo_voice_delete(user=user, cameo=cameo)
            messages.success(request, gettext("Your voice is deleted."))
        elif action == "delete":
            services.cameo_delete(user=user, cameo=cameo)
            messages.success(request, gettext("Cameo deleted."))
            return redirect("cameos-page")
        else:
            messages.error(request, gettext("Unknown action."))
    except DomainError as exc:
        _error(request, exc)
    except ValueError:
        messages.error(request, gettext("That request was not valid."))
    return redirect("cameo-page", cameo_id=cameo.pk)
