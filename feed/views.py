from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def feed_page(request):
    return render(request, "feed/feed.html", {"tab": request.GET.get("tab", "for_you")})
