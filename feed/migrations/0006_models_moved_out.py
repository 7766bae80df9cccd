"""Notification and WatchDay moved to accounts, ModerationAction and Appeal to moderation: only the
models' state leaves this app; their tables stay as they are (the new owners keep the table names)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('feed', '0005_moderation'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='moderationaction',
                    name='comment',
                ),
                migrations.RemoveField(
                    model_name='moderationaction',
                    name='moderator',
                ),
                migrations.RemoveField(
                    model_name='moderationaction',
                    name='post',
                ),
                migrations.RemoveField(
                    model_name='moderationaction',
                    name='reports',
                ),
                migrations.RemoveField(
                    model_name='moderationaction',
                    name='target',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='post',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='recipient',
                ),
                migrations.RemoveField(
                    model_name='watchday',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='Appeal',
                ),
                migrations.DeleteModel(
                    name='ModerationAction',
                ),
                migrations.DeleteModel(
                    name='Notification',
                ),
                migrations.DeleteModel(
                    name='WatchDay',
                ),
            ],
        ),
    ]
