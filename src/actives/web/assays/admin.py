"""Admin pages for assay runs and measured potencies, with their audit history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from actives.web.assays.models import (
    AssayFile,
    DoseResponseRun,
    PotencyMeasurement,
    QpcrAssay,
    QpcrRun,
)


@admin.register(DoseResponseRun)
class DoseResponseRunAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("name", "assay", "company", "created_by", "created_at")
    list_filter = ("company",)
    search_fields = ("name", "assay")
    exclude = ("result",)


@admin.register(PotencyMeasurement)
class PotencyMeasurementAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("sample", "assay", "relation", "ic50", "units", "use_for_training", "company")
    list_filter = ("company", "use_for_training", "assay")
    search_fields = ("sample", "smiles", "material")


@admin.register(QpcrRun)
class QpcrRunAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("name", "instrument", "company", "created_by", "created_at")
    list_filter = ("company",)
    search_fields = ("name",)
    exclude = ("result",)


@admin.register(AssayFile)
class AssayFileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "size", "sha256", "uploaded_at")
    exclude = ("content",)
    readonly_fields = ("name", "size", "sha256", "uploaded_at")


@admin.register(QpcrAssay)
class QpcrAssayAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("name", "company", "created_by", "updated_at")
    list_filter = ("company",)
    search_fields = ("name", "description")
