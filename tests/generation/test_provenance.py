"""Visible badge, invisible watermark and C2PA manifests on real encoded clips."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import cv2
import numpy as np
import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from core import video as media
from generation.provenance import (
    ClipManifest,
    VisibleWatermark,
    apply_visible_watermark,
    bit_error_rate,
    create_local_ca,
    embed_payload,
    ensure_local_keys,
    extract_payload,
    extract_v1,
    invisible,
    mark_frames,
    payload,
    payload_bits,
    read_manifest,
    sign_mp4,
)
from generation.provenance.c2pa_sign import TRAINED_ALGORITHMIC_MEDIA
from generation.provenance.visible import render_badge
from tests.generation.synthetic import flat_clip, textured_clip
from tests.support import reencode

FPS = 24
RATE = 24_000
IDENT = 0x5EED_1234
TRAINED = TRAINED_ALGORITHMIC_MEDIA


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("provenance")


@pytest.fixture(scope="module")
def clip() -> tuple[np.ndarray, np.ndarray]:
    return textured_clip(seconds=2.5, fps=FPS, sample_rate=RATE, seed=3)


@pytest.fixture(scope="module")
def marked_mp4(clip, workdir) -> Path:
    frames, audio = clip
    path = workdir / "marked.mp4"
    marks = mark_frames(frames, handle="dana", fps=FPS, ident=IDENT)
    media.encode_mp4(marks, FPS, audio, RATE, path, pixel_format="yuv420p")
    return path


# --- Visible badge ------------------------------------------------------------------------------------------


def corner(frame: np.ndarray, which: str) -> np.ndarray:
    height, width = frame.shape[:2]
    rows = slice(0, height // 8) if which[0] == "t" else slice(height - height // 8, height)
    cols = slice(0, width // 2) if which[1] == "l" else slice(width - width // 2, width)
    return frame[rows, cols].astype(np.int16)


def changed(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(a - b) > 8))


def test_visible_badge_moves_between_corners():
    frames = flat_clip(seconds=4.5, fps=FPS)
    stamped = apply_visible_watermark(frames, "dana", FPS)

    start, later = 0, 4 * FPS  # t = 0 s and t = 4 s
    assert changed(corner(stamped[start], "tl"), corner(frames[start], "tl")) > 0.02
    assert changed(corner(stamped[start], "tr"), corner(frames[start], "tr")) == 0
    assert changed(corner(stamped[later], "tr"), corner(frames[later], "tr")) > 0.02
    assert changed(corner(stamped[later], "tl"), corner(frames[later], "tl")) == 0
    positions = {VisibleWatermark(480, 854, "dana", FPS).box(i)[:2] for i in range(0, 13 * FPS, FPS)}
    assert len(positions) == 4  # every corner in turn


def test_visible_badge_reads_on_black_and_on_white():
    for level in (0, 255):
        frames = np.full((2, 854, 480, 3), level, dtype=np.uint8)
        stamped = apply_visible_watermark(frames, "dana", FPS)
        values = stamped[0][: 854 // 8, : 480 // 2].astype(np.int16)
        assert np.mean(np.abs(values - level) > 60) > 0.02  # a light fill on black, a dark outline on white
        assert np.array_equal(frames, np.full_like(frames, level))  # the input is left alone


def test_visible_badge_shows_the_handle():
    short, long = render_badge("al"), render_badge("a_much_longer_handle")
    assert long.shape[1] > short.shape[1]
    assert render_badge("\x00@al\n").shape == short.shape  # control characters and a leading @ are dropped
    assert 0 < short[..., 3].max() < 255  # semi-transparent


def test_mark_frames_leaves_the_source_frames_alone(clip):
    frames = clip[0][:8]
    before = frames.copy()
    planes = [plane.copy() for plane in mark_frames(frames, handle="dana", fps=FPS, ident=IDENT)]
    assert np.array_equal(frames, before)
    assert len(planes) == 8 and planes[0].shape == (854 * 3 // 2, 480)


# --- Invisible watermark ------------------------------------------------------------------------------------


def test_payload_carries_the_identifier_a_keyed_check_and_parity():
    bits = payload_bits(IDENT)
    assert len(bits) == payload.PAYLOAD_BITS == 32 + 24 + 56
    assert payload.parse_payload(bits) == (IDENT, 0)
    rng = np.random.default_rng(4)
    for wrong in (1, 5, payload.BCH_T):  # the code corrects up to BCH_T wrong bits anywhere
        damaged = bits.copy()
        damaged[rng.choice(len(bits), wrong, replace=False)] ^= 1
        assert payload.parse_payload(damaged) == (IDENT, wrong)
    other_key = payload_bits(IDENT, key=b"another server")
    assert payload.parse_payload(other_key) == (None, -1)  # a valid codeword, but not under our key
    assert payload.parse_payload(np.zeros(len(bits), np.uint8)) == (None, -1)
    with pytest.raises(ValueError, match="32 bits"):
        payload_bits(2**32)


def test_soft_decoding_corrects_more_than_the_code_radius_when_the_wrong_bits_are_doubtful():
    bits = payload_bits(IDENT)
    votes = np.where(bits == 1, 0.6, -0.6)
    rng = np.random.default_rng(5)
    wrong = rng.choice(len(bits), 20, replace=False)  # 20 wrong bits: more than BCH_T = 8
    votes[wrong] = -0.15 * np.sign(votes[wrong])
    assert payload.parse_payload((votes > 0).astype(np.uint8)) == (None, -1)
    word, disagreement = payload.closest_codeword(votes)
    assert payload.parse_payload(word) == (IDENT, 0)
    assert disagreement == pytest.approx(20 * 0.15 / np.abs(votes).sum())


def test_noise_never_decodes_to_a_valid_identifier():
    # An unmarked clip's votes are noise: soft decoding always finds a nearest codeword, and the keyed check
    # (24 bits) refuses it.
    rng = np.random.default_rng(6)
    for _ in range(500):
        word, disagreement = payload.closest_codeword(rng.normal(size=payload.PAYLOAD_BITS))
        assert payload.parse_payload(word) == (None, -1)
        assert disagreement > 0.03  # measured on 20,000 noise readings: never closer than 0.034


def test_mark_reads_back_from_the_encoded_mp4(marked_mp4):
    frames = media.decode_frames(marked_mp4)
    ident, stats = extract_payload(frames)
    ber = bit_error_rate(frames, IDENT)
    print(f"\nencoded CRF 20: {ber}  confidence {stats['confidence']:.2f}")
    assert ident == IDENT
    assert ber["voted_ber"] == 0
    assert stats["frames_used"] >= len(frames) // 2


def test_mark_survives_reencoding_at_crf_35(marked_mp4, workdir):
    frames = reencode(marked_mp4, workdir / "crf35.mp4", crf=35)
    ber = bit_error_rate(frames, IDENT)
    ident, stats = extract_payload(frames)
    print(f"\nre-encoded CRF 35: {ber}  confidence {stats['confidence']:.2f}")
    assert ident == IDENT


def test_mark_survives_scaling_to_75_percent(marked_mp4, workdir):
    frames = reencode(marked_mp4, workdir / "scaled.mp4", crf=23, scale=0.75)
    assert frames.shape[1:3] == (640, 360)
    ber = bit_error_rate(frames, IDENT)
    ident, stats = extract_payload(frames)
    print(f"\nscaled to 75 % (CRF 23): {ber}  read at {stats['size']}")
    assert ident == IDENT
    assert stats["size"] in ((480, 854), (480, 852))


@pytest.mark.parametrize("levels", [-2, -1, 1])
def test_mark_reads_after_a_decoder_shifted_the_brightness(marked_mp4, levels):
    # A decoder that truncates (swscale's fast path) darkens by about 1.3 levels. One level moves the value of a
    # 32×32-pixel block (its mean × 16 in the LL band, where pixels count twice) by 32, a seventh of the mark's
    # step of 229; the reader measures that from the lattice phase and undoes it. Two levels are past a quarter step: read as the other
    # polarity (every bit inverted), which the reader also tries.
    frames = media.decode_frames(marked_mp4, step=2)
    shifted = np.clip(frames.astype(np.int16) + levels, 0, 255).astype(np.uint8)
    ident, stats = extract_payload(shifted)
    assert ident == IDENT
    if abs(levels) == 1:
        assert abs(stats["lattice_shift"]) > 0.1  # 0.14 expected


def test_unmarked_clips_never_match(workdir):
    rng = np.random.default_rng(7)
    clips = {
        **{f"textured {seed}": textured_clip(seconds=1.0, seed=seed)[0] for seed in (1, 2)},
        "flat": flat_clip(seconds=1.0),
        "noise": rng.integers(0, 256, (12, 854, 480, 3), dtype=np.uint8),
        "grey": np.full((6, 854, 480, 3), 128, np.uint8),
    }
    for name, frames in clips.items():
        path = workdir / f"unmarked-{name.replace(' ', '-')}.mp4"
        media.encode_mp4(frames, FPS, None, RATE, path)
        decoded = media.decode_frames(path)
        for candidate in (decoded, np.stack([cv2.resize(f, (360, 640)) for f in decoded[::3]])):
            ident, stats = extract_payload(candidate)
            assert ident is None, (name, stats)
            assert extract_v1(candidate)[0] is None, name  # nor the first scheme's mark


def test_rgb_frames_can_be_marked_directly(clip, workdir):
    frames = clip[0][:24]
    marked = embed_payload(frames, 77)
    assert not np.array_equal(marked, frames)
    assert cv2.PSNR(marked, frames) > 39  # measured 39.5 dB: at most ±3.6 levels per 32-pixel block
    assert extract_payload(marked)[0] == 77

    path = workdir / "rgb-marked.mp4"
    media.encode_mp4(marked, FPS, None, RATE, path)
    assert extract_payload(media.decode_frames(path))[0] == 77

    one_in_three = embed_payload(frames, 78, every=3)
    ident, stats = extract_payload(one_in_three)
    assert ident == 78 and stats["frames_used"] == 8  # the reader votes with the marked frames only


def test_embedding_is_imwatermark_dwtdctsvd():
    from imwatermark import WatermarkDecoder

    frame = textured_clip(seconds=1 / FPS, seed=5)[0][0]
    bits = np.random.default_rng(3).integers(0, 2, 48).astype(np.uint8)
    marked = invisible.embed_bits(frame, bits, scheme=invisible.IMWATERMARK_SCHEME)
    decoded = WatermarkDecoder("bits", 48).decode(np.ascontiguousarray(marked[..., ::-1]), "dwtDctSvd")
    assert np.array_equal(np.asarray(decoded, dtype=np.uint8), bits)


def test_frames_too_small_for_a_mark_are_refused():
    with pytest.raises(ValueError, match="too small"):
        embed_payload(np.zeros((2, 128, 128, 3), np.uint8), 1)
    assert extract_payload(np.zeros((2, 128, 128, 3), np.uint8))[0] is None


# --- C2PA ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keys(workdir):
    return create_local_ca(workdir / "keys")


@pytest.fixture(scope="module")
def signed_mp4(marked_mp4, keys, workdir) -> Path:
    path = workdir / "signed.mp4"
    manifest = ClipManifest(
        generator_version="0.1.0", title="Riff clip by @dana", job_id=11, post_id=21,
        prompt="a red ball bounces on a trampoline", cameo_ids=(5, 6), consent_grant_ids=(301, 302),
    )
    sign_mp4(marked_mp4, path, manifest=manifest, cert_chain_path=keys.cert_chain, key_path=keys.private_key)
    return path


def test_local_ca_issues_a_signing_certificate(keys):
    ca = x509.load_pem_x509_certificate(keys.trust_anchor.read_bytes())
    leaf, chained_ca = x509.load_pem_x509_certificates(keys.cert_chain.read_bytes())

    assert chained_ca == ca
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign is True
    assert leaf.issuer == ca.subject
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature is True
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    authority = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    assert authority == ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert os.stat(keys.private_key).st_mode & 0o077 == 0


def test_ensure_local_keys_keeps_existing_keys(tmp_path):
    first, created = ensure_local_keys(tmp_path)
    anchor = first.trust_anchor.read_bytes()
    again, created_again = ensure_local_keys(tmp_path)
    assert created and not created_again and again.trust_anchor.read_bytes() == anchor
    _, forced = ensure_local_keys(tmp_path, force=True)
    assert forced and first.trust_anchor.read_bytes() != anchor


def test_signed_clip_reads_back_valid_and_trusted(signed_mp4, keys):
    summary = read_manifest(signed_mp4)
    assert summary["state"] == "valid"
    assert summary["validation_errors"] == []

    trusted = read_manifest(signed_mp4, trust_anchor_pem=keys.trust_anchor.read_text())
    assert trusted["state"] == "trusted"
    assert trusted["generator"] == "Riff/0.1.0"
    assert trusted["title"] == "Riff clip by @dana"
    [action] = trusted["actions"]
    assert action["action"] == "c2pa.created"
    assert action["digitalSourceType"] == TRAINED
    assert action["description"] == "a red ball bounces on a trampoline"
    assert trusted["riff"] == {"job_id": 11, "post_id": 21, "cameos": [5, 6], "consent_grants": [301, 302]}
    assert trusted["ingredients"] == []


def test_signing_keeps_the_media_and_the_mark(signed_mp4, marked_mp4):
    assert media.probe(signed_mp4)["frame_count"] == media.probe(marked_mp4)["frame_count"]
    assert extract_payload(media.decode_frames(signed_mp4, step=3))[0] == IDENT


def test_private_prompt_is_left_out(marked_mp4, keys, workdir):
    path = workdir / "private.mp4"
    manifest = ClipManifest(generator_version="0.1.0", title="Riff clip", job_id=12, post_id=22)
    sign_mp4(marked_mp4, path, manifest=manifest, cert_chain_path=keys.cert_chain, key_path=keys.private_key)
    summary = read_manifest(path)
    assert "description" not in summary["actions"][0]
    assert "a red ball" not in path.read_bytes().decode("latin-1")


def test_remix_lists_its_parent_as_an_ingredient(signed_mp4, clip, keys, workdir):
    remix_src = workdir / "remix-unsigned.mp4"
    media.encode_mp4(clip[0][::-1], FPS, clip[1], RATE, remix_src)
    remix = workdir / "remix.mp4"
    manifest = ClipManifest(generator_version="0.1.0", title="Remix by @lee", job_id=13, post_id=23,
                            parent_path=signed_mp4, parent_title="Riff clip 21")
    sign_mp4(remix_src, remix, manifest=manifest, cert_chain_path=keys.cert_chain, key_path=keys.private_key)

    summary = read_manifest(remix, trust_anchor_pem=keys.trust_anchor.read_text())
    assert summary["state"] == "trusted"
    assert [action["action"] for action in summary["actions"]] == ["c2pa.opened", "c2pa.edited"]
    assert summary["actions"][1]["digitalSourceType"] == TRAINED
    [parent] = summary["ingredients"]
    assert parent["title"] == "Riff clip 21"
    assert parent["relationship"] == "parentOf"
    assert parent["riff"]["post_id"] == 21  # the parent's own manifest travels with the remix


def mdat_offset(data: bytes) -> tuple[int, int]:
    position = 0
    while position < len(data):
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        if kind == b"mdat":
            return position, size
        position += size
    raise AssertionError("no mdat box")


def test_tampered_clip_reads_back_invalid(signed_mp4, keys, workdir):
    data = bytearray(signed_mp4.read_bytes())
    start, size = mdat_offset(bytes(data))
    for offset in range(start + size // 2, start + size // 2 + 32):
        data[offset] ^= 0xFF
    tampered = workdir / "tampered.mp4"
    tampered.write_bytes(bytes(data))

    summary = read_manifest(tampered, trust_anchor_pem=keys.trust_anchor.read_text())
    assert summary["state"] == "invalid"
    assert any("mismatch" in error["code"] for error in summary["validation_errors"])


def test_unsigned_and_unreadable_files(marked_mp4, workdir):
    assert read_manifest(marked_mp4)["state"] == "none"
    junk = workdir / "junk.mp4"
    junk.write_bytes(np.random.default_rng(2).bytes(5000))
    summary = read_manifest(junk)
    assert summary["state"] == "invalid"
    assert summary["validation_errors"][0]["code"] == "asset.unreadable"
