# Identifiers at most 40 characters (khetrial.bundle.format.ID_MAX_LENGTH): the model state
# everywhere; the column type on PostgreSQL only. SQLite does not enforce a varchar length, and
# its AlterField would rebuild the tables (refused while foreign-key checks are on in the
# migration transaction), so there the columns stay as they are.

from django.db import migrations, models

COLUMNS = (("trial_patient", "patient_id"), ("trial_screening", "screening_id"),
           ("trial_site", "code"))


def _set_length(length: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column in COLUMNS:
            schema_editor.execute(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({length})')
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('trial', '0003_patient_date_indexes_only'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='patient',
                    name='patient_id',
                    field=models.CharField(max_length=40, unique=True),
                ),
                migrations.AlterField(
                    model_name='screening',
                    name='screening_id',
                    field=models.CharField(max_length=40),
                ),
                migrations.AlterField(
                    model_name='site',
                    name='code',
                    field=models.CharField(max_length=40, unique=True),
                ),
            ],
            database_operations=[
                migrations.RunPython(_set_length(40), _set_length(64)),
            ],
        ),
    ]
