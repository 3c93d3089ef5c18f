"""Forms of the accounts app."""

from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from actives.web.accounts.models import Company, Role, User


class ApiTokenForm(forms.Form):
    """Name a new API token so that its owner can tell tokens apart later."""

    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        strip=True,
        help_text=_("For example: 'lab notebook script' or 'LIMS export'."),
    )


class CompanyForm(forms.ModelForm):  # type: ignore[type-arg]
    """A client company as a centre manager registers it."""

    class Meta:
        model = Company
        fields = ["name", "name_ko", "business_number", "contact_email"]


class MemberForm(UserCreationForm):  # type: ignore[type-arg]
    """A new member of one company; the company is fixed by the page, the role is 'member'."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.company = company
        self.instance.role = Role.COMPANY_MEMBER
        self.fields["email"].required = True
