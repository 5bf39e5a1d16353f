"""The catalogue's numerators and denominators in Vietnamese (issue 17, point 8).

Rows still holding the catalogue's former English words take the Vietnamese ones, word
for word; a numerator or denominator an officer rewrote is left as written.  The words are
copied here as they stood (the catalogue may change later; this migration must not).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

#: code: (numerator, denominator) as the catalogue loaded them until now.
ENGLISH: dict[str, tuple[str, str]] = {
    "CBR": (
        "Live births in the period",
        "Mid-period population (× 1000)",
    ),
    "GFR": (
        "Live births in the period",
        "Women 15–49 at mid-period (× 1000)",
    ),
    "ASFR": (
        "Births to mothers of the age group",
        "Women of the age group at mid-period",
    ),
    "TFR": (
        "5 × Σ ASFR (per woman)",
        "—",
    ),
    "BIRTH3P": (
        "Births of order ≥ 3",
        "Births of known order (× 100)",
    ),
    "SRB": (
        "Male live births",
        "Female live births (× 100)",
    ),
    "PRENATAL": (
        "Women who gave birth with ≥ 1 prenatal screening in the 280 days up to the birth",
        "Women who gave birth in the period (× 100)",
    ),
    "NEWBORN": (
        "Live births screened within 30 days",
        "Live births (× 100)",
    ),
    "PREG_COUNSEL": (
        "Pregnant women counselled",
        "Pregnant women (× 100)",
    ),
    "PREMARITAL": (
        "Couples married in the period where a partner had a premarital check in the 365 "
        "days before",
        "Couples married in the period (× 100)",
    ),
    "ELDERLY": (
        "Persons aged ≥ 60 with ≥ 1 periodic check-up in the period",
        "Persons aged ≥ 60 at mid-period (× 100)",
    ),
    "NEWFP": (
        "Starts of a modern method in the period",
        "—",
    ),
    "CPR": (
        "Married women 15–49 using a modern method at period end",
        "Married women 15–49 at period end (× 100)",
    ),
    "CDR": (
        "Deaths in the period",
        "Mid-period population (× 1000)",
    ),
    "NEWFP.iud": (
        "Starts of iud in the period",
        "—",
    ),
    "NEWFP.implant": (
        "Starts of implant in the period",
        "—",
    ),
    "NEWFP.injectable": (
        "Starts of injectable in the period",
        "—",
    ),
    "NEWFP.pill": (
        "Starts of pill in the period",
        "—",
    ),
    "NEWFP.condom": (
        "Starts of condom in the period",
        "—",
    ),
    "NEWFP.sterilisation": (
        "Starts of sterilisation in the period",
        "—",
    ),
    "ASFR.15-19": (
        "Births to mothers aged 15-19",
        "Women aged 15-19 at mid-period",
    ),
    "ASFR.20-24": (
        "Births to mothers aged 20-24",
        "Women aged 20-24 at mid-period",
    ),
    "ASFR.25-29": (
        "Births to mothers aged 25-29",
        "Women aged 25-29 at mid-period",
    ),
    "ASFR.30-34": (
        "Births to mothers aged 30-34",
        "Women aged 30-34 at mid-period",
    ),
    "ASFR.35-39": (
        "Births to mothers aged 35-39",
        "Women aged 35-39 at mid-period",
    ),
    "ASFR.40-44": (
        "Births to mothers aged 40-44",
        "Women aged 40-44 at mid-period",
    ),
    "ASFR.45-49": (
        "Births to mothers aged 45-49",
        "Women aged 45-49 at mid-period",
    ),
}

#: code: (numerator, denominator) as the official definitions word them.
VIETNAMESE: dict[str, tuple[str, str]] = {
    "CBR": (
        "Số trẻ sinh sống trong kỳ",
        "Dân số trung bình kỳ (× 1000)",
    ),
    "GFR": (
        "Số trẻ sinh sống trong kỳ",
        "Số phụ nữ 15–49 tuổi có đến giữa kỳ (× 1000)",
    ),
    "ASFR": (
        "Số trẻ sinh sống trong kỳ của các bà mẹ thuộc nhóm tuổi",
        "Số phụ nữ thuộc nhóm tuổi có đến giữa kỳ",
    ),
    "TFR": (
        "5 × Σ tỷ suất sinh đặc trưng theo tuổi (tính trên một phụ nữ)",
        "—",
    ),
    "BIRTH3P": (
        "Số trẻ sinh ra là con thứ 3 trở lên trong kỳ",
        "Số trẻ sinh ra trong kỳ đã biết thứ tự sinh (× 100)",
    ),
    "SRB": (
        "Số bé trai sinh sống trong kỳ",
        "Số bé gái sinh sống trong kỳ (× 100)",
    ),
    "PRENATAL": (
        "Số bà mẹ sinh con trong kỳ được sàng lọc trước sinh ít nhất 1 lần trong 280 ngày "
        "trước khi sinh",
        "Số bà mẹ sinh con trong kỳ (× 100)",
    ),
    "NEWBORN": (
        "Số trẻ sinh sống trong kỳ được sàng lọc sơ sinh trong vòng 30 ngày sau sinh",
        "Số trẻ sinh sống trong kỳ (× 100)",
    ),
    "PREG_COUNSEL": (
        "Số thai phụ được tuyên truyền, tư vấn về sàng lọc trước sinh",
        "Số thai phụ trong kỳ (× 100)",
    ),
    "PREMARITAL": (
        "Số cặp kết hôn trong kỳ có ít nhất một người được tư vấn, khám sức khỏe trước kết hôn "
        "trong 365 ngày trước đó",
        "Số cặp kết hôn trong kỳ (× 100)",
    ),
    "ELDERLY": (
        "Số người từ 60 tuổi trở lên được khám sức khỏe định kỳ ít nhất 1 lần trong kỳ",
        "Số người từ 60 tuổi trở lên có đến giữa kỳ (× 100)",
    ),
    "NEWFP": (
        "Số người mới sử dụng biện pháp tránh thai hiện đại trong kỳ",
        "—",
    ),
    "CPR": (
        "Số phụ nữ 15–49 tuổi có chồng đang sử dụng biện pháp tránh thai hiện đại tại thời điểm "
        "cuối kỳ",
        "Số phụ nữ 15–49 tuổi có chồng tại thời điểm cuối kỳ (× 100)",
    ),
    "CDR": (
        "Số người chết trong kỳ",
        "Dân số trung bình kỳ (× 1000)",
    ),
    "NEWFP.iud": (
        "Số người mới sử dụng biện pháp dụng cụ tử cung trong kỳ",
        "—",
    ),
    "NEWFP.implant": (
        "Số người mới sử dụng biện pháp thuốc cấy tránh thai trong kỳ",
        "—",
    ),
    "NEWFP.injectable": (
        "Số người mới sử dụng biện pháp thuốc tiêm tránh thai trong kỳ",
        "—",
    ),
    "NEWFP.pill": (
        "Số người mới sử dụng biện pháp viên uống tránh thai trong kỳ",
        "—",
    ),
    "NEWFP.condom": (
        "Số người mới sử dụng biện pháp bao cao su trong kỳ",
        "—",
    ),
    "NEWFP.sterilisation": (
        "Số người mới sử dụng biện pháp triệt sản trong kỳ",
        "—",
    ),
    "ASFR.15-19": (
        "Số trẻ sinh sống trong kỳ của các bà mẹ 15-19 tuổi",
        "Số phụ nữ 15-19 tuổi có đến giữa kỳ",
    ),
    "ASFR.20-24": (
        "Số trẻ sinh sống trong kỳ của các bà mẹ 20-24 tuổi",
        "Số phụ nữ 20-24 tuổi có đến giữa kỳ",
    ),
    "ASFR.25-29": (
        "Số trẻ sinh sống trong kỳ của các bà mẹ 25-29 tuổi",
        "Số phụ nữ 25-29 tuổi có đến giữa kỳ",
    ),
    "ASFR.30-34": (
        "Số trẻ sinh sống trong kỳ của các bà mẹ 30-34 tuổi",
        "Số phụ nữ 30-34 tuổi có đến giữa kỳ",
    ),
    "ASFR.35-39": (
        "Số trẻ sinh sống trong kỳ của các bà mẹ 35-39 tuổi",
        "Số phụ nữ 35-39 tuổi có đến giữa kỳ",
    ),
    "ASFR.40-44": (
        "Số trẻ sinh sống trong kỳ của các bà mẹ 40-44 tuổi",
        "Số phụ nữ 40-44 tuổi có đến giữa kỳ",
    ),
    "ASFR.45-49": (
        "Số trẻ sinh sống trong kỳ của các bà mẹ 45-49 tuổi",
        "Số phụ nữ 45-49 tuổi có đến giữa kỳ",
    ),
}


def _rewrite(
    apps: Any, source: dict[str, tuple[str, str]], target: dict[str, tuple[str, str]]
) -> None:
    indicator = apps.get_model("indicators", "Indicator")
    for code, (numerator, denominator) in source.items():
        new_numerator, new_denominator = target[code]
        rows = indicator.objects.filter(code=code)
        rows.filter(numerator=numerator).update(numerator=new_numerator)
        rows.filter(denominator=denominator).update(denominator=new_denominator)


def to_vietnamese(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, ENGLISH, VIETNAMESE)


def to_english(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, VIETNAMESE, ENGLISH)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0004_figures_epoch")]

    operations = [migrations.RunPython(to_vietnamese, to_english)]
