"""URLs of the prediction pages."""

from django.urls import path

from actives.web.predictions import views

app_name = "predictions"
urlpatterns = [
    path("", views.index, name="index"),
    path("molecule/", views.molecule, name="molecule"),
    path("batch/", views.batch, name="batch"),
    path("batch/<uuid:job_id>/", views.batch_result, name="batch_result"),
    path("batch/<uuid:job_id>/download.<str:fmt>", views.batch_download, name="batch_download"),
    path("models/<str:endpoint_id>/", views.model_card, name="model"),
]
