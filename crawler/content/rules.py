"""Which markup is chrome and which is content: the class/id, style and text rules of the engine.

One set for every parser: the generic engine and the template parsers (Liferay family,
WordPress) read paragraphs at the same block tags, take the same classes for captions and the
same file types for attachments. A template keeps only what is its own: where its content,
date, title, lead and byline sit, and the chrome its CMS prints (e.g. Liferay's theme images).

Data, not code: every rule is a regular expression or a tag set, so a new kind of share bar or
related list is one alternative more here. Rules read class/id strings lower-cased and match
substrings (readability's reading), because themes glue words ("relatedposts", "td-post-sharing").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

__all__ = [
    "ATTACHMENT_LABEL",
    "BLOCK_TAGS",
    "CAPTION_CLASS",
    "CAPTION_CSS",
    "CHROME_TAGS",
    "DOCUMENT_EXTENSIONS",
    "DOCUMENT_HINT",
    "DOCUMENT_PATH",
    "END_OF_ARTICLE",
    "HIDDEN_CLASS",
    "HIDDEN_STYLE",
    "IMAGE_SKIP",
    "LINE_CHROME",
    "NEGATIVE",
    "POSITIVE",
    "RIGHT_QUERY",
    "UNLIKELY",
    "UNLIKELY_OK",
    "decorative_image",
]


def _by_first_letter(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A flat alternation of words compiled with its branches grouped by first letter
    ("a(?:dvert|dsbygoogle)|b(?:anner|...)"): the same matches, a third faster, as the regex
    engine tries one group per position instead of every word (it runs on every class token)."""
    groups: dict[str, list[str]] = {}
    rest: list[str] = []
    for branch in pattern.split("|"):
        if branch[:1].isalpha() and branch[1:2] != "?":
            groups.setdefault(branch[0], []).append(branch[1:])
        else:
            rest.append(branch)
    parts = rest + [f"{first}(?:{'|'.join(tails)})" for first, tails in sorted(groups.items())]
    return re.compile("|".join(parts), flags)


# Elements that end an inline run: their text is a paragraph of its own.
BLOCK_TAGS = frozenset(
    "p div section article main h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre table tbody thead "
    "tfoot tr td th figure figcaption header footer aside nav address center hr form fieldset details "
    "summary caption".split()
)
# Page chrome by tag: never the article's text wherever they sit.
CHROME_TAGS = "nav, aside, footer, header, form[role=search], dialog, menu"

# Invisible to a reader: removed before anything is scored, so a hidden teaser of another post
# can never win (a Divi page hid one inside its `.post-content`).
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
HIDDEN_CLASS = re.compile(
    r"(?:^|\s)(?:hidden|d-none|hide|is-hidden|sr-only|screen-reader-text|visually-hidden|invisible|"
    r"element-invisible|u-hidden|mfp-hide)(?:\s|$)"
)

# Subtrees that are page chrome whatever their size ratio (checked against class + id).
UNLIKELY = _by_first_letter(
    r"-ad-|\bads?\b|adsbygoogle|advert|banner|breadcrumb|combx|comment|community|cookie|disqus|"
    r"gdpr|footer|masthead|menu|navbar|\bnav\b|navigation|popup|modal|newsletter|subscribe|signup|"
    r"related|relate|lienquan|lien-quan|tinkhac|tin-khac|tin_khac|xemthem|xem-them|binhluan|binh-luan|"
    r"sidebar|skyscraper|social|share|sharing|sponsor|promo|outbrain|taboola|recommend|"
    r"pagination|pager|rating|toolbar|print|tag-?list|tagcloud|post-?tags|entry-tags|tags-?links|"
    r"\btags\b|\btag\b(?!-)|keyword|tu-?khoa|author-?box|about-?author|author-?bio|widget|login|"
    r"more-?stories|read-?more|readmore|also-?read|most-?read|trending|popular|viewcount|view-?count|"
    r"luot-?xem|hit-?count|post-?nav|nextprev|prev-?next|jp-relatedposts|yarpp|zalo|facebook|twitter|"
    r"embed_video|embed-video|box_embed|video-?player|jwplayer|"
    r"post-?meta|entry-?meta|article-?meta|meta-?info|\bbyline\b"
)
# ... unless the class also says it is the content ("content-with-sidebar", "article-body").
UNLIKELY_OK = _by_first_letter(
    r"\barticle\b|article-?body|articlebody|\bcontent\b|entry-content|post-content|\bmain\b|"
    r"story-?body|\bbody\b|detail|chitiet|chi-tiet|noidung|noi-dung|fck_detail|hentry|type-post|post-\d"
)
# Scoring hints: a block with these words in class/id is likelier content (POSITIVE) or not.
POSITIVE = _by_first_letter(
    r"article|body|content|entry|hentry|h-entry|main|post|text|blog|story|detail|chitiet|chi-tiet|"
    r"noidung|noi-dung|fck_detail|news-?content|journal-content"
)
NEGATIVE = _by_first_letter(
    r"-ad-|hidden|banner|combx|comment|contact|footer|gdpr|masthead|media|outbrain|promo|related|"
    r"scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget|teaser|card|list|menu|nav"
)

# A whole paragraph that is chrome, Vietnamese or English (case-insensitive fullmatch).
LINE_CHROME = re.compile(
    r"(?:tin|bài viết|bài|tin tức)\s+(?:liên quan|khác|cùng chuyên mục|mới hơn|cũ hơn|đã đưa)\s*:?|"
    r"xem thêm\s*:?.{0,200}|đọc thêm\s*:?.{0,200}|xem tiếp\s*:?|"
    r"chia sẻ\s*:?|share(?: this(?: article| story| post)?)?\s*:?|share on \w+|"
    r"(?:tags?|từ khóa|từ khoá|chủ đề)\s*:.{0,300}|"
    r"(?:lượt xem|lượt đọc|views?)\s*:?\s*[\d.,]*|"
    r"advertisement|quảng cáo|sponsored(?: content)?|"
    r"related(?: articles| posts| stories| content| news)?\s*:?|you (?:may|might) (?:also )?like\s*:?|"
    r"read (?:more|next|also)\s*:?.{0,200}|more (?:from|on) .{0,60}|"
    r"(?:sign up|subscribe)(?: (?:to|for) .{0,80})?|follow us(?: on .{0,40})?|"
    r"in bài viết|gửi bài viết|gửi email|bản in|"
    r"caption|close|(?:photo|image|ảnh|nguồn ảnh)\s*(?:credit)?\s*:.{0,80}|"
    r"(?:published|updated|posted|last updated|cập nhật|đăng lúc|đăng ngày)\b.{0,60}\d{4}.{0,24}|"
    r"(?:bình luận|ý kiến bạn đọc|gửi bình luận|comments?|leave a (?:reply|comment))\s*(?:\(\d+\))?\s*:?|"
    r"(?:previous|next) (?:article|post|story)|bài (?:trước|sau)|"
    r"(?:tweet|pin|email|print|facebook|twitter|linkedin|whatsapp|zalo)(?:\s+(?:tweet|pin|email|print|"
    r"facebook|twitter|linkedin|whatsapp|zalo))*",
    re.IGNORECASE,
)
# A heading after which the container holds no more of the article (related lists, comments).
END_OF_ARTICLE = re.compile(
    r"(?:các\s+)?(?:tin|bài viết|bài|tin tức)\s+(?:liên quan|khác|cùng (?:chuyên mục|loại)|đã đưa(?: ngày)?|"
    r"mới hơn|cũ hơn|(?:đọc|xem) nhiều(?: nhất)?)|"
    r"related(?: articles| posts| stories| content| news)?|you (?:may|might) (?:also )?like|"
    r"more (?:\w+ ){0,3}(?:stories|articles|news|reads)(?: from .{1,40})?|"
    r"more in(?: (?-i:[A-Z])[\w'-]*){1,4}|recommended(?: for you)?|"
    r"você (?:também )?pode gostar(?: também)?|(?:te|le) puede interesar|"
    r"(?:bình luận|ý kiến bạn đọc|comments?|leave a (?:reply|comment))\s*(?:\(\d+\))?",
    re.IGNORECASE,
)

# A superset of the right-aligned elements (walker.alignment decides): one query finds the few.
RIGHT_QUERY = "[style*='right' i], [align='right' i], [class*='right' i]"

# Attachments: links to documents of these types are the article's files, not its text.
DOCUMENT_EXTENSIONS = (
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "rtf", "zip", "rar", "7z",
)  # fmt: skip
_DOCUMENT = r"\.(?:" + "|".join(DOCUMENT_EXTENSIONS) + ")"
# A path (or path segment) that names a document ("/files/bao-cao.pdf").
DOCUMENT_PATH = re.compile(_DOCUMENT + "$", re.IGNORECASE)
# Anywhere in a raw href: a cheap superset of the links that resolve to a document.
DOCUMENT_HINT = re.compile(_DOCUMENT, re.IGNORECASE)

# A line announcing the files below it ("Tệp đính kèm", "Tải về"): a label, never body text.
ATTACHMENT_LABEL = re.compile(
    r"^(?:tệp|file|tập tin|tài liệu|văn bản)\s+đính\s+kèm|^tải về\b|^download\b", re.I
)

# A class naming an image caption ("wp-caption-text", "chu-thich", "image_desc", "ExpNoEdit").
CAPTION_CLASS = re.compile(
    r"caption|chu-?thich|image[_-]?desc|img-?desc|photo-?desc|note-?image|expnoedit|legend|credit",
    re.IGNORECASE,
)
# Captions and photo credits: never body text, whether or not their picture was kept.
CAPTION_CSS = "figcaption, [class*=caption i], [class*=credit i], [class*=image_desc i]"

# Images that are never the article's: logos, icons, share buttons, ad banners, pixels, avatars.
IMAGE_SKIP = _by_first_letter(
    r"logo|icon|avatar|gravatar|emoji|smiley|sprite|spacer|blank\.|pixel|1x1|tracking|beacon|"
    r"share|facebook|twitter|zalo|linkedin|pinterest|whatsapp|/ads?/|[_-]ads?[_./-]|adserver|"
    r"banner|qc[_-]|quang-?cao|badge|button|rating|loading|lazy[_-]?placeholder|data:image|emoticon|"
    # Liferay portals: theme and common images, SharePoint layout images, share thumbnails
    r"/images/common/|-theme/images/|/_layouts/|thumbnail-share|imagethumbnail=",
    re.IGNORECASE,
)
_MIN_SIDE = 60  # pixels: a smaller declared image is an icon or a pixel


def decorative_image(src: str, attrs: Mapping[str, str | None]) -> bool:
    """Whether the <img> with these attributes, at `src` (resolved), is never an article's
    picture: a logo, icon, share button, ad banner, pixel or avatar (IMAGE_SKIP on the URL, the
    class or the id), or one declared smaller than _MIN_SIDE pixels. Every parser asks it."""
    if _image_skip(src) or _image_skip(f"{attrs.get('class') or ''} {attrs.get('id') or ''}"):
        return True
    for side in ("width", "height"):
        value = (attrs.get(side) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < _MIN_SIDE:
            return True
    return False


@lru_cache(maxsize=8192)  # a URL is searched ~30 us (a long string, a case-blind rule): once
def _image_skip(text: str) -> bool:
    return IMAGE_SKIP.search(text) is not None
