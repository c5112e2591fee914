"""WordPress content-area choice: never hidden, never another post's teaser, and the post's own
article is not mistaken for a teaser. Small inline pages; whole variation pages are in
tests/golden_variants/."""

from __future__ import annotations

from crawler.parsers import PARSERS
from crawler.parsers.wordpress import WordPressParser

BASE = "https://example.gov.vn"
URL = f"{BASE}/2021/04/21/bai-viet/"


def _page(article: str, before: str = "") -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Bài viết</title>'
        f'<link rel="canonical" href="{URL}"></head>'
        f'<body class="single single-post"><main id="main">{before}{article}</main>'
        '<aside id="secondary" class="widget-area"><section class="widget"><article class="post type-post">'
        '<h3 class="entry-title"><a href="https://example.gov.vn/khac/">Bài khác</a></h3>'
        '<div class="entry-content"><p>Đoạn trích của bài khác.</p></div></article></section></aside>'
        "</body></html>"
    )


def test_the_posts_own_article_with_a_self_linked_h2_title_is_not_a_teaser() -> None:
    html = _page(
        '<article class="post type-post">'
        '<h2 class="entry-title"><a href="/2021/04/21/bai-viet/">Bài viết</a></h2>'
        '<time class="entry-date" datetime="2021-04-21T09:30:00+07:00">21/04/2021</time>'
        '<div class="entry-content"><p>Đoạn một của bài viết.</p><p>Đoạn hai của bài viết.</p></div>'
        "</article>"
    )
    item = WordPressParser(BASE).parse_article(html, URL)
    assert item is not None
    assert item.body == ["Đoạn một của bài viết.", "Đoạn hai của bài viết."]
    assert item.published_at == "2021-04-21T09:30:00+07:00"
    # The title is an <h2>, which no WordPress title selector reads: the generic extractor gives
    # it (step 3 of the fallback, issue 12), and the body is not flagged as a teaser.
    assert item.title == "Bài viết"
    assert item.extraction == {
        "template": "wordpress",
        "parser_version": PARSERS["wordpress"].version,
        "fallback": ["title"],
        "source": {"title": "generic"},
    }


def test_a_hidden_content_area_and_a_widget_teaser_are_skipped() -> None:
    hidden = (
        '<template><div class="entry-content"><p>Mẫu ẩn.</p></div></template>'
        '<div class="entry-content" hidden><p>Nội dung ẩn.</p></div>'
    )
    html = _page(
        '<article id="post-7" class="post-7 post type-post"><h1 class="entry-title">Bài viết</h1>'
        '<div class="noi-dung"><p>Đoạn một của bài viết.</p>'
        '<div aria-hidden="true"><p>Đoạn trích của bài khác.</p></div></div></article>',
        before=hidden,
    )
    item = WordPressParser(BASE).parse_article(html, URL)
    assert item is not None
    assert item.body == ["Đoạn một của bài viết."]  # from the post's <article>, nothing hidden
    assert item.extraction == {
        "template": "wordpress",
        "parser_version": PARSERS["wordpress"].version,
        "fallback": ["body"],
    }


def test_a_rest_item_names_its_template() -> None:
    post = {
        "id": 7,
        "link": URL,
        "title": {"rendered": "Bài viết"},
        "content": {"rendered": "<p>Đoạn một.</p>"},
    }
    item = WordPressParser(BASE).parse_rest_post(post)
    assert item.body == ["Đoạn một."]
    assert item.extraction == {
        "template": "wordpress",
        "parser_version": PARSERS["wordpress"].version,
        "fallback": [],
    }
