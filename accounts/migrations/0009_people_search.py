"""People search (feed.search.search_people) matches words anywhere in a handle or display name
(``UPPER(col) LIKE UPPER('%word%')``). On PostgreSQL, trigram indexes on those expressions let such a search read
the index instead of every member's row; pg_trgm ships with PostgreSQL (contrib) and is a trusted extension, so
the database's owner may create it. SQLite has no such index: an embedded install's member table is read whole."""

from django.db import migrations

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS user_handle_trgm ON accounts_user USING gin (UPPER(username::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS user_name_trgm ON accounts_user USING gin (UPPER(display_name::text) gin_trgm_ops)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS user_handle_trgm", "DROP INDEX IF EXISTS user_name_trgm"]


def index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES:
            schema_editor.execute(sql)


def unindex(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_copy_api_tokens")]

    operations = [migrations.RunPython(index, unindex)]
