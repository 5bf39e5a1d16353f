import pytest

from danso.units.codes import CodeError, Level, display_code, normalize_code


@pytest.mark.parametrize(
    ("level", "raw", "stored", "shown"),
    [
        (Level.PROVINCE, "01", "1", "01"),
        (Level.PROVINCE, 1, "1", "01"),
        (Level.DISTRICT, "004", "4", "004"),
        (Level.COMMUNE, "00004", "4", "00004"),
        (Level.COMMUNE, "4", "4", "00004"),
        (Level.COMMUNE, "11671", "11671", "11671"),
        (Level.VILLAGE, " NT-TDP01 ", "NT-TDP01", "NT-TDP01"),
    ],
)
def test_codes_are_stored_unpadded_and_shown_padded(
    level: Level, raw: str, stored: str, shown: str
) -> None:
    assert normalize_code(level, raw) == stored
    assert display_code(level, stored) == shown


@pytest.mark.parametrize(
    ("level", "raw"),
    [(Level.COMMUNE, "12a"), (Level.PROVINCE, "123"), (Level.COMMUNE, ""), (Level.DISTRICT, "x")],
)
def test_bad_codes_are_refused(level: Level, raw: str) -> None:
    with pytest.raises(CodeError):
        normalize_code(level, raw)
