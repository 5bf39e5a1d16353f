from django.urls import path

from danso.population import views

app_name = "population"
urlpatterns = [
    path("", views.figure_list, name="list"),
    path("import/", views.figure_import, name="import"),
    path("export.xlsx", views.figure_export, name="export"),
    path("<id:figure_id>/", views.figure_detail, name="detail"),
    path("unit/<id:unit_id>/", views.figure_edit, name="edit"),
]
