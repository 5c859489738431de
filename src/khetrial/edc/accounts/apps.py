from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "khetrial.edc.accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from khetrial.edc.accounts import signals  # noqa: F401  (login / failed-login recording)
