from django.http import JsonResponse
from django.shortcuts import render


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return render(request, "error.html", {"title": "Not found", "message": "There is nothing at this address."}, status=404)


def server_error(request):
    if _wants_json(request):
        return JsonResponse({"detail": "Something went wrong on our side. Please try again.", "code": "server_error"}, status=500)
    return render(request, "error.html", {"title": "Something went wrong", "message": "Please try again in a moment."}, status=500)
