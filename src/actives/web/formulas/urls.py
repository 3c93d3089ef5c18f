"""URLs of the formula (regulation) pages."""

from django.urls import path

from actives.web.formulas import views

app_name = "formulas"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.edit, name="new"),
    path("import/", views.import_file, name="import"),
    path("import/template.<str:fmt>", views.import_template, name="import_template"),
    path("raw-materials/", views.raw_materials, name="raw_materials"),
    path("rule-pack-updates/", views.updates, name="updates"),
    path("<int:formula_id>/", views.detail, name="detail"),
    path("<int:formula_id>/edit/", views.edit, name="edit"),
    path("<int:formula_id>/diff/", views.diff, name="diff"),
    path("<int:formula_id>/v<int:number>/", views.version, name="version"),
    path("<int:formula_id>/v<int:number>/check/", views.check, name="check"),
    path("<int:formula_id>/v<int:number>/report.pdf", views.report_pdf, name="report_pdf"),
]
