"""App configuration for the safety pages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    """Skin sensitisation, margin of safety and sensitiser QRA for an ingredient."""

    name = "actives.web.safety"
    label = "safety"
    verbose_name = _("Safety")

    def ready(self) -> None:
        from actives.web.safety import kinds  # noqa: F401  (registers the safety jobs)
