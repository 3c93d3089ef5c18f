"""URLs of the jobs app."""

from django.urls import path

from actives.web.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("system-check/", views.start_system_check, name="system_check"),
    path("<uuid:job_id>/", views.job_detail, name="detail"),
]
