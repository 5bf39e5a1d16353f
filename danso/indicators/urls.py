"""The indicators' screens: the dashboards, their ranking workbook and map, the figures
entered for communes without a register, and the definitions."""

from django.urls import path

from danso.indicators import define_views, entry_views, views

app_name = "indicators"
urlpatterns = [
    path("", views.home, name="home"),
    path("definitions/", entry_views.definitions, name="definitions"),
    path("definitions/define/", define_views.define, name="define"),
    path("units/<id:unit_id>/", views.unit_dashboard, name="unit"),
    path("units/<id:unit_id>/ranking.xlsx", views.ranking_xlsx, name="ranking_xlsx"),
    path("units/<id:unit_id>/children.geojson", views.children_geojson, name="children_geojson"),
    path("units/<id:unit_id>/entered/", entry_views.entered_edit, name="entered"),
]
