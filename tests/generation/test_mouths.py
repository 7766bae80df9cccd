"""A speaking character's mouth opens with the loudness of its own line, measured on the rendered pixels; a
character that does not speak keeps its mouth closed."""

from __future__ import annotations

import numpy as np

from generation.backends.preview import tts
from generation.backends.preview.audio import SAMPLE_RATE, schedule_dialogue, speech_track
from generation.backends.preview.mouths import mouth_tracks
from generation.backends.preview.physics import simulate
from generation.backends.preview.render import Renderer
from generation.backends.preview.scene import parse_prompt
from generation.backends.preview.world import World

FPS = 24
MOUTH_RGB = np.array([70, 20, 28])
# Measured: Pearson 0.97 between the open mouth's pixels in the rendered frames and the line's loudness per frame
# in the clip's speech track (the opening is the loudness, drawn as an ellipse whose area is not linear in it); a
# mouth drawn at random or held open would be near 0.
MIN_CORRELATION = 0.9


def _open_pixels(frame: np.ndarray, cx: float, cy: float, half: float) -> int:
    y0, y1 = int(max(0, cy - half - 2)), int(min(frame.shape[0], cy + half + 3))
    x0, x1 = int(max(0, cx - half - 2)), int(min(frame.shape[1], cx + half + 3))
    patch = frame[y0:y1, x0:x1].astype(int)
    return int((np.abs(patch - MOUTH_RGB).sum(axis=2) < 12).sum())


def test_the_speakers_mouth_follows_its_speech_and_the_silent_cat_keeps_its_mouth_shut(capsys):
    world = World.for_aspect("16:9")
    plan = parse_prompt('a still camera, a woman and a cat in a kitchen, the woman says "we are going to the '
                        'beach today, and you are coming with us, little one"', seed=4, world=world)
    plan["camera"] = "static"
    tts.cast_plan(plan, seed=4)
    duration, frames_n = 6.0, 6 * FPS
    spoken = schedule_dialogue(plan["dialogue"], tts.speak_lines(plan, SAMPLE_RATE), duration=duration,
                               sample_rate=SAMPLE_RATE)
    trajectory = simulate(plan, world, num_frames=frames_n, fps=FPS)
    mouths = mouth_tracks(plan, spoken, fps=FPS, num_frames=frames_n, sample_rate=SAMPLE_RATE)
    kinds = [s["kind"] for s in plan["subjects"]]
    woman, cat = kinds.index("person"), kinds.index("cat")
    assert list(mouths) == [woman]  # only the speaker has a mouth track

    renderer = Renderer(plan, world, (480, 270), fps=FPS, num_frames=frames_n, captions=spoken, mouths=mouths)
    frame = np.empty((270, 480, 3), np.uint8)
    opened, cat_open = [], []
    for i in range(frames_n):
        renderer.draw(i, trajectory, frame)
        opened.append(_open_pixels(frame, *renderer.mouth_position(i, woman, trajectory)))
        cat_open.append(_open_pixels(frame, *renderer.mouth_position(i, cat, trajectory)))

    voice, _ = speech_track(spoken, int(duration * SAMPLE_RATE), SAMPLE_RATE)
    hop = SAMPLE_RATE // FPS
    loudness = np.array([np.sqrt(np.mean(voice[i * hop:(i + 1) * hop] ** 2)) for i in range(frames_n)])
    line = spoken[0]
    during = slice(int(line.start * FPS), int(line.end * FPS))
    r = float(np.corrcoef(np.array(opened[during], float), loudness[during])[0, 1])
    with capsys.disabled():
        print(f"\n  mouth opening vs loudness over the line: Pearson {r:.2f}; frames open "
              f"{sum(o > 0 for o in opened)}/{frames_n}")
    assert r >= MIN_CORRELATION
    assert sum(opened[: int(line.start * FPS)]) == 0  # closed before the line
    assert max(cat_open) == 0  # the cat never speaks
