"""Tiny random-weight video models, saved like the real checkpoints, for tests and benchmarks.

:func:`make_tiny_model` builds a pipeline from config (no download), seeds every component with
``torch.manual_seed(0)`` so two builds are identical, and writes it with ``save_pretrained``: the
diffusers backend then loads it through the same ``from_pretrained`` path as a production model.
The weights are random, so the pictures are noise; sizes, frame counts, conditioning and the step
loop are the real ones.

Layouts (``layout=``), each the shape of a published checkpoint family:

- ``"ti2v"`` (Wan default) — like Wan2.2-TI2V-5B: a ``WanPipeline`` whose config has
  ``expand_timesteps=True`` and ONE transformer with ``in_channels == z_dim``. The same weights
  serve text-to-video (``WanPipeline``), video-to-video (``WanVideoToVideoPipeline``) and
  image-to-video (``WanImageToVideoPipeline``, which conditions by replacing the first latent frame,
  so it needs no image encoder). This is the layout that serves every job kind.
- ``"t2v"`` — like Wan2.1-T2V-1.3B: text and video-to-video only (no way to start from an image).
- ``"i2v"`` — like Wan2.1-I2V-14B: a ``WanImageToVideoPipeline`` whose transformer takes
  ``in_channels = 2 * z_dim + 4`` (noise + mask + encoded first frame) and cross-attends to a CLIP
  image encoder. It starts from an image; it cannot do plain text-to-video.
- ``"vace"`` — like Wan2.1-VACE-1.3B: a ``WanVACEPipeline`` (text, control video, reference images).
- ``"ltx"`` (LTX default) — like LTX-Video 0.9: an ``LTXPipeline`` whose one transformer also serves
  ``LTXImageToVideoPipeline`` and ``LTXConditionPipeline``. The VAE keeps the real compression
  (32 px spatial, 8 frames temporal), so frame counts are ``8k + 1`` and sizes multiples of 32.
- ``"ltx2"`` (LTX-2 default) — like LTX-2: an ``LTX2Pipeline`` that makes the picture and its sound together
  (a video and an audio transformer stream, an audio VAE and a vocoder), whose weights also serve
  ``LTX2ImageToVideoPipeline`` and ``LTX2ConditionPipeline``. Its text encoder is a Gemma 3 built from config
  (two tiny layers, a one-layer vision tower the pipeline never uses) with the in-memory tokenizer below; the
  video VAE keeps LTX-2's compression (32 px, 8 frames). Values follow diffusers' own LTX-2 tests.

:func:`make_tiny_audio_model` builds a Stable Audio-shaped text-to-audio pipeline (8 kHz, a 2 s window) for
the optional ambience model. It uses the EDM DPM-Solver scheduler because the published model's cosine
variant needs ``torchsde``.

Wan values follow diffusers' own pipeline tests; the Wan VAE keeps the real ratios (8 px spatial,
4 frames temporal; with the 2 px patch, sizes are multiples of 16 and frame counts ``4k + 1``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

WAN_LAYOUTS = ("ti2v", "t2v", "i2v", "vace")
LTX_LAYOUTS = ("ltx",)
LTX2_LAYOUTS = ("ltx2",)
DEFAULT_LAYOUT = {"wan": "ti2v", "ltx": "ltx", "ltx2": "ltx2"}
LAYOUTS = {"wan": WAN_LAYOUTS, "ltx": LTX_LAYOUTS, "ltx2": LTX2_LAYOUTS}

_WORDS = (
    "a an the and of in on at with to from by is are it its this that over under into out up down "
    "cat dog bird fish horse person man woman child people robot car boat train ball "
    "beach sea ocean sky sun moon rain snow forest city street room house kitchen park mountain river "
    "red orange yellow green blue purple black white pink brown gold silver "
    "walks runs jumps flies swims dances sings says talks rolls falls spins waves smiles "
    "big small tall slow fast happy sad bright dark night day morning evening camera close wide shot"
).split()
_TEXT_DIM = 32


def make_tiny_model(out_dir: str | Path, family: str, *, layout: str | None = None) -> Path:
    """Build the tiny ``family`` ("wan" | "ltx" | "ltx2") model in ``layout`` and save it to ``out_dir``."""
    import torch

    if family not in DEFAULT_LAYOUT:
        raise ValueError(f"unknown model family {family!r} (expected one of {', '.join(DEFAULT_LAYOUT)})")
    layout = layout or DEFAULT_LAYOUT[family]
    allowed = LAYOUTS[family]
    if layout not in allowed:
        raise ValueError(f"unknown {family} layout {layout!r} (expected one of {', '.join(allowed)})")

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with torch.random.fork_rng():
        pipe = _build_wan(layout) if family == "wan" else _build_ltx() if family == "ltx" else _build_ltx2()
    pipe.save_pretrained(str(out))
    return out


def make_tiny_audio_model(out_dir: str | Path) -> Path:
    """Build a tiny text-to-audio pipeline (Stable Audio layout) and save it to ``out_dir``."""
    import torch
    from diffusers import (
        AutoencoderOobleck,
        EDMDPMSolverMultistepScheduler,
        StableAudioDiTModel,
        StableAudioPipeline,
        StableAudioProjectionModel,
    )
    from transformers import T5Config, T5EncoderModel

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = tiny_tokenizer(max_length=32)
    text_config = T5Config(
        vocab_size=len(tokenizer), d_model=_TEXT_DIM, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
        relative_attention_num_buckets=8,
    )
    with torch.random.fork_rng():
        pipe = StableAudioPipeline(
            transformer=_seeded(
                StableAudioDiTModel, sample_size=512, in_channels=3, num_layers=2, attention_head_dim=4,
                num_key_value_attention_heads=2, out_channels=3, cross_attention_dim=4, time_proj_dim=8,
                global_states_input_dim=8, cross_attention_input_dim=4,
            ),
            scheduler=EDMDPMSolverMultistepScheduler(
                solver_order=2, prediction_type="v_prediction", sigma_data=1.0, sigma_schedule="exponential",
            ),
            vae=_seeded(
                AutoencoderOobleck, encoder_hidden_size=6, downsampling_ratios=[4, 8], decoder_channels=3,
                decoder_input_channels=3, audio_channels=2, channel_multiples=[2, 4], sampling_rate=8000,
            ),
            text_encoder=_seeded(T5EncoderModel, text_config),
            tokenizer=tokenizer,
            projection_model=_seeded(
                StableAudioProjectionModel, text_encoder_dim=_TEXT_DIM, conditioning_dim=4, min_value=0, max_value=32,
            ),
        )
    pipe.save_pretrained(str(out))
    return out


def tiny_tokenizer(max_length: int = 512) -> Any:
    """A small in-memory T5 (unigram) tokenizer: lowercase letters, digits and common words."""
    from transformers import T5Tokenizer

    specials = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0)]
    words = [(f"▁{w}", -4.0) for w in dict.fromkeys(_WORDS)]
    chars = [(c, -6.0) for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    punctuation = [(c, -7.0) for c in ".,!?'\"-:;"]
    return T5Tokenizer(vocab=specials + words + chars + punctuation, extra_ids=0, model_max_length=max_length)


def _seeded(factory: Any, *args: Any, **kwargs: Any) -> Any:
    import torch

    torch.manual_seed(0)
    return factory(*args, **kwargs)


def _wan_text_parts() -> dict[str, Any]:
    from diffusers import AutoencoderKLWan, FlowMatchEulerDiscreteScheduler
    from transformers import UMT5Config, UMT5EncoderModel

    tokenizer = tiny_tokenizer()
    text_config = UMT5Config(
        vocab_size=len(tokenizer), d_model=_TEXT_DIM, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
        relative_attention_num_buckets=8,
    )
    return {
        "tokenizer": tokenizer,
        "text_encoder": _seeded(UMT5EncoderModel, text_config),
        "vae": _seeded(
            AutoencoderKLWan, base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
            temperal_downsample=[False, True, True],
        ),
        "scheduler": FlowMatchEulerDiscreteScheduler(shift=7.0),
    }


def _wan_transformer_kwargs() -> dict[str, Any]:
    return {
        "patch_size": (1, 2, 2), "num_attention_heads": 2, "attention_head_dim": 12, "out_channels": 16,
        "text_dim": _TEXT_DIM, "freq_dim": 256, "ffn_dim": 32, "num_layers": 2, "cross_attn_norm": True,
        "qk_norm": "rms_norm_across_heads", "rope_max_seq_len": 1024,  # Wan's own: room for 720p grids
    }


def _build_wan(layout: str) -> Any:
    from diffusers import (
        WanImageToVideoPipeline,
        WanPipeline,
        WanTransformer3DModel,
        WanVACEPipeline,
        WanVACETransformer3DModel,
    )

    parts = _wan_text_parts()
    kwargs = _wan_transformer_kwargs()
    if layout == "vace":
        transformer = _seeded(
            WanVACETransformer3DModel, in_channels=16, vace_layers=[0, 1], vace_in_channels=96, **kwargs
        )
        return WanVACEPipeline(transformer=transformer, transformer_2=None, **parts)
    if layout == "i2v":
        from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

        transformer = _seeded(WanTransformer3DModel, in_channels=36, image_dim=4, **kwargs)
        vision_config = CLIPVisionConfig(
            hidden_size=4, projection_dim=4, num_hidden_layers=2, num_attention_heads=2, image_size=32,
            intermediate_size=16, patch_size=1,
        )
        return WanImageToVideoPipeline(
            transformer=transformer,
            transformer_2=None,
            image_encoder=_seeded(CLIPVisionModel, vision_config),
            image_processor=CLIPImageProcessor(crop_size=32, size=32),
            **parts,
        )
    transformer = _seeded(WanTransformer3DModel, in_channels=16, **kwargs)
    return WanPipeline(transformer=transformer, transformer_2=None, expand_timesteps=layout == "ti2v", **parts)


def _build_ltx() -> Any:
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXPipeline,
        LTXVideoTransformer3DModel,
    )
    from transformers import T5Config, T5EncoderModel

    tokenizer = tiny_tokenizer()
    text_config = T5Config(
        vocab_size=len(tokenizer), d_model=_TEXT_DIM, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
        relative_attention_num_buckets=8,
    )
    transformer = _seeded(
        LTXVideoTransformer3DModel, in_channels=8, out_channels=8, patch_size=1, patch_size_t=1,
        num_attention_heads=4, attention_head_dim=8, cross_attention_dim=32, num_layers=2,
        caption_channels=_TEXT_DIM,
    )
    vae = _seeded(
        AutoencoderKLLTXVideo, in_channels=3, out_channels=3, latent_channels=8,
        block_out_channels=(8, 8, 8, 8), decoder_block_out_channels=(8, 8, 8, 8),
        layers_per_block=(1, 1, 1, 1, 1), decoder_layers_per_block=(1, 1, 1, 1, 1),
        spatio_temporal_scaling=(True, True, True, False), decoder_spatio_temporal_scaling=(True, True, True, False),
        decoder_inject_noise=(False, False, False, False, False), upsample_residual=(False, False, False, False),
        upsample_factor=(1, 1, 1, 1), timestep_conditioning=False, patch_size=4, patch_size_t=1,
        encoder_causal=True, decoder_causal=False,
    )
    return LTXPipeline(
        transformer=transformer, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=_seeded(T5EncoderModel, text_config), tokenizer=tokenizer,
    )


def _build_ltx2() -> Any:
    from diffusers import (
        AutoencoderKLLTX2Audio,
        AutoencoderKLLTX2Video,
        FlowMatchEulerDiscreteScheduler,
        LTX2Pipeline,
        LTX2VideoTransformer3DModel,
    )
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    tokenizer = tiny_tokenizer()
    hidden = 32  # the connectors' width (4 heads × 8): the text encoder's hidden size must match it
    text_config = Gemma3Config(
        text_config={"vocab_size": len(tokenizer) + 8, "hidden_size": hidden, "intermediate_size": 32,
                     "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 8,
                     "max_position_embeddings": 512, "sliding_window": 64},
        vision_config={"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
                       "image_size": 28, "patch_size": 14},
        mm_tokens_per_image=4,
    )
    rope = {"rope_double_precision": False, "rope_type": "split"}
    transformer = _seeded(
        LTX2VideoTransformer3DModel, in_channels=8, out_channels=8, patch_size=1, patch_size_t=1,
        num_attention_heads=2, attention_head_dim=8, cross_attention_dim=16, audio_in_channels=4, audio_out_channels=4,
        audio_num_attention_heads=2, audio_attention_head_dim=4, audio_cross_attention_dim=8, num_layers=2,
        qk_norm="rms_norm_across_heads", caption_channels=hidden, **rope,
    )
    connectors = _seeded(
        LTX2TextConnectors, caption_channels=hidden, text_proj_in_factor=3, video_connector_num_attention_heads=4,
        video_connector_attention_head_dim=8, video_connector_num_layers=1,
        video_connector_num_learnable_registers=None, audio_connector_num_attention_heads=4, audio_connector_attention_head_dim=8, audio_connector_num_layers=1,
        audio_connector_num_learnable_registers=None, connector_rope_base_seq_len=32, rope_theta=10000.0,
        causal_temporal_positioning=False, **rope,
    )
    vae = _seeded(
        AutoencoderKLLTX2Video, in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8), layers_per_block=(1, 1, 1, 1, 1), decoder_layers_per_block=(1, 1, 1, 1),
        spatio_temporal_scaling=(True, True, True, True), decoder_spatio_temporal_scaling=(True, True, True),
        decoder_inject_noise=(False, False, False, False), upsample_residual=(False, False, False),
        upsample_factor=(1, 1, 1), timestep_conditioning=False, patch_size=4, patch_size_t=1, encoder_causal=True,
        decoder_causal=False, spatial_compression_ratio=32, temporal_compression_ratio=8,
    )
    audio_vae = _seeded(
        AutoencoderKLLTX2Audio, base_channels=4, output_channels=2, ch_mult=(1,), num_res_blocks=1,
        attn_resolutions=None, in_channels=2, resolution=32, latent_channels=2, norm_type="pixel",
        causality_axis="height", dropout=0.0, mid_block_add_attention=False, sample_rate=16000, mel_hop_length=160,
        is_causal=True, mel_bins=8,
    )
    vocoder = _seeded(
        LTX2Vocoder, in_channels=16, hidden_channels=32, out_channels=2, upsample_kernel_sizes=[4, 4],
        upsample_factors=[2, 2], resnet_kernel_sizes=[3], resnet_dilations=[[1, 3, 5]], leaky_relu_negative_slope=0.1,
        output_sampling_rate=16000,
    )
    return LTX2Pipeline(
        transformer=transformer, vae=vae, audio_vae=audio_vae, scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=_seeded(Gemma3ForConditionalGeneration, text_config), tokenizer=tokenizer, connectors=connectors,
        vocoder=vocoder, processor=None, prompt_enhancer=None, duration_head=None,
    )
