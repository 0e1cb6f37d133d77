from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots, name="robots"),
    path("bench/trivial/", core_views.trivial, name="trivial"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("indicators.urls")),
    path("", include("reporting.urls")),
    path("api/v1/", include("indicators.web.api_urls")),
    path("api/v1/", include("projects.api_urls")),
    path("projects/", include("projects.urls")),
    path("", include("core.urls")),
]

handler404 = "core.errors.not_found"
handler500 = "core.errors.server_error"
