from django.urls import path

from danso.projections import views

app_name = "projections"
urlpatterns = [
    path("", views.projection_list, name="list"),
    path("new/", views.projection_new, name="new"),
    path("<id:projection_id>/", views.projection_detail, name="detail"),
    path("<id:projection_id>/export.xlsx", views.projection_export, name="export"),
    path("compare/", views.compare, name="compare"),
    path("compare/export.xlsx", views.compare_export, name="compare_export"),
    path("life-tables/", views.lifetable_list, name="lifetables"),
    path("life-tables/new/", views.lifetable_new, name="lifetable_new"),
]
