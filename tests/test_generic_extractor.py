"""The generic extractor (`generic` template, crawler.content): real pages, not-an-article pages,
bad input, the page's own date forms, and the offline extractor on a host no registry entry serves."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from crawler.content import extract
from crawler.extract import Rejected, extract_manifest, extract_page
from crawler.normalize.dates import parse_english_date, parse_iso_datetime, parse_url_day, parse_vn_date
from crawler.parsers import PARSERS
from crawler.parsers.base import NotAnArticle
from crawler.parsers.generic import not_article_reason

HERE = Path(__file__).parent
ROOT = HERE.parent
ZYTE = HERE / "generic" / "zyte"
TRUTH = json.loads((ZYTE / "ground-truth.json").read_text(encoding="utf-8"))
SCHEMA = json.loads((ROOT / "schema" / "article.schema.json").read_text(encoding="utf-8"))
GENERIC = PARSERS["generic"]("https://example.org")

# ---------------------------------------------------------------------------------- real pages


def _token_f1(truth: str, pred: str) -> float:
    want, got = Counter(re.findall(r"\w+", truth)), Counter(re.findall(r"\w+", pred))
    common = sum((want & got).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


@pytest.mark.parametrize("key", sorted(TRUTH))
def test_zyte_page_body_matches_its_ground_truth(key: str) -> None:
    entry = TRUTH[key]
    x = extract(gzip.decompress((ZYTE / f"{key}.html.gz").read_bytes()), entry["url"])
    body = "\n".join(([x.lead] if x.lead else []) + x.body)
    assert _token_f1(entry["articleBody"], body) >= 0.9, key


@pytest.mark.parametrize("key", sorted(TRUTH))
def test_zyte_page_item_is_valid_against_the_schema(key: str) -> None:
    entry = TRUTH[key]
    page = gzip.decompress((ZYTE / f"{key}.html.gz").read_bytes())
    # A page with no date the engine reads (6 of the 181 Zyte pages) is the item builder's reject
    # (as in a crawl), not a schema break of the extractor: only that error is let through, in
    # the item as parsed.
    try:
        extract_page(entry["url"], page)
    except Rejected as exc:
        assert exc.record["rejected"] == "missing_date", exc.record
    item = extract_page(entry["url"], page, validate=False)
    errors = [
        e.message
        for e in jsonschema.Draft202012Validator(SCHEMA).iter_errors(item)
        if not (list(e.path) == ["published_at"] and e.instance is None)
    ]
    assert not errors
    assert item["extraction"]["template"] == "generic"
    assert item["language"] == "en"
    assert item["title"]


# ------------------------------------------------------------------------------ not an article

_CHROME = """<header><nav><a href="/">Trang chủ</a> <a href="/tin-tuc">Tin tức</a></nav></header>
<footer><p>Cổng thông tin điện tử tỉnh. Địa chỉ: 01 Lê Lợi, thành phố, tỉnh. Điện thoại 0290.</p></footer>"""


def _page(body: str, head: str = "", title: str = "Cổng thông tin điện tử") -> str:
    return f'<html lang="vi"><head><title>{title}</title>{head}</head><body>{_CHROME}{body}</body></html>'


def _teasers(n: int) -> str:
    items = "".join(
        f'<div class="item"><h3><a href="/-/tin-so-{i}-ve-hoat-dong-cua-tinh">'
        f"Tin số {i} về hoạt động của tỉnh "
        f"trong tháng</a></h3><p>Tóm tắt tin số {i}: các sở, ngành triển khai kế hoạch công tác, "
        f"kiểm tra tiến độ và báo cáo kết quả thực hiện nhiệm vụ.</p></div>"
        for i in range(n)
    )
    return f'<div class="list-news">{items}</div>'


NOT_ARTICLES = {
    "listing": ("https://portal.example.vn/tin-tuc", _page(_teasers(12))),
    "search": ("https://portal.example.vn/tim-kiem?q=n%C3%B4ng+d%C3%A2n", _page(_teasers(5))),
    "search-wp": (
        "https://portal.example.vn/?s=lua",
        _page("<p>" + "Kết quả tìm kiếm cho từ khóa lúa. " * 20 + "</p>"),
    ),
    "404": (
        "https://portal.example.vn/-/bai-khong-con",
        _page(
            "<h1>404 - Không tìm thấy trang</h1><p>Trang bạn tìm không tồn tại hoặc đã bị xóa.</p>",
            title="404",
        ),
    ),
    "error-en": (
        "https://example.org/missing",
        _page(
            "<h1>Page not found</h1><p>Sorry, the page you are looking for does not exist.</p>",
            title="Page not found",
        ),
    ),
    "login": (
        "https://portal.example.vn/dang-nhap",
        _page(
            '<form><h2>Đăng nhập</h2><input name="u"><input type="password" name="p">'
            "<p>Quên mật khẩu?</p></form>"
        ),
    ),
    "login-form-only": (
        "https://portal.example.vn/c/portal/x",
        _page('<form><label>Tên đăng nhập</label><input name="u"><input type="password" name="p"></form>'),
    ),
    "empty-body": ("https://portal.example.vn/-/trang-trong", _page("<div class='content'></div>")),
    "hidden-only": (
        "https://portal.example.vn/-/an",
        _page(
            '<div style="display:none"><p>'
            + "Nội dung ẩn của một bài khác, không phải bài này. " * 20
            + "</p></div>"
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(NOT_ARTICLES))
def test_not_an_article_gives_none(name: str) -> None:
    url, html = NOT_ARTICLES[name]
    assert GENERIC.parse_article(html, url) is None
    assert PARSERS["auto"]("https://portal.example.vn").parse_article(html, url) is None


@pytest.mark.parametrize("name", ["listing", "404", "login"])
def test_extract_page_says_not_an_article(name: str) -> None:
    url, html = NOT_ARTICLES[name]
    with pytest.raises(NotAnArticle, match=r"^not an article: "):
        extract_page(url, html.encode("utf-8"))


def test_batch_prints_a_not_an_article_line(tmp_path: Path) -> None:
    url, html = NOT_ARTICLES["listing"]
    (tmp_path / "list.html").write_text(html, encoding="utf-8")
    [record] = list(extract_manifest([f"{url}\tlist.html\n"], tmp_path))
    assert record["url"] == url
    assert record["error"].startswith("not an article: listing")


def test_an_article_with_the_sites_login_box_is_an_article() -> None:
    prose = "".join(
        f"<p>Đoạn {i}: Hội nghị bàn giải pháp phát triển kinh tế - xã hội của huyện.</p>" for i in range(8)
    )
    html = _page(
        '<div class="modal"><form><input name="u"><input type="password" name="p"></form></div>'
        f"<article><h1>Huyện tổ chức hội nghị</h1><p>Ngày 05/03/2022</p>{prose}</article>"
    )
    article = GENERIC.parse_article(html, "https://portal.example.vn/tin-tuc/huyen-to-chuc-hoi-nghi")
    assert article is not None and len(article.body) == 8
    # The same box on a page of a form's few words is a login page.
    url, login = NOT_ARTICLES["login"]
    assert not_article_reason(extract(login, url), url) == "login page"


def test_a_short_notice_declared_an_article_is_kept() -> None:
    html = _page(
        "<article><h1>Thông báo nghỉ Tết</h1>"
        "<p>Cơ quan nghỉ Tết Nguyên đán từ ngày 20/01 đến hết 29/01/2023.</p>"
        "</article>",
        head='<meta property="og:type" content="article">'
        '<meta property="og:title" content="Thông báo nghỉ Tết">',
    )
    article = GENERIC.parse_article(html, "https://portal.example.vn/-/thong-bao-nghi-tet")
    assert article is not None and article.body == [
        "Cơ quan nghỉ Tết Nguyên đán từ ngày 20/01 đến hết 29/01/2023."
    ]


# ------------------------------------------------------------------------- fields and languages

_ARTICLE = """<article><h1>{title}</h1><div class="meta">{date}</div><div class="content">
<p>Đoạn thứ nhất của bài viết có đủ dài để được tính là một đoạn văn, với dấu phẩy, và chữ.</p>
<p>Đoạn thứ hai của bài viết cũng đủ dài để được tính là một đoạn văn của bài, có dấu phẩy.</p>
<p>Đoạn thứ ba kết thúc bài viết với một câu đủ dài, để bộ trích xuất nhận ra đây là nội dung.</p>
</div></article>"""


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("Thứ hai, 19/04/2021 15:17", "2021-04-19T15:17:00+07:00"),
        ("(Thứ hai, 19/04/2021 15:17)", "2021-04-19T15:17:00+07:00"),
        ("Ngày 5 tháng 3 năm 2022", "2022-03-05"),
        ("Ngày 05 tháng 07 năm 2022", "2022-07-05"),
        ("05/03/2022 - 08:30", "2022-03-05T08:30:00+07:00"),
        ("Cập nhật lúc 08:30 05/03/2022", "2022-03-05T08:30:00+07:00"),
    ],
)
def test_visible_vietnamese_dates(shown: str, expected: str) -> None:
    html = _page(_ARTICLE.format(title="Tiêu đề bài viết thử nghiệm", date=shown))
    assert parse_vn_date(shown) == expected
    assert extract(html, "https://portal.example.vn/-/bai").published_at == expected


def test_json_ld_date_keeps_the_page_offset_and_a_naive_vietnamese_date_gets_plus_seven() -> None:
    ld = (
        '<script type="application/ld+json">'
        '{"@type":"NewsArticle","headline":"T","datePublished":"%s"}</script>'
    )
    html = _page(_ARTICLE.format(title="T", date=""), head=ld % "2019-11-19T10:00:00-05:00")
    assert extract(html, "https://example.org/a").published_at == "2019-11-19T10:00:00-05:00"
    html = _page(_ARTICLE.format(title="T", date=""), head=ld % "2022-03-05 08:30:00")
    assert extract(html, "https://portal.example.vn/a").published_at == "2022-03-05T08:30:00+07:00"
    assert parse_iso_datetime("2019-11-19T10:00:00-05:00") == "2019-11-19T22:00:00+07:00"  # default unchanged


def test_json_ld_with_raw_newlines_in_its_strings_is_read() -> None:
    # Strict JSON forbids a raw newline inside a string; CMS templates print one in articleBody.
    body = "Đoạn một của bài viết, đủ dài để là một đoạn văn.\n\n" * 12
    ld = (
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"T",'
        '"datePublished":"2022-03-05T08:30:00+07:00","author":{"name":"Thu Hà"},'
        f'"articleBody":"{body}"}}</script>'
    )
    html = _page("<article><h1>T</h1><p>Chỉ một đoạn ngắn hiện trên trang.</p></article>", head=ld)
    x = extract(html, "https://portal.example.vn/-/bai")
    assert x.published_at == "2022-03-05T08:30:00+07:00" and x.author == "Thu Hà"
    assert len(x.body) == 12  # the page shows a stub: the declared body is read instead


_ENGLISH = (
    '<html lang="en"><body><article><h1>Rain returns to the valley</h1><p class="meta">{date}</p>'
    "<p>Rain returned to the valley on Monday, ending a dry spell that lasted, by most counts, six"
    " weeks.</p><p>Farmers said the rain came just in time for the planting season, which starts next"
    " month.</p><p>Forecasters expect more showers later in the week, with cooler air from the north.</p>"
    "</article></body></html>"
)


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("Nov. 19, 2019", "2019-11-19"),
        ("Published: Monday, November 18th, 2019 at 11:08 a.m.", "2019-11-18"),
        ("19 November 2019", "2019-11-19"),
        ("18 NOV 2019", "2019-11-18"),
        ("Sept. 3, 2020 5:30 PM ET", "2020-09-03"),  # the date alone: the zone is not ours to guess
    ],
)
def test_visible_english_dates_on_an_english_page(shown: str, expected: str) -> None:
    assert parse_english_date(shown) == expected
    assert extract(_ENGLISH.format(date=shown), "https://daily.example.com/rain").published_at == expected


def test_an_itemprop_list_holding_date_published_gives_the_date() -> None:
    # itemprop is a token list (nytimes.com: "datePublished dateCreated" on a <meta>).
    head = '<meta itemprop="datePublished dateCreated" content="2019-11-19T11:00:09.000Z">'
    html = _ENGLISH.format(date="").replace('<html lang="en">', f'<html lang="en"><head>{head}</head>')
    assert head in html
    assert extract(html, "https://daily.example.com/rain").published_at == "2019-11-19T11:00:09+00:00"


@pytest.mark.parametrize(
    "line", ["August 23, 2018", "by Jeff Foust Monday, November 18, 2019", "23 Nov 2017"]
)
def test_an_english_date_line_in_the_text_is_not_body(line: str) -> None:
    html = _ENGLISH.format(date="").replace("<p>Rain returned", f"<p>{line}</p><p>Rain returned")
    x = extract(html, "https://daily.example.com/rain-returns")
    assert len(x.body) == 3 and x.body[0].startswith("Rain returned")


def test_english_month_names_are_not_read_on_a_vietnamese_page() -> None:
    # "may" is a Vietnamese word too: a Vietnamese page's date is only ever read in its own forms.
    html = _page(_ARTICLE.format(title="Tiêu đề bài viết thử nghiệm", date="Cập nhật May 5, 2022"))
    assert extract(html, "https://portal.example.vn/-/bai").published_at is None


@pytest.mark.parametrize("text", ["May 2020", "31 Feb 2020", "2019 November 3", "Mayday 5, 2020", "no date"])
def test_english_dates_that_are_not_dates(text: str) -> None:
    assert parse_english_date(text) is None


def test_title_drops_the_site_name_and_author_is_never_the_site() -> None:
    head = (
        '<meta property="og:title" content="Bài viết về nông nghiệp - Báo Tỉnh">'
        '<meta property="og:site_name" content="Báo Tỉnh"><meta name="author" content="Báo Tỉnh">'
    )
    x = extract(_page(_ARTICLE.format(title="Tin khác", date=""), head=head), "https://baotinh.vn/a")
    assert x.title == "Bài viết về nông nghiệp"
    assert x.author is None


def test_english_page_language_and_byline() -> None:
    html = (
        '<html lang="en-US"><head><title>Rain returns | The Daily</title></head>'
        "<body><article><h1>Rain returns</h1>"
        "<p>Rain returned to the valley on Monday, ending a dry spell that lasted, "
        "by most counts, six weeks.</p>"
        "<p>Farmers said the rain came just in time for the planting season, which starts next month.</p>"
        "<p>Forecasters expect more showers later in the week, with cooler air moving in from the north.</p>"
        "<p><b>By Jane Smith</b></p></article></body></html>"
    )
    x = extract(html, "https://daily.example.com/rain-returns")
    assert (x.language, x.author, x.title) == ("en", "Jane Smith", "Rain returns")
    assert len(x.body) == 3


def test_share_related_tags_and_comments_are_not_body() -> None:
    html = _page(
        "<article><h1>Tiêu đề</h1><div class='content'>"
        "<p>Đoạn văn thứ nhất của bài, đủ dài để là nội dung thật của bài viết, có dấu phẩy.</p>"
        "<div class='share-buttons'><a href='#'>Facebook</a> <a href='#'>Zalo</a></div>"
        "<p>Đoạn văn thứ hai của bài, cũng đủ dài để là nội dung thật của bài viết, có dấu phẩy.</p>"
        "<p>Tags: nông nghiệp, lúa gạo</p><p>Lượt xem: 1.234</p>"
        "<h3>Tin liên quan</h3>"
        "<ul><li><a href='/-/a'>Một tin khác rất dài về chủ đề nông nghiệp</a></li></ul>"
        "<p>Đoạn này nằm sau mục tin liên quan nên không thuộc bài viết, dù nó đủ dài để là một đoạn.</p>"
        "</div></article>"
    )
    x = extract(html, "https://portal.example.vn/-/bai")
    assert x.body == [
        "Đoạn văn thứ nhất của bài, đủ dài để là nội dung thật của bài viết, có dấu phẩy.",
        "Đoạn văn thứ hai của bài, cũng đủ dài để là nội dung thật của bài viết, có dấu phẩy.",
    ]


@pytest.mark.parametrize(
    "heading",
    [
        "Các tin khác",
        "Các tin đã đưa ngày:",
        "Tin cùng chuyên mục",
        "Tin xem nhiều nhất",
        "Bài viết liên quan",
        "You may also like...",
        "More in Minnesota Wild",
        "Você pode gostar...",
    ],
)
def test_the_article_ends_at_a_related_list_heading(heading: str) -> None:
    first = "Đoạn văn thứ nhất của bài, đủ dài để là nội dung thật của bài viết, có dấu phẩy."
    html = _page(
        f"<article><h1>Tiêu đề</h1><div class='content'><p>{first}</p><h4>{heading}</h4>"
        "<p>Một tin khác của chuyên mục, với đoạn tóm tắt đủ dài để là một đoạn văn, có dấu phẩy.</p>"
        "</div></article>"
    )
    assert extract(html, "https://portal.example.vn/-/bai").body == [first]


@pytest.mark.parametrize("line", ["More in the video below.", "Tin vui cho nông dân", "more in detail"])
def test_a_line_like_a_heading_of_related_news_is_still_body(line: str) -> None:
    first = "Đoạn văn thứ nhất của bài, đủ dài để là nội dung thật của bài viết, có dấu phẩy."
    html = _page(f"<article><h1>Tiêu đề</h1><div class='content'><p>{first}</p><p>{line}</p></div></article>")
    assert extract(html, "https://portal.example.vn/-/bai").body == [first, line]


def test_decorative_images_are_not_article_images() -> None:
    html = _page(
        _ARTICLE.format(title="T", date="").replace(
            '<div class="content">',
            '<div class="content"><img src="/images/logo.png"><img src="/px.gif" width="1" height="1">'
            '<img src="/uploads/avatar-123.jpg"><img src="/uploads/anh-bai.jpg" width="800">',
        )
    )
    x = extract(html, "https://portal.example.vn/-/bai")
    assert [i["src"] for i in x.images] == ["https://portal.example.vn/uploads/anh-bai.jpg"]


# ------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "html",
    [
        "<p>unclosed <b>bold <i>italic <div>block</p></b>",
        "<html><body><table><tr><td><p>cell</table></body>",
        "\x00\x01<<>>&&&;<!-- never closed",
        "<svg><p>text in svg</svg><math><mi>x</mi>",
        '<div style="display:none"><div style="display:none"><p>nested hidden</p></div></div>',
        "<html><head><script type='application/ld+json'>{not json</script></head><body>x</body></html>",
        "<html><head><script type='application/ld+json'>[[[[[[[[[[]]]]]]]]]]</script></head>"
        "<body>x</body></html>",
    ],
)
def test_malformed_html_never_crashes(html: str) -> None:
    """Broken markup parses, and these scraps (a few words at most) are no article: never an item
    with an empty or made-up body."""
    x = extract(html, "https://example.org/a")
    assert sum(len(p) for p in x.body) < 40
    assert GENERIC.parse_article(html, "https://example.org/a") is None
    assert PARSERS["auto"]("https://example.org").parse_article(html, "https://example.org/a") is None


@pytest.mark.timeout(120)
def test_a_50_mb_page_completes() -> None:
    para = "<p>Một đoạn văn dài của trang rất lớn, lặp lại nhiều lần, có dấu phẩy, và chữ.</p>\n"
    html = (
        "<html><body><article><h1>Trang lớn</h1>"
        + para * (50 * 1024 * 1024 // len(para.encode()))
        + "</article>"
    )
    article = PARSERS["auto"]("https://example.org").parse_article(
        html.encode("utf-8"), "https://example.org/lon"
    )
    assert article is not None and len(article.body) > 1000


@pytest.mark.timeout(120)
def test_markup_nested_100k_deep_completes() -> None:
    depth = 100_000
    html = "<html><body>" + '<div class="x">' * depth + "<p>" + "Chữ sâu, " * 40 + "</p>" + "</div>" * depth
    result = PARSERS["auto"]("https://example.org").parse_article(html, "https://example.org/sau")
    assert result is None or all(result.body)
    html = "<html><body>" + "<span><b>" * depth + "Chữ. " * 100 + "</b></span>" * depth
    PARSERS["generic"]("https://example.org").parse_article(html, "https://example.org/sau")


# ----------------------------------------------------------------------------------------- CLIs


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_extract_cli_on_an_unregistered_host() -> None:
    case = HERE / "golden_generic" / "fck-detail"
    url = (case / "url.txt").read_text().strip()
    proc = _cli("-m", "crawler.extract", "--url", url, str(case / "page.html"))
    assert proc.returncode == 0, proc.stderr
    item = json.loads(proc.stdout)
    assert item["site"] == "baosoctrang.vn" and item["extraction"]["template"] == "generic"
    jsonschema.Draft202012Validator(SCHEMA).validate(item)


def test_extract_cli_not_an_article(tmp_path: Path) -> None:
    url, html = NOT_ARTICLES["listing"]
    page = tmp_path / "list.html"
    page.write_text(html, encoding="utf-8")
    proc = _cli("-m", "crawler.extract", "--url", url, str(page))
    assert proc.returncode == 1
    assert "not an article: listing" in proc.stderr
    (tmp_path / "m.tsv").write_text(f"{url}\tlist.html\n", encoding="utf-8")
    proc = _cli("-m", "crawler.extract", "--batch", str(tmp_path / "m.tsv"))
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == {
        "url": url,
        "error": "not an article: listing (12 linked headings in the main block)",
    }


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://www.politifact.com/west-virginia/statements/2019/nov/18/david-mckinley/x/", "2019-11-18"),
        ("https://baoxyz.vn/2021/01/11/hoi-nghi-tong-ket/", "2021-01-11"),
        ("https://baoxyz.vn/2021/1/5/hoi-nghi", "2021-01-05"),
        ("https://baoxyz.vn/2021/13/05/hoi-nghi/", None),  # no month 13
        ("https://baoxyz.vn/2021/02/31/hoi-nghi/", None),  # no 31 February
        ("https://baoxyz.vn/tin-tuc/2021/hoi-nghi-11-01/", None),  # a year alone names no day
        ("https://baoxyz.vn/-/hoi-nghi-2021", None),
    ],
)
def test_url_day(url: str, day: str | None) -> None:
    assert parse_url_day(urlsplit(url).path) == day


def _dated_page(header: str) -> str:
    prose = "".join(f"<p>Đoạn {i}: nội dung bài viết về kết quả kiểm tra các tuyên bố.</p>" for i in range(6))
    return _page(f"<article><h1>Kiểm chứng tuyên bố về ngân sách</h1>{header}{prose}</article>")


def test_a_permalinks_day_picks_the_pages_own_date_among_those_printed() -> None:
    url = "https://kiemchung.example.vn/2021/03/15/kiem-chung-tuyen-bo-ve-ngan-sach/"
    # The claim's date comes first, the article's own after it.
    both = _dated_page(
        '<p class="claim">Phát biểu ngày 02/02/2021</p><div class="date">15/03/2021 08:30</div>'
    )
    assert extract(both, url).published_at == "2021-03-15T08:30:00+07:00"
    # Only the claim's date printed: the permalink's day, the date alone.
    claim = _dated_page('<p class="claim">Phát biểu ngày 02/02/2021</p>')
    assert extract(claim, url).published_at == "2021-03-15"
    # Without a dated permalink, the first printed date, as before.
    assert extract(both, "https://kiemchung.example.vn/kiem-chung-tuyen-bo").published_at == "2021-02-02"
