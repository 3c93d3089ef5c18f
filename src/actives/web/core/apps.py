"""App configuration for the core pages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Layout, navigation, health and error handling shared by every page."""

    name = "actives.web.core"
    label = "core"
    verbose_name = _("Platform core")
