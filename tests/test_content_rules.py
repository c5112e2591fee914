"""One set of content rules for every parser (issue 11 item 4): the generic engine, the Liferay
family and WordPress read block tags, attachment file types, caption classes and decorative
images from crawler.content, and give the same answer for the same markup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.content import body, byline, rules, walker
from crawler.content.attachments import document_links, document_url, is_document, may_link_documents
from crawler.content.body import BodyReader
from crawler.parsers import liferay_base, wp_content
from crawler.parsers.dom import parse_fragment, raw_text

BASE = "https://portal.example.vn/tin-tuc/bai-viet"


def test_the_template_parsers_read_bodies_with_the_engine_walker() -> None:
    assert wp_content.content_body is liferay_base.content_body is body
    assert body.walker is walker


# A picture with an italic line under it, a "Bài và ảnh:" byline right-aligned in bold, a
# right-aligned short signature: WordPress and the Liferay family read them the same way.
@pytest.mark.parametrize(
    ("html", "caption", "author"),
    [
        (
            '<p>Đoạn văn.</p><p><img src="/u/a.jpg"></p><p><em>Toàn cảnh hội nghị</em></p>'
            '<p>Đoạn hai.</p><p style="text-align: right"><strong>Bài và ảnh: Thu Hà</strong></p>',
            "Toàn cảnh hội nghị",
            "Thu Hà",
        ),
        ('<p>Đoạn văn.</p><p>Đoạn hai.</p><p align="right">Ủy ban Kiểm tra</p>', None, "Ủy ban Kiểm tra"),
    ],
)
def test_one_picture_caption_and_byline_rule_for_every_template(
    html: str, caption: str | None, author: str
) -> None:
    wp = wp_content.extract_content(parse_fragment(html), BASE)
    lf = body.assemble(BodyReader(BASE).read(parse_fragment(html)))
    assert wp.body == lf.body == ["Đoạn văn.", "Đoạn hai."]
    assert wp.byline == lf.author == author
    assert wp.images == lf.images
    assert [i["caption"] for i in wp.images] == ([caption] if caption else [])


@pytest.mark.parametrize("ext", rules.DOCUMENT_EXTENSIONS)
def test_every_document_type_is_an_attachment_for_every_parser(ext: str) -> None:
    url = f"https://portal.example.vn/documents/10/20/bao-cao.{ext.upper()}"
    assert is_document(url)
    assert liferay_base.is_attachment(url)
    html = f'<p>Xem <a href="/files/bao-cao.{ext}">báo cáo</a>.</p>'
    wp = wp_content.extract_content(parse_fragment(html), BASE).attachments
    assert wp == [f"https://portal.example.vn/files/bao-cao.{ext}"]


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        # Liferay Documents and Media: a UUID after the file name
        ("/documents/1/2/bao-cao.pdf/6f1c9a2e-1b2c-4d5e-8f90-123456789abc", "/documents/1/2/bao-cao.pdf/"),
        ("https://docs.google.com/viewer?url=https://portal.example.vn/f/ke-hoach.docx&embedded=true", "/f/"),
        ("/web/viewer.html?file=%2Ff%2Fquyet-dinh.pdf", "/f/quyet-dinh.pdf"),
        ("/tin-tuc/bai-khac", None),
        ("https://portal.example.vn/anh.jpg", None),
        ("mailto:a@example.vn", None),
    ],
)
def test_document_url(ref: str, expected: str | None) -> None:
    found = document_url(ref, BASE)
    if expected is None:
        assert found is None
    else:
        assert found is not None and expected in found


def test_document_links_reads_links_and_embeds_once_each_in_order() -> None:
    root = parse_fragment(
        '<p><a href="/f/a.pdf">A</a> <a href="/tin-tuc/x">x</a></p>'
        '<iframe src="https://docs.google.com/viewer?url=https://portal.example.vn/f/b.xlsx"></iframe>'
        '<object data="/f/c.doc"></object><embed src="/f/d.pptx"><a href="/f/a.pdf">again</a>'
    )
    assert document_links([root], BASE) == [
        "https://portal.example.vn/f/a.pdf",
        "https://portal.example.vn/f/b.xlsx",
        "https://portal.example.vn/f/c.doc",
        "https://portal.example.vn/f/d.pptx",
    ]
    assert may_link_documents(root, BASE)
    assert not may_link_documents(parse_fragment('<a href="/tin-tuc/x">x</a><img src="/a.jpg">'), BASE)


def test_may_link_documents_is_a_superset_of_document_links() -> None:
    for html in (
        '<a href="/f/%62%61o-cao.pdf">x</a>',
        '<a href=" /f/bao\tcao.pdf">x</a>',
        '<a href="?x=1">x</a>',
    ):
        root = parse_fragment(html)
        base = BASE + "/tep.pdf"
        assert may_link_documents(root, base) or not document_links([root], base), html


@pytest.mark.parametrize(
    ("src", "attrs", "skip"),
    [
        ("https://portal.example.vn/images/logo.png", {}, True),
        ("https://portal.example.vn/o/portal-theme/images/thumbnail-share.jpg", {}, True),
        ("https://portal.example.vn/uploads/anh.jpg", {"class": "share-icon"}, True),
        ("https://portal.example.vn/uploads/px.gif", {"width": "1", "height": "1"}, True),
        ("https://portal.example.vn/uploads/anh-bai.jpg", {"width": "800px"}, False),
        ("https://portal.example.vn/documents/10/20/hoi-nghi.jpg", {"class": "img-responsive"}, False),
    ],
)
def test_decorative_images(src: str, attrs: dict[str, str], skip: bool) -> None:
    assert rules.decorative_image(src, attrs) is skip


def test_every_parser_drops_the_same_decorative_images() -> None:
    html = (
        '<p>Đoạn văn của bài.</p><p><img src="/uploads/logo-so.png"></p>'
        '<p><img src="/uploads/anh-bai.jpg" width="800"></p><p><img src="/uploads/x.gif" width="16"></p>'
    )
    wp = wp_content.extract_content(parse_fragment(html), BASE).images
    reader = BodyReader(BASE)
    lf = [b.src for b in reader.read(parse_fragment(html)) if b.kind == "image"]
    assert [i["src"] for i in wp] == lf == ["https://portal.example.vn/uploads/anh-bai.jpg"]


@pytest.mark.parametrize("cls", ["chu-thich", "image_desc", "image-desc", "wp-caption-text", "ExpNoEdit"])
def test_caption_classes(cls: str) -> None:
    assert rules.CAPTION_CLASS.search(cls)


# The same content markup (a single <br> inside a <p>, two in a row, a <br> in a <p>-less div and
# in loose text next to paragraphs) as a Liferay, a WordPress and an unknown template's page.
BR_RULE_CASES = ("golden/thaibinh/br-rule", "golden/khoicq/br-rule", "golden_generic/br-rule")


def test_one_br_rule_gives_every_template_the_same_paragraphs() -> None:
    tests = Path(__file__).parent
    bodies = [
        json.loads((tests / c / "expected.json").read_text(encoding="utf-8"))["body"] for c in BR_RULE_CASES
    ]
    assert bodies[0] == bodies[1] == bodies[2]
    assert len(bodies[0]) == 9  # one <p> joined at its single <br>; every other <br> ends a paragraph


@pytest.mark.parametrize(
    ("html", "paragraphs"),
    [
        ("<p>một<br>hai</p>", ["một hai"]),  # a soft line break inside a paragraph
        ("<p>một<br><br>hai</p>", ["một", "hai"]),
        ("<p>một<br>&nbsp;<br>hai</p>", ["một", "hai"]),  # a blank line between is still two
        ("<p><br>một<br></p>", ["một"]),
        ("<div>một<br>hai</div>", ["một", "hai"]),  # loose lines of a page without <p>
        ("<div><p>một</p>hai<br>ba</div>", ["một", "hai", "ba"]),
        ("<li>một<br>hai</li>", ["một hai"]),
        ("<table><tr><td>một<br>hai</td></tr></table>", ["một", "hai"]),  # a cell holds loose lines
    ],
)
def test_the_br_rule(html: str, paragraphs: list[str]) -> None:
    root = parse_fragment(html)
    assert [p.text for p in walker.walk([root]).paras] == paragraphs
    # One block's text with <br> marks (a template's raw text) gives the same paragraphs.
    block = root.css_first("p, li, div, td")
    if block is not None and block.css_first("p") is None:
        assert walker.br_lines(raw_text(block), block.tag in walker.TEXT_BLOCKS) == paragraphs


@pytest.mark.parametrize(
    ("html", "template", "generic"),
    [
        ('<p style="text-align:right"><b>Bài và ảnh: Thu Hà</b></p>', "Thu Hà", "Thu Hà"),
        ('<p class="has-text-align-right">Văn phòng</p>', "Văn phòng", "Văn phòng"),  # unstyled, very short
        (
            '<div align="right"><p><em>Minh Anh (Sở Y tế)</em></p></div>',
            "Minh Anh (Sở Y tế)",
            "Minh Anh (Sở Y tế)",
        ),
        ('<p style="text-align:right"><b>Hội nghị kết thúc lúc 17 giờ.</b></p>', None, None),  # a sentence
        ("<p><b>Thu Hà</b></p>", None, "Thu Hà"),  # bold alone: the generic engine's declared option
        ("<p>Tác giả: Thu Hà</p>", None, "Thu Hà"),
        ("<p>Theo Báo Gia Lai</p>", None, "Báo Gia Lai"),
    ],
)
def test_one_printed_byline_rule(html: str, template: str | None, generic: str | None) -> None:
    para = walker.walk([parse_fragment(html)]).paras[-1]
    assert byline.printed_byline(para) == template
    assert byline.printed_byline(para, byline.UNMARKED) == generic


# The same content markup (a figure, an image table, a centered line, an italic line under two
# pictures side by side, a picture's own centered paragraph, a caption box, a stray credit, a
# long italic paragraph) as a Liferay, a WordPress and an unknown template's page.
CAPTION_RULE_CASES = (
    "golden/thaibinh/caption-rule",
    "golden/khoicq/caption-rule",
    "golden_generic/caption-rule",
)


def test_one_caption_rule_gives_every_template_the_same_pictures_and_captions() -> None:
    tests = Path(__file__).parent
    items = [
        json.loads((tests / c / "expected.json").read_text(encoding="utf-8")) for c in CAPTION_RULE_CASES
    ]
    pictures = [[(i["src"].split("/uploads/")[1], i["caption"]) for i in item["images"]] for item in items]
    assert pictures[0] == pictures[1] == pictures[2]
    assert [item["captions"] for item in items[1:]] == [items[0]["captions"]] * 2
    assert [item["body"] for item in items[1:]] == [items[0]["body"]] * 2
    assert len(pictures[0]) == 8 and sum(1 for _, c in pictures[0] if c) == 7
    assert not any("Ảnh: Minh Hà" in p for p in items[0]["body"])  # a credit box is never body


def _placed(html: str) -> list[tuple[str, str | None]]:
    blocks = body.place_captions(BodyReader(BASE).read(parse_fragment(html)))
    return [(b.kind, b.caption if b.kind == "image" else b.text) for b in blocks]


@pytest.mark.parametrize(
    ("html", "placed"),
    [
        # A centered or italic short line under a picture is its caption.
        (
            '<p><img src="/a.jpg"></p><p align="center">Chú thích.</p>',
            [("image", "Chú thích."), ("caption", "Chú thích.")],
        ),
        (
            '<p><img src="/a.jpg"></p><p><i>Chú thích.</i></p>',
            [("image", "Chú thích."), ("caption", "Chú thích.")],
        ),
        # A centered section title under a picture (a heading, an all-bold line) is body.
        (
            '<p><img src="/a.jpg"></p><p align="center"><b>QUYẾT ĐỊNH</b></p>',
            [("image", None), ("text", "QUYẾT ĐỊNH")],
        ),
        ('<p><img src="/a.jpg"></p><h3 align="center">Phần II</h3>', [("image", None), ("text", "Phần II")]),
        ('<p><img src="/a.jpg"></p><p align="center">* * *</p>', [("image", None), ("text", "* * *")]),
        # Under text, or too long to be one, it is body.
        ('<p>Văn bản.</p><p align="center">Dòng giữa.</p>', [("text", "Văn bản."), ("text", "Dòng giữa.")]),
        (
            '<p><img src="/a.jpg"></p><p><i>' + "x " * 250 + "</i></p>",
            [("image", None), ("text", ("x " * 250).strip())],
        ),
        # A caption box after a picture is its caption; after text, neither body nor caption.
        (
            '<p><img src="/a.jpg"></p><div class="photo-credit">Ảnh: TTXVN</div>',
            [("image", "Ảnh: TTXVN"), ("caption", "Ảnh: TTXVN")],
        ),
        ('<p>Văn bản.</p><div class="photo-credit">Ảnh: TTXVN</div>', [("text", "Văn bản.")]),
        # A figcaption no picture took (a video's) is still a caption; it captions no picture above.
        (
            '<p><img src="/a.jpg"></p><figure><video></video><figcaption>Video.</figcaption></figure>',
            [("image", None), ("caption", "Video.")],
        ),
        # A caption box holding the picture: its text is the picture's caption, not body.
        (
            '<div class="image-caption"><img src="/a.jpg"><span>Chú thích.</span></div><p>Văn bản.</p>',
            [("image", "Chú thích."), ("text", "Văn bản.")],
        ),
        # A box named for a picture, holding one and a short text: the text is its caption.
        (
            '<div class="image top"><img src="/a.jpg"><p>Chú thích.</p></div><p>Văn bản.</p>',
            [("image", "Chú thích."), ("text", "Văn bản.")],
        ),
        # Two pictures in it, or a class that only contains the word, and it is walked as usual.
        (
            '<div class="image-row"><img src="/a.jpg"><img src="/b.jpg"><p>Văn bản.</p></div>',
            [("image", None), ("image", None), ("text", "Văn bản.")],
        ),
        (
            '<div class="imagine"><img src="/a.jpg"><p>Văn bản.</p></div>',
            [("image", None), ("text", "Văn bản.")],
        ),
        # A section whose class merely mentions captions, holding prose, is read as body.
        (
            '<div class="has-caption"><p>' + "Văn bản dài. " * 40 + "</p></div>",
            [("text", ("Văn bản dài. " * 40).strip())],
        ),
        # A picture shown twice is one picture.
        ('<p><img src="/a.jpg"></p><p><img src="/a.jpg"></p>', [("image", None)]),
    ],
)
def test_the_caption_rule(html: str, placed: list[tuple[str, str | None]]) -> None:
    assert _placed(html) == placed
