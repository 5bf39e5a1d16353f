"""URLs: the screens (Vietnamese first), the API under /api/v1/, the OpenAPI schema."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, register_converter
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from danso.accounts.api import token_view
from danso.converters import IdConverter
from danso.plans.api import IndicatorViewSet, PlanViewSet
from danso.population.api import FigureViewSet
from danso.projections.api import ProjectionViewSet
from danso.register.api import EventViewSet, HouseholdViewSet, PersonViewSet
from danso.register.offline import service_worker
from danso.reports.api import ReportTypeViewSet, ReportViewSet
from danso.units.api import UnitViewSet
from danso.web import views as web

register_converter(IdConverter, "id")

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("population", FigureViewSet, basename="population")
router.register("plans", PlanViewSet, basename="plan")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("households", HouseholdViewSet, basename="household")
router.register("persons", PersonViewSet, basename="person")
router.register("events", EventViewSet, basename="event")
router.register("projections", ProjectionViewSet, basename="projection")
router.register("reports", ReportViewSet, basename="report")
router.register("report-types", ReportTypeViewSet, basename="report-type")

urlpatterns = [
    path("", web.home, name="home"),
    path("login/", web.login_view, name="login"),
    # the collaborator's offline form: a service worker's reach is the folder it is
    # served from, so it is served from the root (register.offline)
    path("sw.js", service_worker, name="service_worker"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("context/date/", web.set_date, name="set_date"),
    path("context/last-data/", web.last_data, name="last_data"),
    path("units/", include("danso.units.urls")),
    path("population/", include("danso.population.urls")),
    path("datasets/", include("danso.datasets.urls")),
    path("plans/", include("danso.plans.urls")),
    path("register/", include("danso.register.urls")),
    path("projections/", include("danso.projections.urls")),
    path("indicators/", include("danso.indicators.urls")),
    path("reports/", include("danso.reports.urls")),
    path("facilities/", include("danso.facilities.urls")),
    path("accounts/", include("danso.accounts.urls")),
    # its login page sends to danso's (danso.accounts.admin_site)
    path("django-admin/", admin.site.urls),
    path("api/v1/", include(router.urls)),
    path("api/v1/auth/token/", token_view, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

handler403 = "danso.web.views.forbidden"
handler404 = "danso.web.views.not_found"
handler500 = "danso.web.views.server_error"
