"""The ``dmc`` role (issue 12: a data monitoring committee member sees the closed DMC report only)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_password_reset_flag"),
    ]

    operations = [
        migrations.AlterField(
            model_name="profile",
            name="role",
            field=models.CharField(choices=[("investigator", "investigator"), ("assessor", "assessor"),
                                            ("statistician", "statistician"), ("monitor", "monitor"),
                                            ("admin", "admin"), ("dmc", "dmc")], max_length=20),
        ),
    ]
