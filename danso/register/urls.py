from django.urls import path

from danso.register import privacy_views, views

app_name = "register"
urlpatterns = [
    path("", views.register_home, name="home"),
    path("search/", views.search, name="search"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("import/", views.import_upload, name="import"),
    path("import/<uuid:job_id>/", views.import_job, name="import_job"),
    path("units/<id:unit_id>/export.zip", views.export_download, name="export"),
    path("units/<id:unit_id>/", views.unit_households, name="households"),
    path("units/<id:unit_id>/households/new/", views.household_create, name="household_create"),
    path("units/<id:unit_id>/collection/<str:month>/", views.collection, name="collection"),
    path("units/<id:unit_id>/check/", views.event_check, name="event_check"),
    path("units/<id:unit_id>/review/", views.collections_review, name="review"),
    path("units/<id:unit_id>/close/", views.book_close, name="close"),
    path("households/<id:household_id>/", views.household_detail, name="household"),
    path("households/<id:household_id>/persons/new/", views.person_add, name="person_add"),
    path("persons/<id:person_id>/", views.person_detail, name="person"),
    path("persons/<id:person_id>/reveal/", views.person_reveal, name="person_reveal"),
    path("persons/<id:person_id>/export.xlsx", privacy_views.person_export, name="person_export"),
    path("units/<id:unit_id>/access-log/", privacy_views.unit_access_log, name="unit_access_log"),
    path("access-log/", privacy_views.access_log, name="access_log"),
    path("access-log.xlsx", privacy_views.access_log_xlsx, name="access_log_xlsx"),
    path("events/<id:event_id>/", views.event_detail, name="event"),
]
