"""App configuration for background jobs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Job records, the job-kind registry and the task that runs them."""

    name = "actives.web.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from actives.web.jobs import kinds  # noqa: F401  (registers the built-in job kinds)
