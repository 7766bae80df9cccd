"""``python manage.py provenance_init [--force]``: create the local C2PA signing CA and certificate.

Writes a root CA and a signing certificate it issued to the paths in settings (``C2PA_TRUST_ANCHOR``,
``C2PA_CERT_CHAIN``, ``C2PA_PRIVATE_KEY``; by default under ``PROVENANCE_DIR``). Does nothing when they already
exist, unless ``--force`` (which makes every clip signed before unverifiable against the new anchor).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from generation.provenance import ensure_local_keys, local_keys


class Command(BaseCommand):
    help = "Create the local C2PA root CA and signing certificate (idempotent; --force to replace them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="replace existing keys and certificates")

    def handle(self, *args: object, **options: object) -> None:
        keys = local_keys(
            settings.PROVENANCE_DIR,
            cert_chain=settings.C2PA_CERT_CHAIN,
            private_key=settings.C2PA_PRIVATE_KEY,
            trust_anchor=settings.C2PA_TRUST_ANCHOR,
        )
        keys, created = ensure_local_keys(settings.PROVENANCE_DIR, force=bool(options["force"]), keys=keys)
        self.stdout.write("created" if created else "already present (use --force to replace)")
        self.stdout.write(f"signing certificate chain: {keys.cert_chain}")
        self.stdout.write(f"signing private key:       {keys.private_key}")
        self.stdout.write(f"trust anchor (root CA):    {keys.trust_anchor}")
