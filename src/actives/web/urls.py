"""URL configuration: pages, admin, API and language switching."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from actives.web.accounts import views as account_views
from actives.web.api import api
from actives.web.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("accounts/tokens/<int:token_id>/revoke/", account_views.revoke_token, name="revoke_token"),
    path("companies/", account_views.company_list, name="company_list"),
    path("companies/new/", account_views.company_create, name="company_create"),
    path("companies/<int:company_id>/", account_views.company_detail, name="company_detail"),
    path(
        "companies/<int:company_id>/members/new/",
        account_views.member_create,
        name="member_create",
    ),
    path("jobs/", include("actives.web.jobs.urls")),
    path("catalog/", include("actives.web.catalog.urls")),
    path("predictions/", include("actives.web.predictions.urls")),
    path("discovery/", include("actives.web.discovery.urls")),
    path("safety/", include("actives.web.safety.urls")),
    path("formulas/", include("actives.web.formulas.urls")),
    path("assays/", include("actives.web.assays.urls")),
    path("modules/<slug:slug>/", core_views.module_page, name="module"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

handler400 = "actives.web.core.views.bad_request"
handler403 = "actives.web.core.views.permission_denied"
handler404 = "actives.web.core.views.page_not_found"
handler500 = "actives.web.core.views.server_error"
