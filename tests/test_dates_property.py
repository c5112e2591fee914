"""Property tests for the table-driven date parser (issue 12, item 5).

For random valid datetimes rendered in every supported form (weekday prefixes "Thứ hai" ...
"Chủ nhật" and "T2" ... "CN" in any case, NFC or NFD, parentheses, "lúc", "GMT+7", "Cập nhật",
12-hour "SA/CH"), `parse_vn_date` gives back the same ISO value at +07:00 (a bare date when the
form shows no time); and no text makes it raise.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize.dates import LOCAL_TZ, parse_vn_date

LONG_WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")
SHORT_WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
DIGIT_WEEKDAYS = ("Thứ 2", "Thứ 3", "Thứ 4", "Thứ 5", "Thứ 6", "Thứ 7", "Chủ nhật")
WEEKDAY_STYLES = (LONG_WEEKDAYS, SHORT_WEEKDAYS, DIGIT_WEEKDAYS)
CASES: tuple[Callable[[str], str], ...] = (str, str.lower, str.upper, str.title)


def _dmy(dt: datetime, pad: bool) -> str:
    return f"{dt.day:02d}/{dt.month:02d}/{dt.year}" if pad else f"{dt.day}/{dt.month}/{dt.year}"


def _hm(dt: datetime) -> str:
    return f"{dt.hour:02d}:{dt.minute:02d}"


def _twelve(dt: datetime) -> str:
    hour = dt.hour % 12 or 12
    return f"{hour}:{dt.minute:02d} {'SA' if dt.hour < 12 else 'CH'}"


# Each form: (render(datetime, weekday, pad) -> text, whether the form shows the time).
FORMS: dict[str, tuple[Callable[[datetime, str, bool], str], bool]] = {
    "weekday, date time": (lambda dt, wd, p: f"{wd}, {_dmy(dt, p)} {_hm(dt)}", True),
    "(weekday, date time)": (lambda dt, wd, p: f"({wd}, {_dmy(dt, p)} {_hm(dt)})", True),
    "weekday, date - time": (lambda dt, wd, p: f"{wd}, {_dmy(dt, p)} - {_hm(dt)}", True),
    "Ngày d tháng m năm y": (lambda dt, wd, p: f"Ngày {dt.day} tháng {dt.month} năm {dt.year}", False),
    "Ngày dd tháng mm năm y": (
        lambda dt, wd, p: f"Ngày {dt.day:02d} tháng {dt.month:02d} năm {dt.year}",
        False,
    ),
    "date - time": (lambda dt, wd, p: f"{_dmy(dt, p)} - {_hm(dt)}", True),
    "Cập nhật lúc time date": (lambda dt, wd, p: f"Cập nhật lúc {_hm(dt)} {_dmy(dt, p)}", True),
    "Cập nhật: weekday date time": (lambda dt, wd, p: f"Cập nhật: {wd}, {_dmy(dt, p)} {_hm(dt)}", True),
    "date": (lambda dt, wd, p: _dmy(dt, p), False),
    "date time": (lambda dt, wd, p: f"{_dmy(dt, p)} {_hm(dt)}", True),
    "date lúc time GMT+7": (lambda dt, wd, p: f"{_dmy(dt, p)} lúc {_hm(dt)} GMT+7", True),
    "(weekday, date time GMT+7)": (lambda dt, wd, p: f"({wd}, {_dmy(dt, p)} {_hm(dt)} GMT+7)", True),
    "date time SA/CH": (lambda dt, wd, p: f"{_dmy(dt, p)} {_twelve(dt)}", True),
    "weekday date lúc time SA/CH": (lambda dt, wd, p: f"{wd} {_dmy(dt, p)} lúc {_twelve(dt)}", True),
}

datetimes = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)


@settings(max_examples=300, deadline=None)
@given(
    dt=datetimes,
    form=st.sampled_from(sorted(FORMS)),
    style=st.sampled_from(WEEKDAY_STYLES),
    case=st.sampled_from(CASES),
    nfd=st.booleans(),
    pad=st.booleans(),
)
def test_every_form_parses_back_to_the_same_value(
    dt: datetime, form: str, style: tuple[str, ...], case: Callable[[str], str], nfd: bool, pad: bool
) -> None:
    weekday = case(style[dt.weekday()])
    render, timed = FORMS[form]
    text = render(dt, weekday, pad)
    if nfd:
        text = unicodedata.normalize("NFD", text)
    want = dt.replace(tzinfo=LOCAL_TZ).isoformat(timespec="seconds") if timed else dt.date().isoformat()
    assert parse_vn_date(text) == want, text


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_garbage_never_raises(text: str) -> None:
    got = parse_vn_date(text)
    assert got is None or isinstance(got, str)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789/:-.,() hgSACHTthứaiNgàyáncập nhật lúcGMT+7", max_size=40))
def test_date_like_garbage_never_raises(text: str) -> None:
    got = parse_vn_date(text)
    assert got is None or (isinstance(got, str) and got[:4].isdigit())


def test_the_forms_of_the_issue() -> None:
    assert parse_vn_date("Thứ hai, 19/04/2021 15:17") == "2021-04-19T15:17:00+07:00"
    assert parse_vn_date("(Thứ hai, 19/04/2021 15:17)") == "2021-04-19T15:17:00+07:00"
    assert parse_vn_date("Ngày 5 tháng 3 năm 2022") == "2022-03-05"
    assert parse_vn_date("Ngày 30 tháng 07 năm 2020") == "2020-07-30"
    assert parse_vn_date("05/03/2022 - 08:30") == "2022-03-05T08:30:00+07:00"
    assert parse_vn_date("Cập nhật lúc 08:30 05/03/2022") == "2022-03-05T08:30:00+07:00"
    assert parse_vn_date("11/01/2021") == "2021-01-11"
    assert parse_vn_date("22/01/2021 08:00") == "2021-01-22T08:00:00+07:00"
    assert parse_vn_date("Thứ Hai, 11/01/2021 - 15:30") == "2021-01-11T15:30:00+07:00"
    assert parse_vn_date("CN, 05/03/2022 08:30 CH") == "2022-03-05T20:30:00+07:00"
    assert parse_vn_date("t7 05/03/2022 12:05 SA (GMT+7)") == "2022-03-05T00:05:00+07:00"
