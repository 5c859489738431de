from django.apps import AppConfig


class RandomizationConfig(AppConfig):
    name = "khetrial.edc.randomization"
    verbose_name = "Randomization"
    default_auto_field = "django.db.models.BigAutoField"
