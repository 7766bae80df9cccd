from __future__ import annotations

from django.db.models import QuerySet

from .models import GenerationJob


def jobs_of(*, user) -> QuerySet[GenerationJob]:
    return (
        GenerationJob.objects.filter(user=user)
        .select_related("post")
        .prefetch_related("cameos")
        .order_by("-created_at", "-id")
    )


def job_get_for_owner(*, user, job_id: int) -> GenerationJob | None:
    return jobs_of(user=user).filter(pk=job_id).first()
