from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "khetrial.audit"
    verbose_name = "Audit trail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from khetrial.audit import capture

        capture.connect()
