"""URLs of the assay pages."""

from django.urls import path

from actives.web.assays import views

app_name = "assays"
urlpatterns = [
    path("", views.index, name="index"),
    path("dose-response/new/", views.dose_new, name="dose_new"),
    path("dose-response/<int:run_id>/", views.dose_detail, name="dose_detail"),
    path("dose-response/<int:run_id>/potency/<int:potency_id>/", views.potency, name="potency"),
    path("dose-response/<int:run_id>/fits.<str:fmt>", views.dose_download, name="dose_download"),
    path("dose-response/<int:run_id>/report.pdf", views.dose_report_pdf, name="dose_report_pdf"),
    path("potencies.csv", views.training_table, name="training_table"),
    path("qpcr/new/", views.qpcr_new, name="qpcr_new"),
    path("qpcr/<int:run_id>/", views.qpcr_detail, name="qpcr_detail"),
    path("qpcr/<int:run_id>/settings/", views.qpcr_settings, name="qpcr_settings"),
    path("qpcr/<int:run_id>/miqe/", views.qpcr_miqe, name="qpcr_miqe"),
    path("qpcr/<int:run_id>/source/", views.qpcr_source, name="qpcr_source"),
    path("qpcr/<int:run_id>/wells.<str:fmt>", views.qpcr_download, name="qpcr_download"),
    path("qpcr/<int:run_id>/report.pdf", views.qpcr_report_pdf, name="qpcr_report_pdf"),
]
