from django.apps import AppConfig


class RandomizationConfig(AppConfig):
    name = "khetrial.randomization"
    verbose_name = "Randomization"
    default_auto_field = "django.db.models.BigAutoField"
