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
    path("<id:plan_id>/", views.plan_detail, name="detail"),
    path("<id:plan_id>/edit/", views.plan_edit, name="edit"),
    path("<id:plan_id>/targets/new/", views.target_edit, name="target_create"),
    path("<id:plan_id>/targets/<id:target_id>/", views.target_edit, name="target_edit"),
    path("<id:plan_id>/allocation/", views.allocation, name="allocation"),
    path("<id:plan_id>/carry/", views.carry, name="carry"),
    path("<id:plan_id>/carried/<id:carried_id>/", views.carried_adjust, name="carried_adjust"),
    path("<id:plan_id>/checks/", views.plan_checks_view, name="checks"),
    path("<id:plan_id>/derive/", views.plan_derive, name="derive"),
    path("<id:plan_id>/export.<str:kind>", views.plan_export, name="export"),
    path("<id:plan_id>/activities/<id:activity_id>/", views.activity_edit, name="activity"),
]
