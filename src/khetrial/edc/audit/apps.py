from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "khetrial.edc.audit"
    verbose_name = "Audit trail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from khetrial.edc.audit import capture

        capture.connect()
