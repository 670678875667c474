from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "generation"
    verbose_name = "Campaign studio"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from generation import checks  # noqa: F401  (registers the system checks)
        from generation.studio.search import ensure_sqlite_index

        # SQLite drops a table's triggers when a migration rebuilds it: put the search ones back.
        post_migrate.connect(ensure_sqlite_index, sender=self)
