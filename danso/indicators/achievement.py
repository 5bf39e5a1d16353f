"""Achievement against a target: one of five statuses, by rules a user can read.  Pure.

The statuses (``Status``) and when each is given, by the target's kind
(DOMAIN §4.2, ``plans.document.TargetKind``):

- **count, at least** (``count_min``; new contraceptive users): the count so far is
  compared with the target's *pro-rated share* for the months elapsed (months of the
  period ÷ 12).  *Achieved* when the whole year's target is reached; *on track* when the
  share is reached; *at risk* from 90 % of the share; *off track* below.
- **level, at least** (``level_min``; screening coverage ≥ 90 %), and **ceiling**
  (``ceiling``; SRB ≤ 109): the value so far is compared with the target itself (a rate is
  not pro-rated), using its 95 % interval so that noise does not condemn a unit.
  *Achieved* (whole year) or *on track* (part of it) when the value meets the target;
  *at risk* when it does not but the interval still reaches the target; *off track* when
  the whole interval misses it (for a ceiling: lies wholly above it — the only case in
  which an alert fires).
- **change against a baseline year** (``change``; "giảm 0,15 điểm so với 2024"): the
  implied level is baseline + change; judged as a level (a rise) or a ceiling (a fall).
  Which of the two is the target's meaning (``change_falls``), never the sign of its
  number alone: the target's wording first (giảm, không quá … a fall; tăng, tối thiểu …
  a rise), then the sign of a change written without words, and for a change of zero
  ("giảm tỷ lệ sinh con thứ 3 trở lên 0,00 %" without words) the indicator's direction (lower
  is better: it must not rise; higher is better: it must not fall).
- **within a tolerance** (``near``; TFR 2,1 ± 0,1): met when the value is within the
  band; at risk when only the interval reaches the band; off track otherwise.
- **every child unit** (``all_children``): judged on the children's own statuses: achieved
  or on track when all of them are, off track when any is off track, at risk otherwise.

*Cannot judge*: no value, a value resting on too few events (``small_numbers``), or a
change target whose baseline is unknown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from danso.vietnamese import format_number


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    CANNOT_JUDGE = "cannot_judge"


STATUS_VI = {
    Status.ACHIEVED: "Đạt",
    Status.ON_TRACK: "Đúng tiến độ",
    Status.AT_RISK: "Có nguy cơ không đạt",
    Status.OFF_TRACK: "Chậm tiến độ",
    Status.CANNOT_JUDGE: "Chưa đủ số liệu để đánh giá",
}


def _n(x: float) -> str:
    """A number as written in Vietnamese, without useless decimals (109; 2,1; 85,32)."""
    text = format_number(x, 2)
    return text.rstrip("0").rstrip(",") if "," in text else text


#: From this share of the pro-rated target, a count is at risk rather than off track.
AT_RISK_SHARE = 0.9


@dataclass(frozen=True)
class Actual:
    value: float | None
    low: float | None = None
    high: float | None = None
    small_numbers: bool = False


@dataclass(frozen=True)
class Judgement:
    status: Status
    expected: float | None  # what the target asks by now (pro-rated count, or the level)
    reason: str  # in plain Vietnamese, for the hover text


def _level(actual: Actual, target: float, whole_year: bool, *, ceiling: bool) -> Judgement:
    assert actual.value is not None
    met = actual.value <= target if ceiling else actual.value >= target
    sign = "≤" if ceiling else "≥"
    if met:
        status = Status.ACHIEVED if whole_year else Status.ON_TRACK
        return Judgement(
            status, target, f"Giá trị {_n(actual.value)} {sign} chỉ tiêu {_n(target)}."
        )
    bound = actual.low if ceiling else actual.high
    if bound is not None and ((bound <= target) if ceiling else (bound >= target)):
        return Judgement(
            Status.AT_RISK,
            target,
            f"Giá trị {_n(actual.value)} chưa đạt chỉ tiêu {_n(target)}, nhưng khoảng tin cậy "
            f"95% vẫn chứa chỉ tiêu: có thể chỉ do dao động ngẫu nhiên.",
        )
    where = "nằm hoàn toàn trên mức trần" if ceiling else "nằm hoàn toàn dưới chỉ tiêu"
    return Judgement(
        Status.OFF_TRACK,
        target,
        f"Giá trị {_n(actual.value)}, cả khoảng tin cậy 95% {where} {_n(target)}.",
    )


#: Words of a target that say its level must fall (or not rise), and rise (or not fall).
FALLING_WORDS = ("giảm", "không quá", "không vượt", "tối đa", "dưới mức")
RISING_WORDS = ("tăng", "tối thiểu", "ít nhất", "không dưới", "không thấp hơn")


def change_falls(change: float, *, direction: str | None = None, wording: str = "") -> bool | None:
    """Whether a change target means a fall (judged as a ceiling on baseline + change),
    or a rise (a level to reach), from its meaning: its ``wording``, else the sign of
    ``change``, else, for a change of zero, the indicator's ``direction`` ("lower" or
    "higher" is better).  None when nothing says it."""
    words = " ".join(wording.casefold().split())
    falls = any(word in words for word in FALLING_WORDS)
    rises = any(word in words for word in RISING_WORDS)
    if falls != rises:
        return falls
    if change:
        return change < 0
    if direction in ("lower", "higher"):
        return direction == "lower"
    return None


def judge(
    kind: str,
    target: float,
    actual: Actual,
    *,
    months: int = 12,
    tolerance: float | None = None,
    baseline: float | None = None,
    children: Iterable[Status] = (),
    direction: str | None = None,
    wording: str = "",
) -> Judgement:
    """The status of ``actual`` against a target of ``kind`` after ``months`` months
    (``direction`` and ``wording``: the indicator's direction and the target as written,
    which say which way a change target goes)."""
    whole_year = months >= 12
    if kind == "all_children":
        statuses = list(children)
        if not statuses or Status.CANNOT_JUDGE in statuses:
            return Judgement(
                Status.CANNOT_JUDGE, None, "Chưa đủ số liệu của các đơn vị trực thuộc."
            )
        if all(s in (Status.ACHIEVED, Status.ON_TRACK) for s in statuses):
            status = Status.ACHIEVED if whole_year else Status.ON_TRACK
            return Judgement(status, None, "Mọi đơn vị trực thuộc đều đạt.")
        if Status.OFF_TRACK in statuses:
            return Judgement(Status.OFF_TRACK, None, "Có đơn vị trực thuộc chậm tiến độ.")
        return Judgement(Status.AT_RISK, None, "Có đơn vị trực thuộc có nguy cơ không đạt.")
    if actual.value is None:
        return Judgement(Status.CANNOT_JUDGE, None, "Chưa có số liệu.")
    if kind == "count_min":
        expected = target * min(months, 12) / 12
        if actual.value >= target:
            return Judgement(Status.ACHIEVED, expected, f"Đã đạt {_n(actual.value)}/{_n(target)}.")
        if actual.value >= expected:
            return Judgement(
                Status.ON_TRACK, expected, f"{_n(actual.value)} ≥ {_n(expected)} cần đạt đến nay."
            )
        if actual.value >= AT_RISK_SHARE * expected:
            return Judgement(
                Status.AT_RISK,
                expected,
                f"{_n(actual.value)}, dưới {_n(expected)} cần đạt đến nay nhưng trên 90%.",
            )
        return Judgement(
            Status.OFF_TRACK, expected, f"{_n(actual.value)}, dưới 90% của {_n(expected)}."
        )
    if actual.small_numbers:
        return Judgement(
            Status.CANNOT_JUDGE, target, "Số sự kiện quá ít để đánh giá (khoảng tin cậy quá rộng)."
        )
    if kind in ("level_min", "ceiling"):
        return _level(actual, target, whole_year, ceiling=kind == "ceiling")
    if kind == "change":
        if baseline is None:
            return Judgement(Status.CANNOT_JUDGE, None, "Chưa có số liệu năm gốc.")
        falls = change_falls(target, direction=direction, wording=wording)
        if falls is None:
            return Judgement(
                Status.CANNOT_JUDGE,
                baseline + target,
                "Chỉ tiêu thay đổi bằng 0 mà không nói tăng hay giảm.",
            )
        return _level(actual, baseline + target, whole_year, ceiling=falls)
    if kind == "near":
        band = tolerance or 0.0
        low, high = target - band, target + band
        if low <= actual.value <= high:
            status = Status.ACHIEVED if whole_year else Status.ON_TRACK
            return Judgement(
                status, target, f"Giá trị {_n(actual.value)} trong khoảng {_n(low)}–{_n(high)}."
            )
        if (actual.high or actual.value) >= low and (actual.low or actual.value) <= high:
            return Judgement(
                Status.AT_RISK,
                target,
                "Ngoài khoảng chỉ tiêu, nhưng khoảng tin cậy 95% vẫn chạm tới.",
            )
        return Judgement(
            Status.OFF_TRACK,
            target,
            f"Giá trị {_n(actual.value)} ngoài khoảng {_n(low)}–{_n(high)}.",
        )
    return Judgement(Status.CANNOT_JUDGE, None, f"Loại chỉ tiêu {kind} chưa được đánh giá.")
