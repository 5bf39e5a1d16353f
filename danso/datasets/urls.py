"""The data sets' screens."""

from django.urls import path

from danso.datasets import views

app_name = "datasets"
urlpatterns = [
    path("", views.data_set_list, name="list"),
    path("define/", views.define, name="define"),
    path("upload/", views.upload, name="upload"),
    path("<str:code>/units/<id:unit_id>/", views.entry, name="entry"),
    path("<str:code>/units/<id:unit_id>/year/", views.completeness, name="completeness"),
]
