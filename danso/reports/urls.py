"""The reports' screens: the inbox, a report's editor and review, the working calendar."""

from django.urls import path

from danso.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("inbox.xlsx", views.inbox_xlsx, name="inbox_xlsx"),
    path("open/", views.report_open, name="open"),
    path("<int:report_id>/", views.report_detail, name="detail"),
    path("<int:report_id>/figures/<int:figure_id>/", views.figure_save, name="figure"),
    path("<int:report_id>/refresh/", views.report_refresh, name="refresh"),
    path("<int:report_id>/submit/", views.report_submit, name="submit"),
    path("<int:report_id>/report.xlsx", views.report_xlsx, name="xlsx"),
    path("<int:report_id>/report.pdf", views.report_pdf, name="pdf"),
    path("<int:report_id>/review/", views.report_review, name="review"),
    path("<int:report_id>/approve/", views.report_approve, name="approve"),
    path("<int:report_id>/return/", views.report_return, name="return"),
    path("<int:report_id>/unlock/", views.report_unlock, name="unlock"),
    path("waive/", views.waive, name="waive"),
    path("waivers/<int:waiver_id>/remove/", views.waiver_remove, name="waiver_remove"),
    path("reminders/<int:reminder_id>/read/", views.reminder_read, name="reminder_read"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<str:day>/remove/", views.calendar_day_remove, name="calendar_day_remove"),
]
