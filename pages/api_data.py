"""Calling the JSON API's views in-process from a page (same user, same rules), and error pages."""

from __future__ import annotations

import copy

from django.http import Http404, QueryDict
from django.shortcuts import render


def api_data(view_class, request, query: dict | None = None, **kwargs) -> tuple[int, dict]:
    """Call an API view in-process for this request (same user, same rules) and return (status, data)."""
    if query is not None:
        request = copy.copy(request)
        request.GET = QueryDict(mutable=True)
        request.GET.update({key: str(value) for key, value in query.items() if value not in (None, "")})
    response = view_class.as_view()(request, **kwargs)
    return response.status_code, response.data


def error_page(request, status: int, data: dict):
    if status == 404:
        raise Http404(data.get("detail", "Not found."))
    return render(request, "error.html", {"title": "Something went wrong", "message": data.get("detail", "")}, status=status)
