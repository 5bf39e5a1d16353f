"""Bad or out-of-range parameters on the screens and the API answer 400 or 404, never a
server error (issue 12, point 4)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.units.codes import Level
from tests.conftest import BEFORE, unit_at

pytestmark = pytest.mark.django_db
HUGE = "9" * 400


@pytest.fixture
def admin(make_user: Callable[..., User], client_for: Callable[[User], Client]) -> Client:
    return client_for(make_user("admin", Role.ADMIN))


def test_screens_answer_bad_parameters_without_a_server_error(admin: Client) -> None:
    closed = unit_at(Level.COMMUNE, "118", BEFORE)  # Phường Ngọc Thụy, closed 30/06/2025
    for url, expected in [
        (f"/units/{closed.pk}/children/?date=2026-12-01", {404}),  # not that day
        (f"/units/{closed.pk}/children.geojson?date=2026-12-01", {404}),
        (f"/units/{HUGE}/", {404}),
        (f"/register/persons/{HUGE}/", {404}),
        (f"/reports/{HUGE}/", {404}),
        ("/projections/null/", {404}),
        ("/reports/calendar/?year=-1", {200}),  # the current year instead
        (f"/reports/calendar/?year={HUGE}", {200}),
        (f"/reports/?unit={HUGE}", {200, 403, 404}),
        ("/population/export.xlsx?level=%00", {400}),
        (f"/register/search/?year={HUGE}", {200}),
        ("/register/search/?q=%00", {400}),
        (f"/population/?year={HUGE}", {200}),  # the latest year instead
        (f"/indicators/definitions/?year={HUGE}", {200}),  # the year looked at instead
    ]:
        response = admin.get(url)
        assert response.status_code in expected, (url, response.status_code)


def test_the_api_answers_bad_parameters_in_json(make_user: Callable[..., User]) -> None:
    user = make_user("admin", Role.ADMIN)
    token, _ = Token.objects.get_or_create(user=user)
    api = Client(headers={"Authorization": f"Token {token.key}"})
    for url, expected in [
        (f"/api/v1/units/{HUGE}/", 404),
        ("/api/v1/projections/null/", 404),
        (f"/api/v1/units/?limit={HUGE}", 200),
        (f"/api/v1/units/?offset={HUGE}", 200),
        (f"/api/v1/population/?unit={HUGE}", 400),
        (f"/api/v1/reports/?unit={HUGE}", 400),
        ("/api/v1/units/?level=%00", 400),
    ]:
        response = api.get(url)
        assert response.status_code == expected, (url, response.status_code)
        assert response["Content-Type"].startswith("application/json"), url
    page = api.get("/api/v1/units/", {"limit": "100000"}).json()
    assert len(page["results"]) <= 1000
