"""Security (issue 16): token expiry, person and two-person grants, throttling per address.

Tokens issued before this migration expire DEFAULT_TOKEN_DAYS after they were created."""

from datetime import timedelta

from django.db import migrations, models

DEFAULT_TOKEN_DAYS = 90  # khetrial.edc.accounts.roles.DEFAULT_TOKEN_DAYS when this was written


def expire_old_tokens(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True):
        token.expires_at = token.created_at + timedelta(days=DEFAULT_TOKEN_DAYS)
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='profile',
            name='failed_logins',
        ),
        migrations.RemoveField(
            model_name='profile',
            name='locked_until',
        ),
        migrations.AddField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(expire_old_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(),
        ),
        migrations.AddField(
            model_name='profile',
            name='approved_by',
            field=models.CharField(blank=True, default='', max_length=150),
        ),
        migrations.AddField(
            model_name='profile',
            name='granted_by',
            field=models.CharField(blank=True, default='', max_length=150),
        ),
        migrations.AddField(
            model_name='profile',
            name='pending',
            field=models.BooleanField(default=False, help_text='granted on the web, waiting for a second admin'),
        ),
        migrations.AddField(
            model_name='profile',
            name='person',
            field=models.CharField(blank=True, default='', help_text='the human holding the account (e.g. e-mail); empty = the user name', max_length=150),
        ),
        migrations.CreateModel(
            name='LoginThrottle',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('username', models.CharField(max_length=150)),
                ('address', models.CharField(max_length=64)),
                ('failures', models.PositiveIntegerField(default=0)),
                ('locked_until', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('username', 'address'), name='one_throttle_per_user_and_address')],
            },
        ),
    ]
