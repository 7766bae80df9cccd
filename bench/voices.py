"""The voices, measured side by side in one run.

Prints:
- synthesis real-time factor per engine (seconds of speech / wall seconds), Piper and Kokoro, with and without
  a WORLD delivery (whisper) and a cameo conversion;
- Whisper tiny.en's word error rate for every catalogue voice on English sentences;
- for four reference voices that are in no catalogue entry: resemblyzer similarity of a converted (cameo) line to
  the reference, against the nearest catalogue voice unconverted and the default voice, and the median-F0 error;
- the preview backend's real-time factor for a 10 s clip with three speakers (target >= 3), against the same clip
  with its lines removed.

Run: .venv/bin/python bench/voices.py
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("RIFF_VAR_DIR", tempfile.mkdtemp(prefix="riff-bench-"))

RATE = 16000
ENGLISH = [
    "The red ball bounces across the kitchen floor.",
    "We should go home before the rain starts.",
    "Pass me the ball, I can make this shot.",
    "Look at the birds flying over the lake this morning.",
]
CLIP_PROMPT = ('a man, a little girl and a dog in a park, the man says "throw it higher!" then the little girl '
               'shouts "watch this!" and the dog goes "woof woof"')
REFERENCE_SAID = "My name is Ana and I record this clip to verify my cameo today. Four eight two six one nine."
REFERENCES = {  # kokoro mix, pitch, formant: voices no catalogue entry has
    "lower Lise": ({"jf_gongitsune": 1.0}, 0.9, 0.95),
    "brighter Maya": ({"jf_alpha": 1.0}, 1.05, 1.06),
    "higher Bruno": ({"jm_kumo": 1.0}, 1.2, 1.04),
    "Nezumi-Tebukuro blend": ({"jf_nezumi": 0.6, "jf_tebukuro": 0.4}, 1.0, 1.0),
}


def main() -> None:
    import django

    django.setup()
    from resemblyzer import VoiceEncoder, preprocess_wav

    from cameos.speech import transcribe
    from core import voices
    from core.voices import engines, voiceprint
    from core.voices import speech as speech_module
    from core.voices.speech import speak, speak_as, voice_for
    from generation.backends.base import GenerationRequest
    from generation.backends.preview import PreviewBackend
    from tests.support import median_f0, word_error_rate

    book = voices.catalogue()
    speak("warm up", "joe", sample_rate=RATE)
    speak("warm up", "maya", sample_rate=RATE)

    print("Synthesis real-time factor (speech seconds / wall seconds), 4 English sentences:")
    for label, name, delivery in (("Piper (joe)", "joe", "say"), ("Kokoro (maya)", "maya", "say"),
                                  ("Kokoro + WORLD pitch (walter)", "walter", "say"),
                                  ("Kokoro + WORLD whisper (maya)", "maya", "whisper")):
        start = time.perf_counter()
        total = sum(len(speak(s + " ", name, delivery=delivery, sample_rate=RATE)) for s in ENGLISH) / RATE
        print(f"  {label:32s} {total / (time.perf_counter() - start):6.1f}x")

    encoder = VoiceEncoder("cpu", verbose=False)

    def embed(audio: np.ndarray) -> np.ndarray:
        return encoder.embed_utterance(preprocess_wav(np.asarray(audio, np.float32), source_sr=RATE))

    print("\nWhisper tiny.en word error rate per English voice (4 sentences):")
    for name in book.voices:
        rates = [word_error_rate(s, transcribe(np.asarray(speak(s, name, sample_rate=RATE)), RATE)) for s in ENGLISH]
        print(f"  {name:8s} {statistics.mean(rates):5.1%}")

    print("\nCameo voices: similarity to the reference (resemblyzer cosine), median F0 error:")
    margins = []
    for label, (mix, pitch, formant) in REFERENCES.items():
        audio, rate = engines.synthesize_kokoro(engines.phonemes(REFERENCE_SAID, "en"), mix=mix, rate=1.0)
        reference = engines.resample(engines.world_transform(audio, rate, pitch=pitch, formant=formant), rate, RATE)
        profile = voiceprint.measure(reference, RATE)
        target, base = embed(reference), voice_for(profile)
        start = time.perf_counter()
        converted = [speak_as(s, profile, sample_rate=RATE) for s in ENGLISH[:2]]
        convert_s = time.perf_counter() - start
        as_cameo = np.mean([embed(c) @ target for c in converted])
        nearest = np.mean([embed(speak(s, base, sample_rate=RATE)) @ target for s in ENGLISH[:2]])
        default = np.mean([embed(speak(s, book.default, sample_rate=RATE)) @ target for s in ENGLISH[:2]])
        error = np.mean([abs(median_f0(c, RATE) / profile["f0_median"] - 1) for c in converted])
        margins.append(as_cameo - default)
        speech_s = sum(len(c) for c in converted) / RATE
        print(f"  {label:22s} as cameo {as_cameo:.2f} | nearest ({base}) {nearest:.2f} | default {default:.2f} | "
              f"F0 error {error:.1%} | conversion {speech_s / convert_s:.1f}x real time")
    print(f"  margin over the default voice: {min(margins):.2f} to {max(margins):.2f}")

    backend = PreviewBackend()
    silent_prompt = re.sub(r'"[^"]*"', "", CLIP_PROMPT)
    factors = {}
    for label, prompt in (("with three speakers", CLIP_PROMPT), ("with its lines removed", silent_prompt)):
        times = []
        for seed in (1, 2, 3):
            speech_module._speak.cache_clear()  # every run synthesises its lines, as a new job would
            request = GenerationRequest(job_id=seed, kind="text", prompt=prompt, duration_s=10, aspect="9:16", seed=seed)
            start = time.perf_counter()
            clip = backend.generate(request, lambda done, total: None)
            times.append(time.perf_counter() - start)
        factors[label] = 10.0 / statistics.median(times)
        if label.startswith("with three"):
            print(f"\n10 s 9:16 preview clip, cast {clip.meta['voices']}:")
        print(f"  {label:24s} real-time factor {factors[label]:5.1f} (median of 3 seeds; target >= 3)")


if __name__ == "__main__":
    main()
