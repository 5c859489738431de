from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "khetrial.edc.web"
    verbose_name = "Web application"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # the session's idle clock starts at login (a user_logged_in receiver), whichever
        # module logs the user in first
        from khetrial.edc.web import middleware  # noqa: F401
