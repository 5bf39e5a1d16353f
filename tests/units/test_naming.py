import pytest

from danso.units.naming import bare_name, match_names


@pytest.mark.parametrize(
    ("written", "bare"),
    [
        ("Thị xã Sơn Tây", "son tay"),
        ("Ứng Hoà", "ung hoa"),
        ("Huyện Ứng Hòa", "ung hoa"),
        ("TP. Hà Nội", "ha noi"),
        ("Q. Long Biên", "long bien"),
        ("Phường 1", "1"),
    ],
)
def test_bare_names_drop_case_accents_and_the_type_word(written: str, bare: str) -> None:
    assert bare_name(written) == bare


def test_names_match_officials_but_never_ambiguously() -> None:
    officials = {
        1: "Thị xã Sơn Tây",
        2: "Huyện Ứng Hòa",
        3: "Quận Long Biên",
        4: "Phường Long Biên",
        5: "Xã An Bình",
        6: "Phường An Bình",
    }
    found = match_names(["Sơn Tây", "Ứng Hoà", "Phường Long Biên", "An Bình", "Hà Đông"], officials)
    assert found == {
        "Sơn Tây": 1,
        "Ứng Hoà": 2,
        "Phường Long Biên": 4,
        "An Bình": None,
        "Hà Đông": None,
    }
