"""/api/v1/reports/ and /api/v1/report-types/: listed and read in the caller's scope,
the workflow's actions with the services' checks, the completeness of a level."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries
from rest_framework.authtoken.models import Token

from danso.accounts.models import User
from danso.reports.models import Report, ReportType
from danso.reports.services import report_open
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import unit_at
from tests.reports.conftest import EARLY_2025, filled

pytestmark = pytest.mark.django_db
REPORTS = "/api/v1/reports/"


def api(user: User) -> Client:
    token, _created = Token.objects.get_or_create(user=user)
    return Client(headers={"Authorization": f"Token {token}"})


def opened(types: dict[str, ReportType], code: str, actor: User) -> Report:
    unit = unit_at(Level.COMMUNE, code, EARLY_2025)
    return report_open(
        report_type=types["commune-quarterly"], unit=unit, period="2025Q1", actor=actor
    )


@pytest.fixture
def reports(types: dict[str, ReportType], ward: Unit, people: dict[str, User]) -> dict[str, Report]:
    """Giang Biên's 2025Q1 report, filled by its officer, and Ngọc Thụy's, opened by the
    district."""
    return {
        "own": filled(opened(types, "121", people["ward"]), people["ward"]),
        "other": opened(types, "118", people["district"]),
    }


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def test_a_ward_officer_lists_and_reads_only_the_wards_reports(
    reports: dict[str, Report], people: dict[str, User]
) -> None:
    client = api(people["ward"])

    listed = client.get(REPORTS).json()

    assert [r["id"] for r in listed["results"]] == [reports["own"].pk]
    row = listed["results"][0]
    assert (row["type"], row["period"], row["status"], row["due"]) == (
        "commune-quarterly",
        "2025Q1",
        "draft",
        "2025-04-08",
    )
    detail = client.get(f"{REPORTS}{reports['own'].pk}/").json()
    births = next(f for f in detail["figures"] if f["row"] == "births")
    assert (births["computed"], births["value"], births["source"]) == (130.0, 130.0, "entered")
    assert [t["key"] for t in detail["texts"]] == ["assessment"]
    # another ward's report is not there, whatever is asked
    assert client.get(f"{REPORTS}{reports['other'].pk}/").status_code == 404
    assert client.get(REPORTS, {"unit": reports["other"].unit_id}).json()["count"] == 0
    assert post(client, f"{REPORTS}{reports['other'].pk}/submit/").status_code == 404


def test_the_district_sees_its_wards_reports_with_filters(
    reports: dict[str, Report], people: dict[str, User]
) -> None:
    client = api(people["district"])

    assert client.get(REPORTS).json()["count"] == 2
    assert (
        client.get(REPORTS, {"type": "commune-quarterly", "period": "2025Q1"}).json()["count"] == 2
    )
    assert client.get(REPORTS, {"unit": reports["own"].unit_id}).json()["count"] == 1
    assert client.get(REPORTS, {"status": "submitted"}).json()["count"] == 0
    assert client.get(REPORTS, {"status": "nonsense"}).status_code == 400


def test_submitted_returned_and_approved_through_the_api(
    reports: dict[str, Report], people: dict[str, User]
) -> None:
    ward, district = api(people["ward"]), api(people["district"])
    url = f"{REPORTS}{reports['own'].pk}"

    sent = post(ward, f"{url}/submit/")
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "submitted"
    # a ward officer does not decide on the ward's report
    assert post(ward, f"{url}/approve/").status_code == 403
    # returning needs a comment
    assert post(district, f"{url}/return/", {"comment": ""}).status_code == 400
    returned = post(district, f"{url}/return/", {"comment": "Thiếu số hộ"})
    assert returned.json()["status"] == "returned"
    assert returned.json()["comment"] == "Thiếu số hộ"
    # approving a returned report is refused with the reason
    refused = post(district, f"{url}/approve/")
    assert refused.status_code == 400
    assert "detail" in refused.json()

    post(ward, f"{url}/submit/")
    assert post(district, f"{url}/approve/").json()["status"] == "approved"
    unlocked = post(district, f"{url}/unlock/", {"reason": "Sửa số chết"})
    assert unlocked.json()["status"] == "returned"


def test_the_status_of_a_level(reports: dict[str, Report], people: dict[str, User]) -> None:
    post(api(people["ward"]), f"{REPORTS}{reports['own'].pk}/submit/")
    long_bien = unit_at(Level.DISTRICT, "4", EARLY_2025)
    query: dict[str, str | int] = {
        "type": "commune-quarterly",
        "period": "2025Q1",
        "unit": long_bien.pk,
    }

    status = api(people["district"]).get(f"{REPORTS}status/", query)

    assert status.status_code == 200, status.content
    data = status.json()
    assert (data["expected"], data["received"], data["due"]) == (13, 1, "2025-04-08")
    assert "00118" in data["missing"]
    # a ward officer does not see the district's; a bad period is refused
    assert api(people["ward"]).get(f"{REPORTS}status/", query).status_code == 404
    # a month names no report of a quarterly type: 404; a period that is none at all: 400
    other = api(people["district"]).get(f"{REPORTS}status/", {**query, "period": "2025-03"})
    assert other.status_code == 404
    bad = api(people["district"]).get(f"{REPORTS}status/", {**query, "period": "quý 1"})
    assert bad.status_code == 400
    assert "2025Q1" in bad.json()["period"][0]


def test_report_types_are_read_only_configuration(
    types: dict[str, ReportType], people: dict[str, User]
) -> None:
    client = api(people["ward"])

    listed = client.get("/api/v1/report-types/").json()
    one = client.get("/api/v1/report-types/district-quarterly/").json()

    assert {t["code"] for t in listed["results"]} >= set(types)
    assert (one["form"], one["child_columns"]) == ("01-DSH", True)
    assert one["rows"][0]["key"] == "households"
    assert types["commune-quarterly"].feeds is not None
    assert client.post("/api/v1/report-types/", {}).status_code == 405


def test_the_list_query_count_is_pinned(
    types: dict[str, ReportType],
    people: dict[str, User],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client = api(people["district"])
    for code in ("121", "118", "115", "124", "127"):
        opened(types, code, people["district"])
    client.get(REPORTS)  # the token's user and the session are read once
    with django_assert_max_num_queries(8):
        assert client.get(REPORTS).json()["count"] == 5


def test_the_endpoints_are_in_the_schema(people: dict[str, User]) -> None:
    paths = api(people["ward"]).get("/api/schema/", {"format": "json"}).json()["paths"]
    assert {
        "/api/v1/reports/",
        "/api/v1/reports/{id}/",
        "/api/v1/reports/{id}/approve/",
        "/api/v1/reports/{id}/return/",
        "/api/v1/reports/status/",
        "/api/v1/report-types/{code}/",
    } <= set(paths)
