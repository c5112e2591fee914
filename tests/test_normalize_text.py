"""Tests for crawler.normalize.text (clean_text, clean_lines, decode_html, is_boilerplate)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.normalize.text import (
    BOILERPLATE,
    clean_lines,
    clean_text,
    decode_html,
    is_boilerplate,
)

TITLE = "Đảng ủy Khối các cơ quan tỉnh tổng kết"


def to_cp1258(text: str) -> bytes:
    """Encode like a windows-1258 page: precomposed where cp1258 has it, else base + combining marks."""
    out: list[bytes] = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        nfd = unicodedata.normalize("NFD", ch)
        base, marks = nfd[0], nfd[1:]
        for k in range(len(marks) + 1):
            head = unicodedata.normalize("NFC", base + marks[: len(marks) - k])
            try:
                out.append((head + marks[len(marks) - k :]).encode("cp1258"))
                break
            except UnicodeEncodeError:
                continue
        else:  # pragma: no cover - every Vietnamese letter is representable
            raise ValueError(ch)
    return b"".join(out)


# ---------------------------------------------------------------------------------------- clean_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("   ", ""),
        ("  Đảng ủy  ", "Đảng ủy"),
        ("a\xa0b", "a b"),
        ("a\u200bb", "a b"),
        ("a\u200c\u200db", "a b"),
        ("\ufeffĐảng ủy", "Đảng ủy"),
        ("a\u2028b\u2029c", "a b c"),
        ("a\tb\nc\r\nd", "a b c d"),
        ("a\u2003b\u2009c\u202fd\u3000e", "a b c d e"),
        ("a &nbsp; b", "a b"),
        ("a&nbsp;b", "a b"),
        ("a&#160;b&#xa0;c", "a b c"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("&amp;nbsp;x", "x"),  # double-escaped leftover
        ("AT&T 5 & 6", "AT&T 5 & 6"),
        ("&quot;Trong sạch vững mạnh&quot;", '"Trong sạch vững mạnh"'),
        ("a &nbsp b", "a b"),
        ("Tom &amp Jerry", "Tom & Jerry"),
        ("&amp;amp;lt;", "<"),
        ("&bogus; stays", "&bogus; stays"),
        # semicolon-less legacy entities are not expanded (URLs quoted in text survive)
        ("?a=1&para=2&copy=3", "?a=1&para=2&copy=3"),
        ("soft\xadhyphen", "softhyphen"),
        ("ctrl\x00\x07chars", "ctrl chars"),
        ("“Trong sạch vững mạnh tiêu biểu”", "“Trong sạch vững mạnh tiêu biểu”"),
    ],
)
def test_clean_text(raw: str | None, expected: str) -> None:
    assert clean_text(raw) == expected


def test_clean_text_nfd_to_nfc() -> None:
    nfd = unicodedata.normalize("NFD", TITLE)
    assert nfd != TITLE
    out = clean_text(nfd)
    assert out == TITLE
    assert unicodedata.is_normalized("NFC", out)


def test_clean_text_entity_producing_combining_mark_is_composed() -> None:
    # "a" + "&#769;" (combining acute) must end up as the single letter "á".
    assert clean_text("ca&#769;c") == "các"


def test_clean_text_keeps_diacritics() -> None:
    text = "Ủy ban MTTQ Việt Nam tỉnh; Đồng chí Nguyễn Đắc Quỳnh phát biểu ỷ ỹ ự ữ ẵ ặ"
    assert clean_text(text) == text


@given(st.text())
def test_clean_text_idempotent(s: str) -> None:
    once = clean_text(s)
    assert clean_text(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert unicodedata.is_normalized("NFC", once)


@given(st.text(alphabet=st.sampled_from(list("aăâđêôơư ÁẢÃẠ\xa0\u200b\t\n&;#nbsp0123456789xX"))))
def test_clean_text_idempotent_entity_heavy(s: str) -> None:
    once = clean_text(s)
    assert clean_text(once) == once


def test_clean_lines() -> None:
    assert clean_lines(["  a ", None, "", "\xa0", "b\u200b c", "a"]) == ["a", "b c", "a"]
    assert clean_lines(iter(())) == []


# ---------------------------------------------------------------------------------------- decode_html


def _page(charset_meta: str | None) -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    return f"<html><head>{meta}<title>{TITLE}</title></head><body><p>{TITLE}</p></body></html>"


def test_cp1258_bytes_really_are_decomposed() -> None:
    raw = to_cp1258(TITLE)
    decoded = raw.decode("cp1258")
    assert decoded != TITLE  # Python's codec yields combining tone marks
    assert unicodedata.normalize("NFC", decoded) == TITLE


def test_decode_html_windows_1258_meta() -> None:
    out = decode_html(to_cp1258(_page("windows-1258")))
    # Decoded as windows-1258 (decomposed tone marks: NFC is clean_text's job, per extracted text).
    assert TITLE not in out
    assert TITLE in unicodedata.normalize("NFC", out)
    assert clean_text(out[out.index("<p>") + 3 : out.index("</p>")]) == TITLE


def test_decode_html_windows_1258_http_equiv() -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
        f"</head><body>{TITLE}</body></html>"
    )
    assert TITLE in unicodedata.normalize("NFC", decode_html(to_cp1258(html)))


def test_decode_html_windows_1258_header_only() -> None:
    out = decode_html(to_cp1258(_page(None)), "text/html; charset=windows-1258")
    assert TITLE in unicodedata.normalize("NFC", out)


def test_decode_html_header_beats_meta() -> None:
    body = to_cp1258(_page("utf-8"))
    assert TITLE in unicodedata.normalize("NFC", decode_html(body, "text/html; charset=windows-1258"))


def test_decode_html_utf8_meta_and_undeclared() -> None:
    body = _page("utf-8").encode("utf-8")
    assert TITLE in decode_html(body)
    assert TITLE in decode_html(_page(None).encode("utf-8"))
    assert TITLE in decode_html(_page(None).encode("utf-8"), "text/html")


def test_decode_html_utf8_bom() -> None:
    out = decode_html(b"\xef\xbb\xbf" + _page(None).encode("utf-8"))
    assert TITLE in out
    assert not out.startswith("\ufeff")


def test_an_nfd_utf8_page_gives_nfc_text_once_cleaned() -> None:
    body = unicodedata.normalize("NFD", _page("utf-8")).encode("utf-8")
    out = decode_html(body)
    assert TITLE not in out  # decoding keeps the page as it is...
    assert clean_text(out[out.index("<p>") + 3 : out.index("</p>")]) == TITLE  # ...extracted text is NFC


@pytest.mark.parametrize("content_type", [None, "text/html; charset=foo-bar"])
def test_decode_html_broken_declaration(content_type: str | None) -> None:
    body = _page("foo-bar").encode("utf-8")
    out = decode_html(body, content_type)
    assert TITLE in out


def test_decode_html_undeclared_garbage_does_not_crash() -> None:
    out = decode_html(bytes(range(256)) * 20)
    assert isinstance(out, str)
    assert decode_html(b"") == ""


@given(
    st.binary(max_size=2000),
    st.sampled_from([None, "text/html", "text/html; charset=foo", "x/y; charset=cp1258"]),
)
def test_decode_html_never_raises(body: bytes, content_type: str | None) -> None:
    assert isinstance(decode_html(body, content_type), str)


# ---------------------------------------------------------------------------------------- boilerplate


@pytest.mark.parametrize(
    "text",
    [
        "Tăng cỡ chữ",
        "Giảm cỡ chữ",
        "Tăng cỡ chữ Giảm cỡ chữ",
        "  tăng cỡ chữ\xa0 giảm cỡ chữ ",
        "null",
        "NULL",
        "Ý kiến của bạn",
        "Ý kiến bạn đọc (0)",
        "Ý kiến bạn đọc (12)",
        "Ý kiến bạn đọc ( 3 )",
        "Advertisement",
        "About admin",
        "Check Also",
        "// ]]>",
        "//]]>",
        "thumbnail",
        "Follow",
        "In bài viết",
        "Gửi email",
        "Chia sẻ",
        "PublishingPortal - Block_BanTin_Toolbar",
        " PublishingPortal - Block_BanTin_ViewData",
        "Danh mục chính Menu",
        "Banner Video",
        "Tin xem nhiều",
        "Lượt xem: 1.234",
        "15 bình luận",
        unicodedata.normalize("NFD", "Ý kiến của bạn"),
        "",
        "  \u200b ",
    ],
)
def test_is_boilerplate_true(text: str) -> None:
    assert is_boilerplate(text)


@pytest.mark.parametrize(
    "text",
    [
        "Đảng ủy Các cơ quan tỉnh tổng kết công tác năm 2020",
        "null Năm 2020, Đảng bộ Khối kết nạp 284 đảng viên",
        "Chia sẻ kinh nghiệm xây dựng Đảng",
        "Ý kiến của bạn về dự thảo nghị quyết rất quan trọng",
        "Toàn cảnh Hội nghị",
        "Hương Lan",
        "K.V.A",
        "11/01/2021",
        "Advertisement for the event was placed in the newspaper.",
    ],
)
def test_is_boilerplate_false(text: str) -> None:
    assert not is_boilerplate(text)


def test_every_boilerplate_entry_is_boilerplate() -> None:
    for entry in BOILERPLATE:
        assert is_boilerplate(entry), entry
        assert is_boilerplate(entry.upper()), entry


def test_boilerplate_entries_are_clean() -> None:
    # The tuple is shared: keep it clean so exact matching stays exact.
    for entry in BOILERPLATE:
        assert clean_text(entry) == entry


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_the_already_clean_shortcut_agrees_with_cleaning(text: str) -> None:
    from crawler.normalize.text import _is_clean

    if text and _is_clean(text):
        assert clean_text(text) == text


def test_cleaned_vietnamese_text_takes_the_shortcut() -> None:
    from crawler.normalize.text import _is_clean

    assert _is_clean(clean_text("  Đảng ủy Khối\u00a0các cơ quan&nbsp;tỉnh  "))
    assert not _is_clean("Đảng\u00a0ủy") and not _is_clean("Đảng  ủy") and not _is_clean(" Đảng")
    assert not _is_clean(unicodedata.normalize("NFD", "Đảng ủy")) and not _is_clean("a&amp;b")


# ---------------------------------------------------------------------------------------- page_markup


def test_page_markup_hands_utf8_pages_over_as_bytes() -> None:
    from crawler.normalize.text import page_markup

    utf8 = _page("utf-8").encode("utf-8")
    assert page_markup(utf8) is not None and page_markup(utf8) == utf8
    assert page_markup(b"\xef\xbb\xbf" + utf8) == utf8  # the BOM goes
    assert page_markup(_page(None).encode("utf-8"), "text/html; charset=UTF-8") == _page(None).encode()


def test_page_markup_decodes_what_is_not_utf8_as_decode_html_does() -> None:
    from crawler.normalize.text import page_markup

    cp1258 = to_cp1258(_page("windows-1258"))
    assert page_markup(cp1258) == decode_html(cp1258)
    # The HTTP charset beats the page's declaration, both ways.
    assert page_markup(to_cp1258(_page("utf-8")), "text/html; charset=windows-1258") == decode_html(
        to_cp1258(_page("utf-8")), "text/html; charset=windows-1258"
    )
    assert isinstance(page_markup(_page("windows-1258").encode(), "text/html; charset=utf-8"), bytes)
    undeclared = _page(None).encode("utf-8")
    assert page_markup(undeclared) == decode_html(undeclared)  # detection stays decode_html's
