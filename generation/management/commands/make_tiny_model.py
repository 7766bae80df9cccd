"""``python manage.py make_tiny_model DIR --family wan|ltx|ltx2``: write a tiny random-weight video model.

The model loads through the diffusers backend like a real checkpoint (``GENERATION_MODEL=DIR``), which is
how the worker's GPU path is exercised on a machine with no model weights. The pictures are noise.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from generation.backends.tiny import DEFAULT_LAYOUT, LAYOUTS, make_tiny_audio_model, make_tiny_model


class Command(BaseCommand):
    help = "Write a tiny random-weight Wan, LTX-Video or LTX-2 model (diffusers layout) to DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_dir", metavar="DIR")
        parser.add_argument("--family", choices=sorted(DEFAULT_LAYOUT), default="wan")
        parser.add_argument(
            "--layout",
            choices=[layout for layouts in LAYOUTS.values() for layout in layouts],
            help="checkpoint layout (default: ti2v for wan, ltx for ltx, ltx2 for ltx2)",
        )
        parser.add_argument("--audio", metavar="AUDIO_DIR", help="also write a tiny text-to-audio model here")

    def handle(self, *args: object, **options: object) -> None:
        try:
            out = make_tiny_model(options["out_dir"], options["family"], layout=options["layout"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"wrote a tiny {options['family']} model to {out}")
        if options["audio"]:
            audio = make_tiny_audio_model(options["audio"])
            self.stdout.write(f"wrote a tiny text-to-audio model to {audio}")
