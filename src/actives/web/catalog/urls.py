"""URLs of the catalogue."""

from django.urls import path

from actives.web.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.index, name="index"),
    path("build/", views.start_build, name="build"),
    path("search/", views.search, name="search"),
    path("upload/", views.upload, name="upload"),
    path("compound/<str:inchikey>/", views.compound, name="compound"),
    path("structure/<str:inchikey>.svg", views.structure, name="structure"),
    path("plant/<str:name>/", views.plant, name="plant"),
    path("plant/<str:name>/export.<str:fmt>", views.plant_export, name="plant_export"),
]
