"""URLs of the discovery pages."""

from django.urls import path

from actives.web.discovery import views

app_name = "discovery"
urlpatterns = [
    path("", views.index, name="index"),
    path("plant/", views.plant, name="plant"),
    path("plant/download.<str:fmt>", views.plant_download, name="plant_download"),
    path("plant/dossier/", views.dossier, name="dossier"),
    path("plant/dossier.pdf", views.dossier_pdf, name="dossier_pdf"),
    path("plants/", views.plants, name="plants"),
    path("plants/<uuid:job_id>/", views.plants_result, name="plants_result"),
    path("extract/", views.extract, name="extract"),
    path("extract/<uuid:job_id>/", views.extract_result, name="extract_result"),
    path("screen/", views.screen, name="screen"),
    path("screen/<uuid:job_id>/", views.screen_result, name="screen_result"),
    path("jobs/<uuid:job_id>/download.<str:fmt>", views.job_download, name="job_download"),
]
