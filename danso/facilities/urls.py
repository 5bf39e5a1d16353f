from django.urls import path

from danso.facilities import views

app_name = "facilities"
urlpatterns = [
    path("", views.home, name="home"),
    path("unit/<id:unit_id>/", views.unit_facilities, name="unit"),
    path("unit/<id:unit_id>/new/", views.facility_create, name="create"),
    path("<id:facility_id>/", views.facility_detail, name="detail"),
    path("<id:facility_id>/edit/", views.facility_edit, name="edit"),
    path("<id:facility_id>/inspections/new/", views.inspection_create, name="inspect"),
    path("inspections/<id:inspection_id>/edit/", views.inspection_edit, name="inspection_edit"),
    path(
        "inspections/<id:inspection_id>/delete/",
        views.inspection_delete,
        name="inspection_delete",
    ),
]
