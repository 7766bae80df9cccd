"""Hearing the challenge phrase: Whisper tiny.en (as the worker runs it) on six-digit phrases read by Piper's voice,
and the comparison that decides whether the phrase was said. The measurement behind ``speech.MAX_ERROR_RATE`` is
printed: how far what Whisper hears is from the phrase read, and from another random phrase."""

from __future__ import annotations

import random

import numpy as np
import pytest

from cameos import speech

from .conftest import speech as piper


@pytest.mark.parametrize(
    "said, form",
    [
        ("4 8 2 6 1 9", "482619"),
        ("Four, eight, two... six! One nine.", "482619"),
        ("forty-eight, twenty six, nineteen", "482619"),  # pairs read as numbers
        ("Oh five, zero three", "0503"),
        ("A3 too 806", "832806"),  # what Whisper once wrote for Piper reading "8 3 2 8 0 6"
        ("Set in 1-1-2-3-2.", "11232"),  # and for "7 1 1 2 3 2": the words that are no digit are dropped
        ("  ", ""),
    ],
)
def test_spoken_form_reads_number_words_as_digits_and_drops_punctuation(said, form):
    assert speech.spoken_form(said) == form


def test_a_phrase_is_heard_with_at_most_two_of_six_digits_wrong():
    assert speech.heard("4 8 2 6 1 9", "482619") == (True, 0)
    assert speech.heard("4 8 2 6 1 9", "4826 19.") == (True, 0)
    assert speech.heard("4 8 2 6 1 9", "4 8 2 2 6 1 9") == (True, 1)  # a digit heard twice
    assert speech.heard("4 8 2 6 1 9", "4 8 7 6 1 0") == (True, 2)
    assert speech.heard("4 8 2 6 1 9", "4 3 7 6 1 0") == (False, 3)
    assert speech.heard("7 1 1 2 3 2", "Set in 1-1-2-3-2.") == (True, 1)  # a missed digit is one error
    assert speech.heard("4 8 2 6 1 9", "Hello, this is me.") == (False, 6)
    assert speech.heard("4 8 2 6 1 9", "") == (False, 6)


def test_two_random_phrases_are_rarely_within_two_edits():
    rng = random.Random(3)
    pairs = 20_000
    close = sum(
        speech.errors("".join(rng.choices("0123456789", k=6)), "".join(rng.choices("0123456789", k=6))) <= 2
        for _ in range(pairs)
    )
    assert close / pairs < 0.003  # measured: 0.14 % over 200,000 pairs


def test_whisper_hears_the_phrases_piper_reads(capsys):
    rng = random.Random(11)
    phrases = [" ".join(rng.choice("0123456789") for _ in range(6)) for _ in range(20)]
    heard_errors, other_errors = [], []
    for index, phrase in enumerate(phrases):
        audio, rate = piper(phrase)
        transcript = speech.transcribe(audio, rate)
        ok, wrong = speech.heard(phrase, transcript)
        assert ok, (phrase, transcript)
        heard_errors.append(wrong)
        other = phrases[(index + 1) % len(phrases)]
        passes, off = speech.heard(other, transcript)
        assert not passes, (other, transcript)
        other_errors.append(off)
    with capsys.disabled():
        print(
            f"\nWhisper on {len(phrases)} phrases read by Piper: characters wrong {np.bincount(heard_errors).tolist()} "
            f"(count of 0, 1, 2 ...); against another phrase: {min(other_errors)}-{max(other_errors)} "
            f"(median {np.median(other_errors):g})"
        )


def test_silence_and_noise_say_nothing():
    rng = np.random.default_rng(2)
    assert speech.spoken_form(speech.transcribe(np.zeros(speech.SAMPLE_RATE * 2, np.float32))) == ""
    noise = (rng.normal(0, 0.01, speech.SAMPLE_RATE * 2)).astype(np.float32)
    assert not speech.heard("4 8 2 6 1 9", speech.transcribe(noise))[0]
