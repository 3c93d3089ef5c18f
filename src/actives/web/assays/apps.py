"""App configuration for the assay pages (dose-response and qPCR)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssaysConfig(AppConfig):
    """Dose-response runs with their measured potencies, and qPCR runs with their well calls."""

    name = "actives.web.assays"
    label = "assays"
    verbose_name = _("Assays")
