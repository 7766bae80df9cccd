"""Fitting a request to a video model's grid: the sizes the model family was trained at when the short side is one
of them, the aspect rounded to the grid otherwise, and frame counts of the model's form."""

from __future__ import annotations

import pytest

from generation.backends.diffusers.loading import FAMILY_DEFAULTS
from generation.backends.video_fit import ModelGrid, fit_request

WAN = ModelGrid(fps=16, frame_step=4, size_multiple=16)
LTX = ModelGrid(fps=24, frame_step=8, size_multiple=32)


@pytest.mark.parametrize(
    "family, grid, aspect, size",
    [
        ("wan", WAN, "16:9", (832, 480)),
        ("wan", WAN, "9:16", (480, 832)),
        ("wan", WAN, "1:1", (480, 480)),
        ("ltx", LTX, "16:9", (864, 480)),
        ("ltx", LTX, "9:16", (480, 864)),
        ("ltx", LTX, "1:1", (480, 480)),
    ],
)
def test_the_default_short_side_renders_at_the_size_the_family_was_trained_at(family, grid, aspect, size):
    trained = FAMILY_DEFAULTS[family].trained_sizes
    shape = fit_request(grid, duration_s=2, aspect=aspect, short_side=480, trained=trained)
    assert (shape.width, shape.height) == size and shape.trained
    assert shape.num_frames == {"wan": 33, "ltx": 49}[family]  # 4k + 1 at 16 fps, 8k + 1 at 24 fps


def test_a_short_side_with_no_trained_size_is_the_aspect_rounded_to_the_grid():
    shape = fit_request(WAN, duration_s=1, aspect="16:9", short_side=64, trained=FAMILY_DEFAULTS["wan"].trained_sizes)
    assert (shape.width, shape.height) == (112, 64) and not shape.trained
    # A trained size the model's grid cannot take (a model with a coarser grid than its family's) is not used.
    coarse = ModelGrid(fps=16, frame_step=4, size_multiple=64)
    shape = fit_request(coarse, duration_s=1, aspect="16:9", short_side=480,
                        trained=FAMILY_DEFAULTS["wan"].trained_sizes)
    assert (shape.width, shape.height) == (896, 512) and not shape.trained
