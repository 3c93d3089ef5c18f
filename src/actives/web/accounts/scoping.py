"""The company-scoping rule, written once: members see their company's records, staff see all.

Operational models inherit :class:`CompanyScopedModel`; views and API routes fetch records with
``Model.objects.visible_to(user)`` or :func:`get_visible_or_404`, so no feature re-implements the
rule. A record with no company is centre-internal and visible to centre staff only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from actives.web.accounts.models import CompanyQuerySet, User


class CompanyScopedQuerySet(models.QuerySet[Any]):
    """A queryset that knows which records a user may see."""

    def visible_to(self, user: User | AnonymousUser) -> Self:
        """Records the user may see: all for centre staff, their company's for members."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if getattr(user, "is_centre_staff", False):
            return self
        company_id = getattr(user, "company_id", None)
        if company_id is None:
            return self.none()
        return self.filter(company_id=company_id)


class CompanyScopedModel(models.Model):
    """Base of every operational record: it belongs to a company and keeps an audit trail."""

    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The client company that owns this record; empty for centre-internal work."),
    )
    history = HistoricalRecords(inherit=True)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_visible_to(self, user: User | AnonymousUser) -> bool:
        """Whether the user may see this record (same rule as ``visible_to``)."""
        if not user.is_authenticated or not user.is_active:
            return False
        if getattr(user, "is_centre_staff", False):
            return True
        return self.company_id is not None and self.company_id == getattr(user, "company_id", None)


def get_visible_or_404(
    queryset: CompanyScopedQuerySet | CompanyQuerySet, user: User | AnonymousUser, **lookup: Any
) -> Any:
    """The record matching ``lookup`` if the user may see it; 404 otherwise.

    Another company's record answers 404, not 403, so that its existence is not disclosed.
    """
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404(_("No such record, or it belongs to another company.")) from exc


def company_for_new_record(user: User) -> Any:
    """The company a new record created by ``user`` belongs to (None for centre staff)."""
    return None if user.is_centre_staff else user.company
