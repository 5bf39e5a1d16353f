"""The notes of the reference data page are read in the reader's language (issue 17,
point 8): the loader keeps them as data and the page words them, days as dd/mm/yyyy;
notes stored as English sentences by an earlier loader are worded the same way."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.units.codes import Level
from danso.units.imports import note_text
from danso.units.models import ReferenceDataset
from danso.units.reference import Note, NoteKind

CONVERSION = "vn_commune_conversion_2025-07-01.csv"

#: Sentences the loader stored before its notes were data.
FORMER = [
    f"{CONVERSION}: commune 16387 (Xã Đông Khê) closes on 2025-06-30 but the table gives it "
    "no successor",
    f"{CONVERSION}: commune 11948 (Đặc khu Bạch Long Vĩ) opens on 2025-07-01 but the table "
    "gives it no predecessor",
    f"{CONVERSION}:1542: old commune 3980 did not exist on 2025-06-30; row skipped",
    f"{CONVERSION}:17: new commune 99999 does not exist on 2025-07-01; row skipped",
    f"{CONVERSION}:18: old commune 4 continues after 2025-06-30; row skipped",
    "vn_units_2023-05.csv:116: empty type for district 58 (Thành Phố Bắc Kạn); taken from "
    "the name: 'thành phố'",
]
#: The same, as the page words them in Vietnamese.
VIETNAMESE = [
    f"{CONVERSION}: Xã Đông Khê (16387) giải thể sau ngày 30/06/2025 nhưng bảng chuyển đổi "
    "không cho biết đơn vị kế thừa.",
    f"{CONVERSION}: Đặc khu Bạch Long Vĩ (11948) được thành lập từ ngày 01/07/2025 nhưng bảng "
    "chuyển đổi không cho biết đơn vị tiền thân.",
    f"{CONVERSION}, dòng 1542: Đơn vị cấp xã cũ mã 3980 không tồn tại vào ngày 30/06/2025; "
    "đã bỏ qua dòng này.",
    f"{CONVERSION}, dòng 17: Đơn vị cấp xã mới mã 99999 không tồn tại vào ngày 01/07/2025; "
    "đã bỏ qua dòng này.",
    f"{CONVERSION}, dòng 18: Đơn vị cấp xã cũ mã 4 vẫn còn tồn tại sau ngày 30/06/2025; "
    "đã bỏ qua dòng này.",
    "vn_units_2023-05.csv, dòng 116: Đơn vị cấp huyện 58 (Thành Phố Bắc Kạn) để trống loại "
    "đơn vị; đã lấy theo tên: “thành phố”.",
]
ENGLISH_WORDS = ("row skipped", "no successor", "no predecessor", "empty type", "2025-06-30")


@pytest.fixture(autouse=True)
def _language_left_as_found() -> Iterator[None]:
    """A request in English leaves English active in this thread (the locale middleware
    does not undo it); the tests after these must not inherit it."""
    yield
    translation.deactivate()


@pytest.fixture
def province(make_user: Callable[..., User], client_for: Callable[[User], Client]) -> Client:
    return client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))


def _page(client: Client) -> str:
    response = client.get(reverse("units:reference"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_loader_keeps_its_notes_as_data() -> None:
    note = Note(NoteKind.OLD_MISSING, CONVERSION, 1542, {"code": "3980", "day": "2025-06-30"})
    assert Note.from_stored(note.as_json()) == note
    assert Note.from_stored({"kind": "unknown", "file": "x"}) is None
    assert Note.from_stored("x.csv, dòng 3: Thiếu các cột: code") is None


@pytest.mark.parametrize(("former", "vietnamese"), list(zip(FORMER, VIETNAMESE, strict=True)))
def test_a_note_is_worded_in_vietnamese(former: str, vietnamese: str) -> None:
    note = Note.from_stored(former)
    assert note is not None
    with translation.override("vi"):
        assert note_text(former) == vietnamese
        assert note_text(note.as_json()) == vietnamese


def test_a_note_is_worded_in_english_for_an_english_reader() -> None:
    with translation.override("en"):
        assert note_text(FORMER[2]) == (
            f"{CONVERSION}, line 1542: Old commune 3980 did not exist on 30/06/2025; row skipped."
        )
        assert note_text(FORMER[5]) == (
            "vn_units_2023-05.csv, line 116: District 58 (Thành Phố Bắc Kạn) has no type; "
            "taken from its name: “thành phố”."
        )


def test_text_the_loader_did_not_write_is_shown_as_stored() -> None:
    assert note_text("x.csv, dòng 3: Thiếu các cột: code") == "x.csv, dòng 3: Thiếu các cột: code"


@pytest.mark.django_db
def test_the_reference_page_reads_in_vietnamese(province: Client) -> None:
    stored = ReferenceDataset.objects.get(name="units").problems
    assert stored
    assert all(isinstance(note, dict) for note in stored)  # data, not sentences

    html = _page(province)

    assert VIETNAMESE[2] in html  # the unknown old commune of the official table
    assert "Đơn vị cấp huyện 58 (Thành Phố Bắc Kạn) để trống loại đơn vị" in html
    assert "giải thể sau ngày 30/06/2025 nhưng bảng chuyển đổi" in html
    assert not [word for word in ENGLISH_WORDS if word in html]


@pytest.mark.django_db
def test_notes_stored_in_english_before_are_read_in_vietnamese(province: Client) -> None:
    ReferenceDataset.objects.filter(name="units").update(problems=FORMER)
    html = _page(province)
    for sentence in VIETNAMESE:
        assert sentence in html
    assert not [word for word in ENGLISH_WORDS if word in html]


@pytest.mark.django_db
def test_the_reference_page_in_english(province: Client) -> None:
    province.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = _page(province)
    assert "Old commune 3980 did not exist on 30/06/2025; row skipped." in html
