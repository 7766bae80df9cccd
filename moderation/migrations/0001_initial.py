"""ModerationAction and Appeal, moved here from feed: the tables already exist (feed_moderationaction, its
reports table, feed_appeal), so only the state is created."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('feed', '0006_models_moved_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ModerationAction',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('comment_text', models.CharField(blank=True, max_length=1000)),
                        ('comment_parent_id', models.BigIntegerField(blank=True, null=True)),
                        ('comment_created_at', models.DateTimeField(blank=True, null=True)),
                        ('action', models.CharField(choices=[('dismiss', 'Dismiss'), ('take_down', 'Take Down'), ('warn', 'Warn'), ('suspend', 'Suspend')], max_length=10)),
                        ('reason', models.CharField(max_length=500)),
                        ('until', models.DateTimeField(blank=True, null=True)),
                        ('reversed_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('comment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='feed.comment')),
                        ('moderator', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='moderation_done', to=settings.AUTH_USER_MODEL)),
                        ('post', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='moderation_actions', to='feed.post')),
                        ('reports', models.ManyToManyField(blank=True, related_name='actions', to='feed.report')),
                        ('target', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='moderation_received', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'feed_moderationaction',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Appeal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.CharField(max_length=1000)),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('granted', 'Granted'), ('denied', 'Denied')], default='pending', max_length=10)),
                        ('decision_reason', models.CharField(blank=True, max_length=500)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='appeals', to=settings.AUTH_USER_MODEL)),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('action', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='appeal', to='moderation.moderationaction')),
                    ],
                    options={
                        'db_table': 'feed_appeal',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='moderationaction',
                    index=models.Index(fields=['target', '-created_at'], name='moderation_target_recent'),
                ),
                migrations.AddConstraint(
                    model_name='moderationaction',
                    constraint=models.CheckConstraint(condition=models.Q(('action__in', ['dismiss', 'take_down', 'warn', 'suspend'])), name='moderation_action_valid'),
                ),
                migrations.AddConstraint(
                    model_name='moderationaction',
                    constraint=models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='moderation_has_reason'),
                ),
                migrations.AddConstraint(
                    model_name='moderationaction',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('action', 'suspend'), _negated=True), ('until__isnull', False), _connector='OR'), name='moderation_suspend_has_until'),
                ),
                migrations.AddConstraint(
                    model_name='appeal',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'granted', 'denied'])), name='appeal_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='appeal',
                    constraint=models.CheckConstraint(condition=models.Q(('status', 'pending'), models.Q(('decided_at__isnull', False), models.Q(('decision_reason', ''), _negated=True)), _connector='OR'), name='appeal_decision_recorded'),
                ),
            ],
        ),
    ]
