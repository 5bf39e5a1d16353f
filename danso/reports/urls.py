"""The reports' screens: the inbox, a report's editor and review, the working calendar,
the report types and their rows."""

from django.urls import path

from danso.reports import type_views, views

app_name = "reports"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("inbox.xlsx", views.inbox_xlsx, name="inbox_xlsx"),
    path("open/", views.report_open, name="open"),
    path("<id:report_id>/", views.report_detail, name="detail"),
    path("<id:report_id>/figures/<id:figure_id>/", views.figure_save, name="figure"),
    path("<id:report_id>/refresh/", views.report_refresh, name="refresh"),
    path("<id:report_id>/submit/", views.report_submit, name="submit"),
    path("<id:report_id>/report.xlsx", views.report_xlsx, name="xlsx"),
    path("<id:report_id>/report.pdf", views.report_pdf, name="pdf"),
    path("<id:report_id>/review/", views.report_review, name="review"),
    path("<id:report_id>/approve/", views.report_approve, name="approve"),
    path("<id:report_id>/return/", views.report_return, name="return"),
    path("<id:report_id>/unlock/", views.report_unlock, name="unlock"),
    path("waive/", views.waive, name="waive"),
    path("waivers/<id:waiver_id>/remove/", views.waiver_remove, name="waiver_remove"),
    path("reminders/<id:reminder_id>/read/", views.reminder_read, name="reminder_read"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<str:day>/remove/", views.calendar_day_remove, name="calendar_day_remove"),
]
urlpatterns += [
    path("types/", type_views.report_types, name="types"),
    path("types/<slug:code>/", type_views.report_type_rows, name="type_rows"),
    path("types/<slug:code>/rows/<id:row_id>/", type_views.report_row_save, name="type_row"),
    path(
        "types/<slug:code>/rows/<id:row_id>/remove/",
        type_views.report_row_remove,
        name="type_row_remove",
    ),
]
