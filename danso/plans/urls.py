from django.urls import path

from danso.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("import/", views.plan_import_view, name="import"),
    path("calendar/", views.plan_calendar, name="calendar"),
    path("agencies/", views.agencies, name="agencies"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/new/", views.indicator_edit, name="indicator_create"),
    path("indicators/<str:code>/", views.indicator_edit, name="indicator_edit"),
    path("<int:plan_id>/", views.plan_detail, name="detail"),
    path("<int:plan_id>/edit/", views.plan_edit, name="edit"),
    path("<int:plan_id>/targets/new/", views.target_edit, name="target_create"),
    path("<int:plan_id>/targets/<int:target_id>/", views.target_edit, name="target_edit"),
    path("<int:plan_id>/allocation/", views.allocation, name="allocation"),
    path("<int:plan_id>/checks/", views.plan_checks_view, name="checks"),
    path("<int:plan_id>/derive/", views.plan_derive, name="derive"),
    path("<int:plan_id>/export.<str:kind>", views.plan_export, name="export"),
    path("<int:plan_id>/activities/<int:activity_id>/", views.activity_edit, name="activity"),
]
