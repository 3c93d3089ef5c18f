"""Forms of the accounts app."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    """Name a new API token so that its owner can tell tokens apart later."""

    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        strip=True,
        help_text=_("For example: 'lab notebook script' or 'LIMS export'."),
    )
