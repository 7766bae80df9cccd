"""Measure the voice catalogue once and store the profiles that cameo voices are matched against."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Measure every catalogue voice (pitch, spectral envelope) into core/voices/voiceprints.json."

    def handle(self, *args, **options):
        from core.voices import speech

        profiles = speech.measure_catalogue()
        payload = {"fingerprint": speech.catalogue_fingerprint(), "profiles": profiles}
        speech.PROFILES_PATH.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        for name, profile in profiles.items():
            self.stdout.write(f"{name:8s} median F0 {profile['f0_median']:6.1f} Hz")
        self.stdout.write(f"Wrote {speech.PROFILES_PATH}")
