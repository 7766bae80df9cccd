"""Embed again the posts and steering texts whose vectors another sentence-embedding model made (``make run``
runs this; it does nothing when every vector is current)."""

from django.core.management.base import BaseCommand

from core.embeddings import MODEL_ID
from feed.embeddings import embeddings_refresh


class Command(BaseCommand):
    help = "Embed again every post and steering text made with another sentence-embedding model."

    def handle(self, *args, **options):
        posts, preferences = embeddings_refresh()
        if posts or preferences:
            self.stdout.write(f"embeddings ({MODEL_ID}): {posts} posts and {preferences} steering texts embedded again")
