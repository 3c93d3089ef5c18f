"""Assay runs of a company: the uploaded file, the settings, and the analysis that came out.

A run keeps its original file (and layout) so that it can be analysed again with other settings;
the analysis is the library's JSON answer, stored whole, so a page or report shows exactly what
was computed. Dose-response potencies are also stored one row per sample
(:class:`PotencyMeasurement`): linked to a structure, they become training data for
``actives models train --from-assays``, the loop from the laboratory back to the models.
"""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from actives.web.accounts.scoping import CompanyScopedModel


class AssayFile(models.Model):
    """An uploaded file, stored once and never changed (kept out of the audit history)."""

    name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("assay file")
        verbose_name_plural = _("assay files")

    def __str__(self) -> str:
        return self.name


class AssayRun(CompanyScopedModel):
    """What every run has: a name, the uploaded file(s), who made it and when."""

    name = models.CharField(_("name"), max_length=200)
    source = models.ForeignKey(
        AssayFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    layout = models.ForeignKey(
        AssayFile,
        verbose_name=_("layout file"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    result = models.JSONField(_("analysis"), default=dict, blank=True)
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("analysed"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class DoseResponseRun(AssayRun):
    """A dose-response experiment: samples at several concentrations, one fit per sample."""

    assay = models.CharField(
        _("assay"),
        max_length=200,
        help_text=_("What was measured, e.g. 'mushroom tyrosinase, L-DOPA, 475 nm'."),
    )

    class Meta(AssayRun.Meta):
        verbose_name = _("dose-response run")
        verbose_name_plural = _("dose-response runs")


class PotencyMeasurement(CompanyScopedModel):
    """One sample's fitted potency from a run; with a structure it can train a model."""

    run = models.ForeignKey(
        DoseResponseRun,
        verbose_name=pgettext_lazy("dose-response experiment", "run"),
        on_delete=models.CASCADE,
        related_name="potencies",
    )
    sample = models.CharField(_("sample"), max_length=200)
    assay = models.CharField(_("assay"), max_length=200)
    smiles = models.CharField(
        _("structure (SMILES)"),
        max_length=2000,
        blank=True,
        help_text=_("The compound tested, for training; empty for an extract."),
    )
    material = models.CharField(
        _("extract or material"),
        max_length=300,
        blank=True,
        help_text=_("The plant extract or raw material tested, when it is not one compound."),
    )
    relation = models.CharField(_("relation"), max_length=2, default="=")
    ic50 = models.FloatField(_("IC50"), null=True, blank=True)
    ci_low = models.FloatField(_("95 % CI low"), null=True, blank=True)
    ci_high = models.FloatField(_("95 % CI high"), null=True, blank=True)
    units = models.CharField(_("units"), max_length=20)
    hill = models.FloatField(_("Hill slope"), null=True, blank=True)
    r_squared = models.FloatField(_("R²"), null=True, blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    use_for_training = models.BooleanField(_("use for training"), default=True)

    class Meta:
        ordering = ["run", "sample"]
        constraints = [
            models.UniqueConstraint(fields=["run", "sample"], name="potency_sample_unique")
        ]
        verbose_name = _("measured potency")
        verbose_name_plural = _("measured potencies")

    def __str__(self) -> str:
        return f"{self.sample}: IC50 {self.relation} {self.ic50} {self.units}"


class QpcrAssay(CompanyScopedModel):
    """A named qPCR assay: the Cq method and call cut-offs its runs are analysed with (a
    diagnostic assay's validated Cq cut-off, say), chosen when a run is uploaded."""

    name = models.CharField(_("assay name"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    settings = models.JSONField(_("settings"), default=dict)
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="qpcr_assay_name_unique")
        ]
        verbose_name = _("qPCR assay")
        verbose_name_plural = _("qPCR assays")

    def __str__(self) -> str:
        return self.name


class QpcrRun(AssayRun):
    """A real-time PCR plate: curves, Cq, efficiencies and a call for every well."""

    assay = models.ForeignKey(
        QpcrAssay,
        verbose_name=_("assay"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="runs",
        help_text=_("The assay whose cut-offs the run was first analysed with."),
    )
    instrument = models.CharField(_("instrument"), max_length=200, blank=True)
    miqe = models.JSONField(_("MIQE information"), default=dict, blank=True)
    rdml_experiment = models.CharField(_("RDML experiment"), max_length=200, blank=True)
    rdml_run = models.CharField(
        _("RDML run"),
        max_length=200,
        blank=True,
        help_text=_("Which run of an RDML file with several runs this is (empty: the first)."),
    )

    class Meta(AssayRun.Meta):
        verbose_name = _("qPCR run")
        verbose_name_plural = _("qPCR runs")
