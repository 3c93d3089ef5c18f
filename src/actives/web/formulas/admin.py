"""Admin pages for formulas, raw materials and stored checks, with their audit history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from actives.web.formulas.models import (
    CheckResult,
    Formula,
    FormulaIngredient,
    FormulaVersion,
    RawMaterial,
    RawMaterialComponent,
)


class VersionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = FormulaVersion
    extra = 0
    fields = ("number", "note", "created_by", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Formula)
class FormulaAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("name", "company", "exposure", "created_by", "updated_at")
    list_filter = ("company", "exposure")
    search_fields = ("name",)
    inlines = [VersionInline]


class IngredientInline(admin.TabularInline):  # type: ignore[type-arg]
    model = FormulaIngredient
    extra = 0


@admin.register(FormulaVersion)
class FormulaVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("formula", "number", "note", "created_at")
    inlines = [IngredientInline]


class ComponentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RawMaterialComponent
    extra = 0


@admin.register(RawMaterial)
class RawMaterialAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("name", "company", "supplier", "created_at")
    search_fields = ("name",)
    inlines = [ComponentInline]


@admin.register(CheckResult)
class CheckResultAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("version", "rule_pack_version", "checked_by", "checked_at")
    readonly_fields = ("result",)
