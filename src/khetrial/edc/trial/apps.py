from django.apps import AppConfig


class TrialConfig(AppConfig):
    name = "khetrial.edc.trial"
    verbose_name = "Trial data"
    default_auto_field = "django.db.models.BigAutoField"
