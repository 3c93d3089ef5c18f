"""App configuration for accounts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users, companies and roles."""

    name = "actives.web.accounts"
    label = "accounts"
    verbose_name = _("Accounts and companies")
    default_auto_field = "django.db.models.BigAutoField"
