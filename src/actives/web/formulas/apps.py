"""App configuration for the regulation (formula) pages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormulasConfig(AppConfig):
    """Formulas, their versions, raw materials and stored regulatory checks."""

    name = "actives.web.formulas"
    label = "formulas"
    verbose_name = _("Regulation")

    def ready(self) -> None:
        from actives.web.formulas import kinds  # noqa: F401  (registers the re-check job)
