"""Notification and WatchDay, moved here from feed: the tables already exist (feed_notification,
feed_watchday), so only the state is created."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_user_feed_version'),
        ('feed', '0006_models_moved_out'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('follow', 'Follow'), ('like', 'Like'), ('comment', 'Comment'), ('remix', 'Remix'), ('cameo_use', 'Cameo Use'), ('cameo_request', 'Cameo Request'), ('cameo_approved', 'Cameo Approved'), ('moderation', 'Moderation'), ('system', 'System')], max_length=20)),
                        ('text', models.CharField(blank=True, max_length=300)),
                        ('data', models.JSONField(blank=True, default=dict)),
                        ('read_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('post', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='feed.post')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'feed_notification',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['recipient', '-created_at'], name='feed_notifi_recipie_18f820_idx'), models.Index(condition=models.Q(('read_at__isnull', True)), fields=['recipient'], name='notification_unread')],
                    },
                ),
                migrations.CreateModel(
                    name='WatchDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField()),
                        ('watch_s', models.FloatField(default=0)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='watch_days', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'feed_watchday',
                        'constraints': [models.UniqueConstraint(fields=('user', 'day'), name='watch_day_once')],
                    },
                ),
            ],
        ),
    ]
