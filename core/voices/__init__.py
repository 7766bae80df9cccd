"""Voices: the catalogue (data), casting speakers to voices, the line's language, speech synthesis, and a
speaker's measured voice (:mod:`.voiceprint`).

The catalogue, casting and language detection are plain Python that the web process may use (to list voices and
check a request); synthesis (:mod:`.speech`, :mod:`.engines`) runs in workers only.
"""

from .casting import NARRATOR, cast, speaker_key, traits
from .catalogue import Voice, catalogue, voice
from .language import LANGUAGES, detect, speakable

__all__ = ["LANGUAGES", "NARRATOR", "Voice", "cast", "catalogue", "detect", "speakable", "speaker_key", "traits",
           "voice"]
