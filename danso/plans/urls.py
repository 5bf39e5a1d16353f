from django.urls import path

from danso.plans import activity_views, baseline_views, duty_views, monitor_views, views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("import/", views.plan_import_view, name="import"),
    path("calendar/", views.plan_calendar, name="calendar"),
    path("agencies/", views.agencies, name="agencies"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/new/", views.indicator_edit, name="indicator_create"),
    path("indicators/<str:code>/", views.indicator_edit, name="indicator_edit"),
    path("<id:plan_id>/", views.plan_detail, name="detail"),
    path("<id:plan_id>/edit/", views.plan_edit, name="edit"),
    path("<id:plan_id>/targets/new/", views.target_edit, name="target_create"),
    path("<id:plan_id>/targets/<id:target_id>/", views.target_edit, name="target_edit"),
    path("<id:plan_id>/allocation/", views.allocation, name="allocation"),
    path("<id:plan_id>/carry/", views.carry, name="carry"),
    path("<id:plan_id>/carried/<id:carried_id>/", views.carried_adjust, name="carried_adjust"),
    path("<id:plan_id>/checks/", views.plan_checks_view, name="checks"),
    path("<id:plan_id>/derive/", views.plan_derive, name="derive"),
    path("<id:plan_id>/export.<str:kind>", views.plan_export, name="export"),
    path("<id:plan_id>/activities/<id:activity_id>/", views.activity_edit, name="activity"),
    # activities as work, and the steering committee (issue 18)
    path("<id:plan_id>/activities/", activity_views.activity_list, name="activities"),
    path("<id:plan_id>/activities/new/", activity_views.activity_edit, name="activity_create"),
    path(
        "<id:plan_id>/activities/<id:activity_id>/edit/",
        activity_views.activity_edit,
        name="activity_change",
    ),
    path(
        "<id:plan_id>/activities/<id:activity_id>/results/",
        activity_views.activity_results,
        name="activity_results",
    ),
    path(
        "<id:plan_id>/activities/<id:activity_id>/results/<id:occurrence_id>/",
        activity_views.occurrence_record,
        name="occurrence_record",
    ),
    path("<id:plan_id>/activities/counts/", activity_views.activity_counts, name="activity_counts"),
    path("committee/", activity_views.committee, name="committee"),
    path(
        "committee/members/<id:member_id>/",
        activity_views.committee_member,
        name="committee_member",
    ),
    path(
        "committee/meetings/<id:meeting_id>/",
        activity_views.committee_meeting,
        name="committee_meeting",
    ),
    # baselines, report duties and the monitoring screen (issue 18, points 3, 6, 7)
    path("baselines/<id:unit_id>/", baseline_views.baselines, name="baselines"),
    path("<id:plan_id>/duties/new/", duty_views.duty_create, name="duty_create"),
    path("<id:plan_id>/duties/<id:duty_id>/", duty_views.duty_edit, name="duty_edit"),
    path("<id:plan_id>/duties/<id:duty_id>/delete/", duty_views.duty_remove, name="duty_delete"),
    path("<id:plan_id>/monitoring/", monitor_views.plan_monitoring, name="monitoring"),
]
