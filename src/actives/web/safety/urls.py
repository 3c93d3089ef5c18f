"""URLs of the safety pages."""

from django.urls import path

from actives.web.safety import views

app_name = "safety"
urlpatterns = [
    path("", views.index, name="index"),
    path("sensitisation/", views.da, name="da"),
    path("sensitisation/batch/", views.da_batch, name="da_batch"),
    path("sensitisation/batch/template.<str:fmt>", views.da_template, name="da_template"),
    path("sensitisation/batch/<uuid:job_id>/", views.da_batch_result, name="da_batch_result"),
    path(
        "sensitisation/batch/<uuid:job_id>/download.<str:fmt>",
        views.da_batch_download,
        name="da_batch_download",
    ),
    path("qsar/", views.qsar, name="qsar"),
    path("mos/", views.mos, name="mos"),
    path("qra/", views.qra, name="qra"),
    path("product-type/", views.product_type, name="product_type"),
    path("summary/", views.summary, name="summary"),
    path("summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("summary/clear/", views.summary_clear, name="summary_clear"),
]
