"""Keys made before a member could hold several keep working: each becomes an ApiToken (its digest only)."""

import hashlib

from django.db import migrations


def copy_tokens(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user_id=token.user_id,
                digest=hashlib.sha256(token.key.encode()).hexdigest(),
                prefix=token.key[:8],
                label="API token",
            )
            for token in Token.objects.all().iterator()
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_credentials"),
        ("authtoken", "0003_tokenproxy"),
    ]

    operations = [migrations.RunPython(copy_tokens, migrations.RunPython.noop)]
