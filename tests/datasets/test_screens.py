"""The data sets' screens (issue 18): a province officer defines, a ward officer enters
and corrects with a reason, a district officer reads the year's completeness and uploads
a table; what a reader may not do is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.datasets.models import DataElement, DataSet, DataValue
from danso.indicators.models import Indicator
from danso.units.codes import Level
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db
ON = date(2024, 3, 5)


@pytest.fixture
def officers(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> dict[str, Client]:
    return {
        "city": client_for(make_user("city", Role.PROVINCE_OFFICER, Level.PROVINCE, "01", ON)),
        "district": client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "004", ON)),
        "ward": client_for(make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", ON)),
    }


def _define(client: Client) -> None:
    response = client.post(
        "/datasets/define/",
        {
            "form": "element",
            "code": "preg_counselled",
            "name": "Số thai phụ được tư vấn",
            "value_type": "number",
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/datasets/define/",
        {
            "form": "set",
            "code": "XA_THANG",
            "name": "Báo cáo tháng của xã",
            "period_type": "month",
            "level": "commune",
            "elements": ["PREG_COUNSELLED"],
        },
    )
    assert response.status_code == 302


def test_a_province_officer_defines_and_a_ward_officer_may_not(officers: dict[str, Client]) -> None:
    assert officers["ward"].get("/datasets/define/").status_code == 403
    _define(officers["city"])
    assert DataElement.objects.get().code == "PREG_COUNSELLED"
    page = officers["ward"].get("/datasets/").content.decode()
    assert "Báo cáo tháng của xã" in page
    assert "/datasets/define/" not in page
    # a wrong set is refused with the reason, nothing saved
    response = officers["city"].post(
        "/datasets/define/",
        {
            "form": "set",
            "code": "X2",
            "name": "Sai",
            "period_type": "week",
            "level": "commune",
            "elements": ["PREG_COUNSELLED"],
        },
    )
    assert response.status_code == 200
    assert DataSet.objects.count() == 1


def test_a_ward_officer_enters_and_corrects_with_a_reason(officers: dict[str, Client]) -> None:
    _define(officers["city"])
    ward = unit_at(Level.COMMUNE, "118", ON)
    element = DataElement.objects.get()
    url = f"/datasets/XA_THANG/units/{ward.pk}/"
    page = officers["ward"].get(url, {"period": "2024-02", "date": "2024-03-05"})
    assert page.status_code == 200
    field = f"v-{element.pk}-"
    saved = officers["ward"].post(
        url + "?date=2024-03-05", {"period": "2024-02", field: "1.234"}, HTTP_HX_REQUEST="true"
    )
    assert saved.status_code == 200
    assert "1.234" in saved.content.decode()
    assert DataValue.objects.get().number == 1234
    refused = officers["ward"].post(url + "?date=2024-03-05", {"period": "2024-02", field: "1.240"})
    assert "lý do" in refused.content.decode().lower() or "reason" in refused.content.decode()
    assert DataValue.objects.get().number == 1234
    officers["ward"].post(
        url + "?date=2024-03-05", {"period": "2024-02", field: "1.240", "reason": "Đếm lại sổ"}
    )
    value = DataValue.objects.get()
    assert value.number == Decimal(1240)
    assert value.reason == "Đếm lại sổ"
    # another ward is not theirs
    other = unit_at(Level.COMMUNE, "115", ON)
    assert (
        officers["ward"].get(f"/datasets/XA_THANG/units/{other.pk}/?date=2024-03-05").status_code
        == 403
    )
    # a district is not at the data set's level
    district = unit_at(Level.DISTRICT, "004", ON)
    assert (
        officers["district"]
        .get(f"/datasets/XA_THANG/units/{district.pk}/?date=2024-03-05")
        .status_code
        == 404
    )


def test_the_district_sees_who_reported_and_uploads_a_table(officers: dict[str, Client]) -> None:
    _define(officers["city"])
    table = (
        "data_set,unit_code,level,period,element,value\n"
        "XA_THANG,118,commune,2024-01,PREG_COUNSELLED,4\n"
        "XA_THANG,115,commune,2024-01,PREG_COUNSELLED,2\n"
    )
    response = officers["district"].post(
        "/datasets/upload/?date=2024-03-05",
        {"file": SimpleUploadedFile("so-lieu.csv", table.encode())},
    )
    assert response.status_code == 200
    assert DataValue.objects.count() == 2
    district = unit_at(Level.DISTRICT, "004", ON)
    year = officers["district"].get(
        f"/datasets/XA_THANG/units/{district.pk}/year/?year=2024&date=2024-03-05"
    )
    text = year.content.decode()
    assert year.status_code == 200
    assert "Phường Ngọc Thụy" in text
    assert text.count('<td class="num">✓</td>') == 2  # January of both wards
    # a ward officer's table naming another ward: nothing saved, the row named
    bad = (
        "data_set,unit_code,level,period,element,value\n"
        "XA_THANG,118,commune,2024-02,PREG_COUNSELLED,4\n"
        "XA_THANG,115,commune,2024-02,PREG_COUNSELLED,2\n"
    )
    response = officers["ward"].post(
        "/datasets/upload/?date=2024-03-05", {"file": SimpleUploadedFile("b.csv", bad.encode())}
    )
    assert response.status_code == 200
    assert DataValue.objects.count() == 2
    assert "b.csv" in response.content.decode()


def test_an_indicator_is_defined_on_screen(officers: dict[str, Client]) -> None:
    _define(officers["city"])
    assert officers["ward"].get("/indicators/definitions/define/").status_code == 403
    wrong = officers["city"].post(
        "/indicators/definitions/define/",
        {
            "code": "PC",
            "name": "Tỷ lệ",
            "numerator": "#{NOPE}",
            "denominator": "pregnancies",
            "factor": "100",
            "direction": "up",
        },
    )
    assert wrong.status_code == 200
    assert "NOPE" in wrong.content.decode()
    done = officers["city"].post(
        "/indicators/definitions/define/",
        {
            "code": "PC",
            "name": "Tỷ lệ thai phụ được tư vấn",
            "numerator": "#{PREG_COUNSELLED}",
            "denominator": "pregnancies",
            "factor": "100",
            "direction": "up",
        },
    )
    assert done.status_code == 302
    indicator = Indicator.objects.get(code="PC")
    assert (indicator.numerator_expression, indicator.unit) == ("#{PREG_COUNSELLED}", "%")
    page = officers["ward"].get("/indicators/definitions/").content.decode()
    assert "#{PREG_COUNSELLED}" in page
    assert "(births) / (population) × 1.000" in page  # the catalogue as expressions


def test_a_table_over_the_size_limit_is_refused_with_the_limit(
    officers: dict[str, Client], settings: Any
) -> None:
    _define(officers["city"])
    settings.DANSO_UPLOAD_MAX_MB_ENTERED = 0.0001  # about 100 bytes
    table = "data_set,unit_code,level,period,element,value\n" + (
        "XA_THANG,118,commune,2024-01,PREG_COUNSELLED,4\n" * 10
    )
    response = officers["district"].post(
        "/datasets/upload/?date=2024-03-05",
        {"file": SimpleUploadedFile("lon.csv", table.encode())},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "chỉ được tối đa" in text  # the size limit, not "the file is empty"
    assert DataValue.objects.count() == 0
