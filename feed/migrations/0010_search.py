"""Full-text search over posts (feed.search): ``search_text`` (caption + public prompt), filled for existing
posts, and the database's own index of it: an FTS5 table kept by triggers on SQLite, a GIN index on PostgreSQL."""

from django.db import migrations, models

SQLITE = [
    "CREATE VIRTUAL TABLE feed_post_fts USING fts5(search_text, content='feed_post', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER feed_post_fts_insert AFTER INSERT ON feed_post BEGIN "
    "INSERT INTO feed_post_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER feed_post_fts_delete AFTER DELETE ON feed_post BEGIN "
    "INSERT INTO feed_post_fts(feed_post_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER feed_post_fts_update AFTER UPDATE OF search_text ON feed_post BEGIN "
    "INSERT INTO feed_post_fts(feed_post_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO feed_post_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO feed_post_fts(feed_post_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS feed_post_fts_insert", "DROP TRIGGER IF EXISTS feed_post_fts_delete",
    "DROP TRIGGER IF EXISTS feed_post_fts_update", "DROP TABLE IF EXISTS feed_post_fts",
]
# A configuration that keeps every word as it is (no language's stemming: posts are in several languages) with
# accents folded ("ete" finds "été"), a stored tsvector column computed by the database from search_text (so
# neither the index's recheck nor the ranking recomputes it), and a GIN index on it (feed.search reads them with
# SQL: Django's model does not know the column). unaccent ships with PostgreSQL (contrib) and is a trusted
# extension: the database's owner may create it.
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION riff_search (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION riff_search ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
    "ALTER TABLE feed_post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('riff_search'::regconfig, COALESCE(search_text, ''))) STORED",
    # fastupdate off: posts are written rarely and searched often, and GIN's pending list of unmerged entries
    # (until a vacuum) is scanned by every search (measured: 5 ms a query with 20,000 fresh posts, 1 ms without).
    "CREATE INDEX post_search ON feed_post USING gin (search_vector) WITH (fastupdate = off)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS post_search", "ALTER TABLE feed_post DROP COLUMN IF EXISTS search_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS riff_search",
]


def fill(apps, schema_editor):
    Post = apps.get_model("feed", "Post")
    for post in Post.objects.only("pk", "caption", "prompt", "prompt_public").iterator():
        text = f"{post.caption}\n{post.prompt}" if post.prompt_public and post.prompt else post.caption
        Post.objects.filter(pk=post.pk).update(search_text=text)


def index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE if vendor == "sqlite" else POSTGRES if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def unindex(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_DROP if vendor == "sqlite" else POSTGRES_DROP if vendor == "postgresql" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("feed", "0009_tags")]

    operations = [
        migrations.AddField(model_name="post", name="search_text", field=models.TextField(blank=True, default="")),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
    ]
