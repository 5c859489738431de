from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "khetrial.edc.audit"
    verbose_name = "Audit trail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from khetrial.edc.audit import capture, guard

        capture.connect()
        connection_created.connect(guard.register, dispatch_uid="khetrial.edc.audit.guard")
