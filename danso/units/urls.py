from django.urls import path

from danso.units import views

app_name = "units"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("search/", views.search, name="search"),
    path("reference/", views.reference, name="reference"),
    path("conversions/import/", views.conversion_import, name="conversion_import"),
    path("inferred/", views.inferred_list, name="inferred"),
    path("inferred/decide/", views.inferred_decide, name="inferred_decide"),
    path("to-place/", views.to_place, name="to_place"),
    path("<id:unit_id>/", views.detail, name="detail"),
    path("<id:unit_id>/children/", views.children, name="children"),
    path("<id:unit_id>/children.geojson", views.children_geojson, name="children_geojson"),
    path("<id:unit_id>/villages/new/", views.village_create, name="village_create"),
    path("<id:unit_id>/rename/", views.rename, name="rename"),
    path("<id:unit_id>/move/", views.move, name="move"),
    path("<id:unit_id>/merge/", views.merge, name="merge"),
    path("<id:unit_id>/split/", views.split, name="split"),
    path("<id:unit_id>/close/", views.close, name="close"),
    path("<id:unit_id>/to-place/", views.to_place_unit, name="to_place_unit"),
    path("<id:unit_id>/place/", views.village_place, name="village_place"),
]
