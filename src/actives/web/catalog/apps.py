"""App configuration for the catalogue."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """Compounds, plants and ingredient names from the reference data pack."""

    name = "actives.web.catalog"
    label = "catalog"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        from actives.web.catalog import kinds  # noqa: F401  (registers the pack-build job)
