"""Formulas, their versions and ingredients, raw materials, and stored regulatory checks.

A formula belongs to a company (:class:`CompanyScopedModel`). Its ingredients live in numbered
versions; a version that has been checked is frozen (its check results cite it), so editing a
formula always writes a new version. A check result keeps the checker's whole answer
(``FormulaCheck.to_dict()``) with the rule-pack version it was made with, so a later rule pack
can be compared with it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actives.errors import ConflictError
from actives.regulation.formula import ProductType
from actives.web.accounts.scoping import CompanyScopedModel

PERCENT_VALIDATORS = [
    MinValueValidator(Decimal("0.000001")),
    MaxValueValidator(Decimal("100")),
]


class Exposure(models.TextChoices):
    """Rinse-off or leave-on, the first thing every rule condition asks."""

    LEAVE_ON = "leave_on", _("Leave-on")
    RINSE_OFF = "rinse_off", _("Rinse-off")


class Formula(CompanyScopedModel):
    """A product formula of a company: product type and target markets; ingredients by version."""

    name = models.CharField(_("name"), max_length=200)
    exposure = models.CharField(_("rinse-off or leave-on"), max_length=10, choices=Exposure.choices)
    areas = models.JSONField(_("body areas"), default=list, blank=True)
    children = models.BooleanField(_("for children"), default=False)
    spray = models.BooleanField(_("spray"), default=False)
    professional = models.BooleanField(_("professional use"), default=False)
    markets = models.JSONField(_("target markets"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("formula")
        verbose_name_plural = _("formulas")

    def __str__(self) -> str:
        return self.name

    @property
    def product_type(self) -> ProductType:
        """The library's product type (the tags rule conditions are matched against)."""
        return ProductType(
            self.exposure,  # type: ignore[arg-type]
            frozenset(str(a) for a in self.areas or ()),
            children=self.children,
            spray=self.spray,
            professional=self.professional,
        )

    def latest_version(self) -> FormulaVersion | None:
        """The newest version, or None for a formula without ingredients yet."""
        return self.versions.order_by("-number").first()


class FormulaVersion(models.Model):
    """One numbered state of a formula's ingredients; frozen once a check cites it."""

    formula = models.ForeignKey(
        Formula, verbose_name=_("formula"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["formula", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["formula", "number"], name="formula_version_unique")
        ]
        verbose_name = _("formula version")
        verbose_name_plural = _("formula versions")

    def __str__(self) -> str:
        return f"{self.formula.name} v{self.number}"

    @property
    def is_checked(self) -> bool:
        """Whether a stored check cites this version (then it may not change)."""
        return self.pk is not None and self.checks.exists()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.is_checked:
            raise ConflictError(
                f"Version {self.number} of {self.formula.name!r} has been checked and is frozen; "
                "expected a new version for any change."
            )
        super().save(*args, **kwargs)


class FormulaIngredient(models.Model):
    """One row of a version: a name as entered (INCI, CAS, Korean...) or a raw material."""

    version = models.ForeignKey(
        FormulaVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="ingredients",
    )
    position = models.PositiveIntegerField(_("position"))
    name = models.CharField(_("ingredient"), max_length=300, blank=True)
    percent = models.DecimalField(
        _("% w/w"), max_digits=10, decimal_places=6, validators=PERCENT_VALIDATORS
    )
    raw_material = models.CharField(_("raw material"), max_length=200, blank=True)
    function = models.CharField(_("function"), max_length=100, blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("formula ingredient")
        verbose_name_plural = _("formula ingredients")

    def __str__(self) -> str:
        return f"{self.name or self.raw_material} {self.percent} %"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.version.is_checked:
            raise ConflictError(
                f"{self.version} has been checked and is frozen; expected a new version."
            )
        super().save(*args, **kwargs)


class RawMaterial(CompanyScopedModel):
    """A trade raw material of a company and its composition (ingredients in % of it)."""

    name = models.CharField(_("name"), max_length=200)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("raw material")
        verbose_name_plural = _("raw materials")

    def __str__(self) -> str:
        return self.name


class RawMaterialComponent(models.Model):
    """One ingredient of a raw material, in % of the raw material."""

    raw_material = models.ForeignKey(
        RawMaterial,
        verbose_name=_("raw material"),
        on_delete=models.CASCADE,
        related_name="components",
    )
    position = models.PositiveIntegerField(_("position"))
    ingredient = models.CharField(_("ingredient"), max_length=300)
    fraction = models.DecimalField(
        _("percentage in the raw material"),
        max_digits=10,
        decimal_places=6,
        validators=PERCENT_VALIDATORS,
    )

    class Meta:
        ordering = ["raw_material", "position"]
        verbose_name = _("raw material component")
        verbose_name_plural = _("raw material components")

    def __str__(self) -> str:
        return f"{self.ingredient} {self.fraction} %"


class CheckResult(models.Model):
    """A regulatory check of one version against markets, with the rule pack it used."""

    version = models.ForeignKey(
        FormulaVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="checks"
    )
    rule_pack_version = models.CharField(_("rule-pack version"), max_length=100)
    markets = models.JSONField(_("markets"), default=list)
    overall = models.JSONField(_("overall verdicts"), default=dict)
    result = models.JSONField(_("result"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-checked_at"]
        verbose_name = _("check result")
        verbose_name_plural = _("check results")

    def __str__(self) -> str:
        return f"{self.version} ({self.rule_pack_version})"
