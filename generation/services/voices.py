"""The author's voice choices for a generation, checked before the job is written."""

from __future__ import annotations

from django.utils.translation import gettext

from cameos.models import Cameo
from cameos.selectors import cameo_usable_q
from core import voices as catalogue_voices
from core.errors import Invalid
from feed.selectors import posts_visible_to
from generation.backends.preview.dialogue import extract_dialogue

from ..models import GenerationJob

MAX_VOICE_CHOICES = 12


def prompt_speakers(prompt: str, parent_plan: dict | None = None) -> list[str]:
    """The speakers a clip made from ``prompt`` can have: those of its quoted lines, and a parent's cast."""
    lines, _ = extract_dialogue(prompt)
    speakers = [catalogue_voices.speaker_key(line) for line in lines]
    if parent_plan:
        speakers += list((parent_plan.get("cast") or {}).keys())
        speakers += [catalogue_voices.speaker_key(line) for line in parent_plan.get("dialogue") or []]
    return list(dict.fromkeys(speakers))


def voices_checked(*, prompt: str, voices: dict[str, str], language: str, parent_plan: dict | None) -> dict[str, str]:
    """``voices`` with lower-case speakers, or ``Invalid`` naming what is wrong (nothing is written)."""
    lines, _ = extract_dialogue(prompt)
    for line in lines:
        if not catalogue_voices.speakable(line["text"]):
            raise Invalid(
                gettext("Riff speaks English and French: the line “{value}” is written in another script.").format(
                    value=line['text'][:60]
                ),
                code="dialogue_script_unsupported",
            )
    if language and language not in catalogue_voices.LANGUAGES:
        raise Invalid(gettext("The language must be “en” or “fr”."), code="language_invalid")
    if not voices:
        return {}
    if len(voices) > MAX_VOICE_CHOICES:
        raise Invalid(
            gettext("Choose at most {most} voices.").format(most=MAX_VOICE_CHOICES),
            code="too_many_voices",
        )
    known = catalogue_voices.catalogue().voices
    unknown = sorted(name for name in voices.values() if name not in known)
    if unknown:
        raise Invalid(
            gettext("Unknown voice {unknown}: the voices are {known} (GET /api/voices).").format(
                unknown=', '.join(unknown), known=', '.join(known)
            ),
            code="voice_unknown",
        )
    speakers = prompt_speakers(prompt, parent_plan)
    chosen = {speaker.strip().lower(): name for speaker, name in voices.items()}
    strangers = sorted(speaker for speaker in chosen if speaker not in speakers)
    if strangers:
        found = ", ".join(speakers) if speakers else "nobody (put the lines in quotes: the coach shouts \"again!\")"
        raise Invalid(
            gettext("No line in the prompt is spoken by {strangers}; the speakers are: {found}.").format(
                strangers=', '.join(strangers), found=found
            ),
            code="voice_speaker_unknown",
        )
    return chosen


def cast_preview(*, user, prompt: str, remix_of_id: int | None = None, cameo_ids: list[int] | None = None,
                 voices: dict[str, str] | None = None, language: str = "", extend_of_id: int | None = None) -> list[dict]:
    """Who will speak with which voice, for the composer: one entry per speaker, in order of first line, with
    their lines and each line's language. A cameo named as a speaker (its name, or "@owner") whose owner's voice
    is kept and switched on speaks with it (``"cameo:<id>"``)."""
    parent_plan = None
    if remix_of_id is not None:
        parent = posts_visible_to(user=user).filter(pk=remix_of_id).select_related("job").first()
        parent_plan = parent.job.scene_plan if parent is not None and parent.job_id else None
    elif extend_of_id is not None:
        source = GenerationJob.objects.filter(pk=extend_of_id, user=user).first()
        parent_plan = source.scene_plan if source is not None else None
    chosen = voices_checked(prompt=prompt, voices=voices or {}, language=language, parent_plan=parent_plan)
    lines, _ = extract_dialogue(prompt)
    if not lines and parent_plan:
        lines = list(parent_plan.get("dialogue") or [])  # a remix without new lines keeps its parent's
    cameo_voices: dict[str, str] = {}
    labels: dict[str, str] = {}
    cameos = Cameo.objects.filter(cameo_usable_q(user), pk__in=cameo_ids or []).select_related("owner")
    for cameo in cameos:
        if cameo.voice and cameo.voice_in_clips and cameo.voice_profile:
            name = f"cameo:{cameo.pk}"
            labels[name] = f"{cameo.name}'s own voice"
            for key in (cameo.name.lower(), cameo.name.lower().split(" ")[0], f"@{cameo.owner.username.lower()}"):
                cameo_voices.setdefault(key, name)
    for line in lines:
        key = catalogue_voices.speaker_key(line)
        if key in cameo_voices and key not in chosen:
            chosen[key] = cameo_voices[key]
    previous = (parent_plan or {}).get("cast")
    cast = catalogue_voices.cast(lines, seed=0, previous=previous, requested=chosen)
    book = catalogue_voices.catalogue()
    speakers: dict[str, dict] = {}
    for line in lines:
        key = catalogue_voices.speaker_key(line)
        entry = speakers.setdefault(key, {"speaker": key, "voice": cast[key], "lines": []})
        voice = book.voices.get(cast[key])
        entry["label"] = labels.get(cast[key]) or (f"{voice.label}, {voice.description}" if voice else cast[key])
        entry["lines"].append({"text": line["text"], "language": language or line.get("language") or "en"})
    return list(speakers.values())
