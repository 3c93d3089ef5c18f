"""App configuration for discovery."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscoveryConfig(AppConfig):
    """Which constituents of a plant, extract or library are likely actives for a function."""

    name = "actives.web.discovery"
    label = "discovery"
    verbose_name = _("Discovery")

    def ready(self) -> None:
        from actives.web.discovery import kinds  # noqa: F401  (registers the discovery jobs)
