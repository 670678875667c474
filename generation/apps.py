from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "generation"
    verbose_name = "Campaign studio"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from generation import checks  # noqa: F401  (registers the system checks)
