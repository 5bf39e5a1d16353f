from django.urls import path

from danso.register import (
    collection_views,
    correction_views,
    event_views,
    export_views,
    household_views,
    import_views,
    offline,
    person_views,
    privacy_views,
    quality_views,
    views,
)

app_name = "register"
urlpatterns = [
    path("", views.register_home, name="home"),
    path("search/", person_views.search, name="search"),
    path("duplicates/", person_views.duplicates, name="duplicates"),
    path("import/", import_views.import_upload, name="import"),
    path("import/<uuid:job_id>/", import_views.import_job, name="import_job"),
    path("units/<id:unit_id>/export/", export_views.export_request, name="export"),
    path("exports/<uuid:job_id>/", export_views.export_job, name="export_job"),
    path("exports/<uuid:job_id>/file/", export_views.export_download, name="export_file"),
    path("units/<id:unit_id>/", views.unit_households, name="households"),
    path(
        "units/<id:unit_id>/households/new/",
        household_views.household_create,
        name="household_create",
    ),
    path(
        "units/<id:unit_id>/collection/<str:month>/", collection_views.collection, name="collection"
    ),
    path(
        "units/<id:unit_id>/collection/<str:month>/sync/",
        offline.collection_sync,
        name="collection_sync",
    ),
    path("units/<id:unit_id>/check/", collection_views.event_check, name="event_check"),
    path("units/<id:unit_id>/review/", collection_views.collections_review, name="review"),
    path("units/<id:unit_id>/close/", views.book_close, name="close"),
    path("households/<id:household_id>/", household_views.household_detail, name="household"),
    path(
        "households/<id:household_id>/persons/new/", household_views.person_add, name="person_add"
    ),
    path("persons/<id:person_id>/", person_views.person_detail, name="person"),
    path("persons/<id:person_id>/reveal/", person_views.person_reveal, name="person_reveal"),
    path("persons/<id:person_id>/export.xlsx", privacy_views.person_export, name="person_export"),
    path("units/<id:unit_id>/access-log/", privacy_views.unit_access_log, name="unit_access_log"),
    path("access-log/", privacy_views.access_log, name="access_log"),
    path("access-log.xlsx", privacy_views.access_log_xlsx, name="access_log_xlsx"),
    path("events/<id:event_id>/", collection_views.event_detail, name="event"),
    path("events/<id:event_id>/correct/", correction_views.event_correct, name="event_correct"),
    path("events/<id:event_id>/withdraw/", correction_views.event_withdraw, name="event_withdraw"),
    path("persons/<id:person_id>/correct/", correction_views.person_correct, name="person_correct"),
    path("units/<id:unit_id>/quality/", quality_views.quality_screen, name="quality"),
    path(
        "units/<id:unit_id>/quality/outliers/",
        quality_views.outlier_follow,
        name="outlier_follow",
    ),
    path("flags/<id:flag_id>/follow/", quality_views.flag_follow, name="flag_follow"),
    path("units/<id:unit_id>/events/", event_views.unit_events, name="unit_events"),
    path("units/<id:unit_id>/events.xlsx", event_views.unit_events_xlsx, name="unit_events_xlsx"),
]
