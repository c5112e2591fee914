"""Tests for crawler.normalize.dates: a table of every supported format plus round-trip properties."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from crawler.normalize.dates import LOCAL_TZ, parse_iso_datetime, parse_vn_date

# ---------------------------------------------------------------------------------------- table


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # numeric date, with/without time
        ("11/01/2021", "2021-01-11"),
        ("11/01/2021 15:30", "2021-01-11T15:30:00+07:00"),
        ("15:30 11/01/2021", "2021-01-11T15:30:00+07:00"),
        ("22/01/2021 | 15:31", "2021-01-22T15:31:00+07:00"),
        ("Thứ Hai, 11/01/2021", "2021-01-11"),
        ("Thứ Năm, 08/09/2022 | 10:05", "2022-09-08T10:05:00+07:00"),
        ("Thứ Hai, 11/01/2021 - 15:30", "2021-01-11T15:30:00+07:00"),
        ("Chủ nhật, 10/01/2021 15:30", "2021-01-10T15:30:00+07:00"),
        ("CN, 10/01/2021", "2021-01-10"),
        ("T2, 11/01/2021", "2021-01-11"),
        ("Thứ 2, 11/01/2021 15:30", "2021-01-11T15:30:00+07:00"),
        # 12-hour clock (SA = sáng/AM, CH = chiều/PM)
        ("22/01/2021 08:15 SA", "2021-01-22T08:15:00+07:00"),
        ("22/06/2022 02:45 CH", "2022-06-22T14:45:00+07:00"),
        ("22/06/2022 12:30 SA", "2022-06-22T00:30:00+07:00"),
        ("22/06/2022 12:10 CH", "2022-06-22T12:10:00+07:00"),
        ("22/06/2022 2:45 PM", "2022-06-22T14:45:00+07:00"),
        ("22/06/2022 2:45 am", "2022-06-22T02:45:00+07:00"),
        ("22/06/2022 02:45 ch", "2022-06-22T14:45:00+07:00"),
        ("12:30 SA 22/06/2022", "2022-06-22T00:30:00+07:00"),
        # long form
        ("Ngày 30 tháng 07 năm 2020", "2020-07-30"),
        ("Ngày 5 tháng 3 năm 2022", "2022-03-05"),
        ("ngày 05 tháng 03 năm 2022", "2022-03-05"),
        ("5 Tháng Bảy, 2022", "2022-07-05"),
        ("5 tháng bảy, 2022", "2022-07-05"),
        ("5 THÁNG BẢY, 2022", "2022-07-05"),
        ("1 Tháng Giêng, 2022", "2022-01-01"),
        ("1 Tháng Một, 2022", "2022-01-01"),
        ("30 Tháng Tư, 2023", "2023-04-30"),
        ("3 Tháng Năm, 2023", "2023-05-03"),
        ("11 Tháng Mười Một, 2017", "2017-11-11"),
        ("12 Tháng Mười Hai, 2017", "2017-12-12"),
        ("12 Tháng Chạp, 2017", "2017-12-12"),
        ("12 Tháng Mười, 2017", "2017-10-12"),
        ("Thứ Năm ,  27  Tháng Tư 2023", "2023-04-27"),
        ("Ngày 30 tháng 07 năm 2020 lúc 08:00", "2020-07-30T08:00:00+07:00"),
        # ISO
        ("2021-01-22T15:31:00+07:00", "2021-01-22T15:31:00+07:00"),
        ("2021-01-22T08:31:00Z", "2021-01-22T15:31:00+07:00"),
        ("2021-01-22T08:31:00+00:00", "2021-01-22T15:31:00+07:00"),
        ("2021-01-22T15:31:00", "2021-01-22T15:31:00+07:00"),
        ("2021-01-22 15:31", "2021-01-22T15:31:00+07:00"),
        ("2021-01-22T15:31:00.123456+07:00", "2021-01-22T15:31:00+07:00"),
        ("2021-01-22", "2021-01-22"),
        # other numeric shapes and times
        ("22-01-2021", "2021-01-22"),
        ("22.01.2021", "2021-01-22"),
        ("1/2/2021", "2021-02-01"),
        ("1-2-2021 7:05", "2021-02-01T07:05:00+07:00"),
        ("11/01/2021 15:30:45", "2021-01-11T15:30:45+07:00"),
        ("11/01/2021,15:30", "2021-01-11T15:30:00+07:00"),
        ("11/01/2021 - 2,5 giờ", "2021-01-11"),
        ("11/01/2021 15h30", "2021-01-11T15:30:00+07:00"),
        ("15h30 ngày 11/01/2021", "2021-01-11T15:30:00+07:00"),
        ("15 giờ 30 phút ngày 11/01/2021", "2021-01-11T15:30:00+07:00"),
        ("15h ngày 11/01/2021", "2021-01-11T15:00:00+07:00"),
        # embedded in text
        ("Cập nhật lúc 15:30 ngày 11/01/2021", "2021-01-11T15:30:00+07:00"),
        ("(05/01/2021)", "2021-01-05"),
        ("Ngày đăng: 22/01/2021 | 15:31 | Lượt xem: 120", "2021-01-22T15:31:00+07:00"),
        ("Sáng 22/01/2021, Đảng uỷ Khối các cơ quan tỉnh tổ chức", "2021-01-22"),
        ("Giấy phép số 26/GP-TTĐT ngày 12/3/2019 của Cục", "2019-03-12"),
        ("11/01/2021 có 5 hộ dân", "2021-01-11"),
        ("Ngày\xa011/01/2021\u200b", "2021-01-11"),
        ("first valid wins: 31/02/2021 then 01/03/2021", "2021-03-01"),
        # impossible / missing
        ("31/02/2021", None),
        ("32/01/2021", None),
        ("00/01/2021", None),
        ("11/13/2021", None),
        ("29/02/2021", None),
        ("29/02/2020", "2020-02-29"),
        ("25:00", None),
        ("11/01/2021 25:00", None),
        ("11/01/2021 15:60", None),
        ("Ngày 30 tháng 13 năm 2020", None),
        ("01/01/0001", None),
        ("2021-02-30", None),
        ("2021-01-22T25:00:00", None),
        ("Nhiệm kỳ 2020-2025", None),
        ("Số 12/2021/NĐ-CP", None),
        ("", None),
        (None, None),
        ("không có ngày", None),
    ],
)
def test_parse_vn_date_table(text: str | None, expected: str | None) -> None:
    assert parse_vn_date(text) == expected


@pytest.mark.parametrize(
    ("text", "wall_time", "expected"),
    [
        ("2023-04-13T16:20:11+07:00", False, "2023-04-13T16:20:11+07:00"),
        ("2023-04-13T09:20:11Z", False, "2023-04-13T16:20:11+07:00"),
        ("2023-04-13T09:20:11+00:00", False, "2023-04-13T16:20:11+07:00"),
        ("2023-04-13T16:20:11", False, "2023-04-13T16:20:11+07:00"),
        ("2023-04-13 16:20:11", False, "2023-04-13T16:20:11+07:00"),
        ("2023-04-13T16:20:11.987+07:00", False, "2023-04-13T16:20:11+07:00"),
        ("2023-04-13", False, "2023-04-13"),
        ("Fri, 02 Feb 2018 10:12:40 +0000", False, "2018-02-02T17:12:40+07:00"),
        ("Fri, 02 Feb 2018 10:12:40 GMT", False, "2018-02-02T17:12:40+07:00"),
        ("Fri, 02 Feb 2018 10:12:40 -0000", False, "2018-02-02T17:12:40+07:00"),
        ("Fri, 02 Feb 2018 17:12:40 +0700", False, "2018-02-02T17:12:40+07:00"),
        ("Fri, 02 Feb 2018 17:12:40", False, "2018-02-02T17:12:40+07:00"),
        # wall time: the site's clock, mislabelled UTC
        ("2018-02-02T17:12:40+00:00", True, "2018-02-02T17:12:40+07:00"),
        ("2018-02-02T17:12:40Z", True, "2018-02-02T17:12:40+07:00"),
        ("2018-02-02T17:12:40", True, "2018-02-02T17:12:40+07:00"),
        ("Fri, 02 Feb 2018 17:12:40 +0000", True, "2018-02-02T17:12:40+07:00"),
        ("  2018-02-02T17:12:40+07:00\n", False, "2018-02-02T17:12:40+07:00"),
        ("", False, None),
        (None, False, None),
        ("garbage", False, None),
        ("2023-13-40T00:00:00", False, None),
        ("Fri, 31 Feb 2018 10:12:40 +0000", False, None),
    ],
)
def test_parse_iso_datetime(text: str | None, wall_time: bool, expected: str | None) -> None:
    assert parse_iso_datetime(text, wall_time=wall_time) == expected


def test_local_tz() -> None:
    assert LOCAL_TZ.key == "Asia/Ho_Chi_Minh"
    assert datetime(2021, 1, 1, tzinfo=LOCAL_TZ).isoformat().endswith("+07:00")


# ---------------------------------------------------------------------------------------- properties

_WEEKDAYS_VI = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
_WEEKDAYS_NUM = ["Thứ 2", "Thứ 3", "Thứ 4", "Thứ 5", "Thứ 6", "Thứ 7", "CN"]
_MONTH_WORDS: dict[int, list[str]] = {
    1: ["Giêng", "Một"],
    2: ["Hai"],
    3: ["Ba"],
    4: ["Tư", "Bốn"],
    5: ["Năm"],
    6: ["Sáu"],
    7: ["Bảy"],
    8: ["Tám"],
    9: ["Chín"],
    10: ["Mười"],
    11: ["Mười Một"],
    12: ["Mười Hai", "Chạp"],
}
_dates = st.dates(min_value=date(1976, 1, 1), max_value=date(2099, 12, 31))
_times = st.times().map(lambda t: t.replace(microsecond=0))


def _pad(n: int, zero: bool) -> str:
    return f"{n:02d}" if zero else str(n)


@st.composite
def _weekday_prefix(draw: st.DrawFn, d: date) -> str:
    style = draw(st.sampled_from(["none", "vi", "num", "random"]))
    if style == "none":
        return ""
    if style == "vi":
        name = _WEEKDAYS_VI[d.weekday()]
    elif style == "num":
        name = _WEEKDAYS_NUM[d.weekday()]
    else:  # sites sometimes print the wrong weekday; it must not matter
        name = draw(st.sampled_from(_WEEKDAYS_VI + _WEEKDAYS_NUM))
    case = draw(st.sampled_from([str, str.lower, str.upper]))
    sep = draw(st.sampled_from([", ", " , ", " - ", " "]))
    return case(name) + sep


@st.composite
def _numeric_date(draw: st.DrawFn, d: date) -> str:
    zero_d, zero_m = draw(st.booleans()), draw(st.booleans())
    sep = draw(st.sampled_from(["/", "-", "."]))
    return f"{_pad(d.day, zero_d)}{sep}{_pad(d.month, zero_m)}{sep}{d.year}"


@st.composite
def _long_date(draw: st.DrawFn, d: date) -> str:
    zero = draw(st.booleans())
    if draw(st.booleans()):
        month = _pad(d.month, draw(st.booleans()))
        ngay = draw(st.sampled_from(["Ngày ", "ngày ", ""]))
        return f"{ngay}{_pad(d.day, zero)} tháng {month} năm {d.year}"
    name = draw(st.sampled_from(_MONTH_WORDS[d.month]))
    case = draw(st.sampled_from([str, str.lower, str.upper, str.title]))
    sep = draw(st.sampled_from([", ", " ", " , "]))
    return f"{_pad(d.day, zero)} {case('Tháng ' + name)}{sep}{d.year}"


@st.composite
def _clock(draw: st.DrawFn, t: time) -> tuple[str, time]:
    """Render t; returns the text and the time it denotes (seconds dropped unless shown)."""
    style = draw(st.sampled_from(["hm", "hms", "h_m", "12h"]))
    zero = draw(st.booleans()) or t.hour >= 10
    if style == "hm":
        return f"{_pad(t.hour, zero)}:{t.minute:02d}", t.replace(second=0)
    if style == "hms":
        return f"{_pad(t.hour, zero)}:{t.minute:02d}:{t.second:02d}", t
    if style == "h_m":
        return f"{_pad(t.hour, zero)}h{t.minute:02d}", t.replace(second=0)
    h12 = t.hour % 12 or 12
    marker = "SA" if t.hour < 12 else "CH"
    marker = draw(st.sampled_from([marker, marker.lower()]))
    return f"{_pad(h12, draw(st.booleans()))}:{t.minute:02d} {marker}", t.replace(second=0)


@st.composite
def _rendered(draw: st.DrawFn) -> tuple[str, str]:
    d = draw(_dates)
    body = draw(_numeric_date(d)) if draw(st.booleans()) else draw(_long_date(d))
    text = draw(_weekday_prefix(d)) + body
    where = draw(st.sampled_from(["none", "after", "before"]))
    if where == "none":
        expected = d.isoformat()
    else:
        clock, t = draw(_clock(draw(_times)))
        if where == "after":
            text = text + draw(st.sampled_from([" ", " | ", " - ", ", ", " lúc "])) + clock
        else:
            text = clock + draw(st.sampled_from([" ", " ngày ", ", ", " | ", " - "])) + text
        expected = datetime.combine(d, t, LOCAL_TZ).isoformat()
    lead = draw(st.sampled_from(["", "Cập nhật: ", "(", "Ngày đăng "]))
    tail = draw(st.sampled_from(["", ")", " | Lượt xem: 120", ". Đảng ủy Khối"]))
    return lead + text + tail, expected


@given(_rendered())
def test_parse_vn_date_round_trip(case: tuple[str, str]) -> None:
    text, expected = case
    assert parse_vn_date(text) == expected


@given(_dates, _times, st.sampled_from(["+07:00", "Z", "+00:00", "-05:00", "", "+0700"]))
def test_iso_round_trip(d: date, t: time, tz: str) -> None:
    text = f"{d.isoformat()}T{t.isoformat()}{tz}"
    naive = datetime.combine(d, t)
    if tz == "":
        expected = naive.replace(tzinfo=LOCAL_TZ)
    else:
        expected = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(LOCAL_TZ)
    assume(date(1976, 1, 1) <= expected.date() <= date(2099, 12, 31))
    assert parse_vn_date(text) == expected.isoformat()
    assert parse_iso_datetime(text) == expected.isoformat()
    assert parse_iso_datetime(text, wall_time=True) == naive.replace(tzinfo=LOCAL_TZ).isoformat()


@given(_dates, _times)
def test_output_shape(d: date, t: time) -> None:
    out = parse_vn_date(f"{d.day}/{d.month}/{d.year} {t.hour}:{t.minute:02d}")
    assert out is not None
    assert len(out) == len("2021-01-22T15:31:00+07:00")
    assert out.endswith("+07:00")


@given(st.text())
def test_random_text_never_raises(text: str) -> None:
    out = parse_vn_date(text)
    assert out is None or isinstance(out, str)
    parse_iso_datetime(text)
    parse_iso_datetime(text, wall_time=True)


_NOISE_TOKENS = [
    *"0123456789/-.:|, ()hgTZ+",
    *["tháng ", "năm ", "ngày ", "Thứ Hai", "CN", "SA", "CH", "giờ", "phút", "Mười Hai", "Giêng", " "],
]
_vn_noise = st.lists(st.sampled_from(_NOISE_TOKENS), max_size=40).map("".join)


@given(_vn_noise)
def test_date_like_noise_never_raises(text: str) -> None:
    out = parse_vn_date(text)
    if out is not None:
        # Whatever was found must be a real date/time in the documented shapes.
        if "T" in out:
            assert datetime.fromisoformat(out).utcoffset() is not None
        else:
            date.fromisoformat(out)
