"""App configuration for predictions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PredictionsConfig(AppConfig):
    """Efficacy and permeation predictions with intervals, applicability domain and evidence."""

    name = "actives.web.predictions"
    label = "predictions"
    verbose_name = _("Predictions")

    def ready(self) -> None:
        from actives.web.predictions import kinds  # noqa: F401  (registers the batch job)
