"""Replica article corpora: loading articles.json and generating large deterministic corpora.

`generate_articles` feeds the 5,000-50,000 page benchmark replica and the soak test, so it builds
text from a fixed Vietnamese vocabulary with one seeded RNG and few calls per article (50,000
articles take about a second). Titles are a bijection of the article id over the title
vocabulary (600,000 combinations), so two batches generated with different `id_start` never
share a title or a slug.
"""

from __future__ import annotations

import json
import math
import random
import re
import unicodedata
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from replica.model import ReplicaArticle

__all__ = ["article_from_dict", "article_to_dict", "generate_articles", "load_articles", "slugify"]


# -- articles.json ----------------------------------------------------------------------------


def article_from_dict(data: dict[str, Any]) -> ReplicaArticle:
    """A ReplicaArticle from its JSON form (datetimes "YYYY-MM-DDTHH:MM:SS"); unknown keys are an error."""
    d = dict(data)
    d["id"] = str(d["id"])
    for key in ("published", "modified"):
        if isinstance(d.get(key), str):
            d[key] = datetime.fromisoformat(d[key])
    try:
        return ReplicaArticle(**d)
    except TypeError as exc:  # a typo in a hand-written articles.json: say which article
        raise ValueError(f"article {d.get('id')!r}: {exc}") from None


def article_to_dict(article: ReplicaArticle) -> dict[str, Any]:
    d = asdict(article)
    d["published"] = article.published.isoformat()
    d["modified"] = article.modified.isoformat() if article.modified else None
    return d


def load_articles(path: Path) -> list[ReplicaArticle]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of articles")
    return [article_from_dict(d) for d in data]


def slugify(text: str) -> str:
    """URL slug of Vietnamese text: diacritics stripped, đ -> d, lower case, words joined by '-'."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# -- vocabulary -------------------------------------------------------------------------------

# fmt: off
ACTORS = [
    "UBND tỉnh", "Tỉnh ủy", "Ban Thường vụ Tỉnh ủy", "HĐND tỉnh", "Ủy ban MTTQ Việt Nam tỉnh",
    "Sở Giáo dục và Đào tạo", "Sở Y tế", "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Tài nguyên và Môi trường", "Sở Kế hoạch và Đầu tư", "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Thông tin và Truyền thông", "Sở Lao động - Thương binh và Xã hội", "Sở Công Thương",
    "Sở Giao thông vận tải", "Sở Tư pháp", "Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh",
    "Hội Nông dân tỉnh", "Hội Liên hiệp Phụ nữ tỉnh", "Tỉnh đoàn", "Liên đoàn Lao động tỉnh",
    "Hội Cựu chiến binh tỉnh", "Đảng ủy Khối các cơ quan tỉnh", "Ban Tuyên giáo Tỉnh ủy",
    "Ban Dân vận Tỉnh ủy", "Ủy ban Kiểm tra Tỉnh ủy", "Huyện ủy Chợ Mới", "UBND huyện Ba Bể",
    "UBND thành phố Cao Lãnh", "Thị xã Hồng Ngự", "Huyện Tháp Mười", "Huyện Ngân Sơn",
    "Huyện Chư Păh", "Thành phố Pleiku", "Trung tâm Y tế huyện Đắk Đoa", "Bệnh viện Đa khoa tỉnh",
    "Trường Chính trị tỉnh", "Ngân hàng Chính sách xã hội tỉnh", "Cục Thuế tỉnh",
]
ACTIONS = [
    "tổ chức hội nghị", "triển khai kế hoạch", "kiểm tra công tác", "tổng kết công tác",
    "sơ kết công tác", "ra quân thực hiện", "phát động phong trào", "làm việc về",
    "khai mạc lớp tập huấn", "đẩy mạnh", "tăng cường", "ký kết chương trình phối hợp về",
    "giám sát việc thực hiện", "quán triệt nghị quyết về", "thông qua đề án", "tổ chức tọa đàm về",
    "trao đổi kinh nghiệm", "đánh giá kết quả", "hướng dẫn", "tuyên truyền", "khảo sát",
    "tập huấn nghiệp vụ", "bàn giải pháp", "ban hành kế hoạch", "phối hợp thực hiện",
    "biểu dương điển hình", "đối thoại với nhân dân về", "tổ chức diễn tập", "rà soát",
    "nâng cao chất lượng",
]
TOPICS = [
    "chuyển đổi số", "xây dựng nông thôn mới", "phòng, chống thiên tai", "cải cách hành chính",
    "bảo đảm trật tự an toàn giao thông", "công tác xây dựng Đảng", "phát triển du lịch cộng đồng",
    "giảm nghèo bền vững", "bảo vệ môi trường", "phòng, chống dịch bệnh", "chương trình OCOP",
    "giáo dục nghề nghiệp", "bảo hiểm xã hội tự nguyện", "phong trào dân vận khéo", "an sinh xã hội",
    "thu hút đầu tư", "quản lý đất đai", "phòng cháy, chữa cháy", "trồng rừng gỗ lớn",
    "hỗ trợ doanh nghiệp nhỏ và vừa", "xây dựng chính quyền điện tử", "chăm sóc sức khỏe ban đầu",
    "tiêm chủng mở rộng", "khởi nghiệp sáng tạo",
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
]
QUALIFIERS = [
    "năm 2023", "năm 2024", "6 tháng đầu năm", "quý I", "quý II", "quý III",
    "giai đoạn 2021 - 2025", "năm học 2023 - 2024", "tại các xã vùng sâu", "trên địa bàn tỉnh",
    "ở cơ sở", "trong tình hình mới", "dịp Tết Nguyên đán", "nhiệm kỳ 2020 - 2025", "đợt 1",
    "đợt 2", "tại huyện biên giới", "cho cán bộ chủ chốt", "cho đoàn viên, thanh niên",
    "trong tháng cao điểm",
]
OPENERS = [
    "Theo báo cáo,", "Trong thời gian qua,", "Năm nay,", "Thời gian tới,", "Tại hội nghị,",
    "Phát biểu chỉ đạo,", "Bên cạnh đó,", "Đến nay,", "Qua kiểm tra,", "Theo kế hoạch,",
    "Cùng với đó,", "Ngoài ra,", "Để đạt được kết quả trên,", "Từ đầu năm đến nay,", "", "", "",
]
SUBJECTS = [
    "các địa phương", "cán bộ, đảng viên", "các sở, ban, ngành", "người dân", "chính quyền cơ sở",
    "đoàn công tác", "lãnh đạo tỉnh", "các đơn vị", "ngành chức năng", "hội viên nông dân",
    "doanh nghiệp trên địa bàn", "Ban Chỉ đạo", "các trường học", "lực lượng vũ trang",
    "đoàn viên, thanh niên", "Mặt trận Tổ quốc các cấp", "cấp ủy, chính quyền",
    "đội ngũ y, bác sĩ",
]
VERBS = [
    "đã tập trung triển khai", "tiếp tục đẩy mạnh", "đã hoàn thành", "chủ động phối hợp thực hiện",
    "đề nghị quan tâm hơn nữa đến", "cần tăng cường", "đã tổ chức tốt", "tích cực tham gia",
    "thống nhất thực hiện", "đã hỗ trợ", "kịp thời tháo gỡ khó khăn trong", "nghiêm túc quán triệt",
    "bám sát cơ sở để làm tốt", "đặc biệt chú trọng",
]
OBJECTS = [*TOPICS, "nhiều mô hình hiệu quả", "các chỉ tiêu đề ra", "các nhiệm vụ trọng tâm",
           "công tác tuyên truyền", "các công trình trọng điểm", "việc giải quyết thủ tục hành chính"]
ENDINGS = [
    ".", ".", " đạt kết quả tích cực.", ", góp phần nâng cao đời sống nhân dân.",
    ", qua đó tạo chuyển biến rõ nét.", " theo đúng kế hoạch.", ", được nhân dân đồng tình hưởng ứng.",
    " với tổng kinh phí hơn {n} tỷ đồng.", " trong năm {y}.", " tại {n} xã, phường, thị trấn.",
    ", vượt {p}% so với cùng kỳ.", " trên tinh thần đoàn kết, trách nhiệm.",
]
FACTS = [
    "Toàn tỉnh hiện có {n} hợp tác xã, tăng {m} so với cùng kỳ năm trước.",
    "Tỷ lệ hộ nghèo giảm còn {p},{m}%.",
    "Đã có {n} lượt người tham gia các lớp tập huấn.",
    "Kinh phí thực hiện được bố trí từ nguồn ngân sách địa phương và nguồn xã hội hóa.",
    "Hội nghị được tổ chức theo hình thức trực tiếp kết hợp trực tuyến đến {n} điểm cầu.",
    "Đoàn đã trao {n} suất quà, mỗi suất trị giá {m}00.000 đồng.",
    "Kết quả, {p}% thủ tục hành chính được giải quyết đúng và trước hạn.",
]
CAPTIONS = [
    "Quang cảnh hội nghị.", "Đồng chí Phó Chủ tịch UBND tỉnh phát biểu chỉ đạo tại buổi làm việc.",
    "Các đại biểu tham quan mô hình sản xuất.", "Lãnh đạo tỉnh trao quà cho các hộ gia đình khó khăn.",
    "Đoàn công tác kiểm tra thực tế tại cơ sở.", "Các đại biểu dự hội nghị.",
    "Đồng chí Bí thư Tỉnh ủy tặng hoa chúc mừng.",
    "Người dân làm thủ tục tại Trung tâm Phục vụ hành chính công.",
    "Lực lượng chức năng ra quân tuyên truyền.", "Một góc mô hình trồng lúa chất lượng cao.",
]
NAMES = [
    "Minh Anh", "Thu Hà", "Văn Dũng", "Ngọc Trâm", "Hoàng Long", "Thanh Tùng", "Bích Ngọc",
    "Quốc Việt", "Hải Yến", "Đức Thắng", "Phương Thảo", "Trần Hùng", "Lê Mai", "Nguyễn Quang",
]
ORGS = [
    "Trung tâm Truyền thông tỉnh", "Báo Đồng Tháp", "Đài PT-TH tỉnh", "Văn phòng UBND tỉnh",
    "Sở Thông tin và Truyền thông", "Trung tâm Văn hóa - Thể thao huyện",
]
CATEGORIES = ["Tin hoạt động", "Chính trị", "Kinh tế", "Văn hóa - Xã hội", "Quốc phòng - An ninh",
              "Xây dựng Đảng"]
DOCUMENTS = [("Kế hoạch", "KH-UBND"), ("Quyết định", "QĐ-UBND"), ("Công văn", "UBND-VX"),
             ("Thông báo", "TB-UBND"), ("Báo cáo", "BC-UBND")]
TAGS = ["chuyển đổi số", "nông thôn mới", "cải cách hành chính", "an sinh xã hội", "du lịch", "giáo dục",
        "y tế", "môi trường", "xây dựng Đảng", "OCOP"]
# fmt: on

_TITLE_PARTS = (ACTORS, ACTIONS, TOPICS, QUALIFIERS)
_TITLE_SPACE = math.prod(len(p) for p in _TITLE_PARTS)
_SLUG_PARTS = tuple({s: slugify(s) for s in part} for part in _TITLE_PARTS)


def _multiplier(space: int) -> int:
    """A multiplier coprime with the title space: id -> title is then a bijection modulo the space."""
    m = 7919
    while math.gcd(m, space) != 1:
        m += 2
    return m


_MULT = _multiplier(_TITLE_SPACE)


def _title(article_id: int, offset: int) -> tuple[str, str]:
    index = (article_id * _MULT + offset) % _TITLE_SPACE
    words: list[str] = []
    slugs: list[str] = []
    for part, slug_of in zip(_TITLE_PARTS, _SLUG_PARTS, strict=True):
        index, digit = divmod(index, len(part))
        words.append(part[digit])
        slugs.append(slug_of[part[digit]])
    # Same as slugify(title): each part's slug joined by '-', without re-normalizing the whole title.
    return " ".join(words), "-".join(slugs)


def _sentence_pool(rng: random.Random, size: int) -> list[str]:
    """Distinct sentences the paragraphs are drawn from (built once per corpus: cheap per article)."""
    pool: dict[str, None] = {}  # ordered and distinct: a repeated paragraph would look like boilerplate
    while len(pool) < size:
        if rng.random() < 0.15:
            text = rng.choice(FACTS)
        else:
            opener, subject, verb = rng.choice(OPENERS), rng.choice(SUBJECTS), rng.choice(VERBS)
            text = f"{opener} {subject} {verb} {rng.choice(OBJECTS)}{rng.choice(ENDINGS)}".strip()
        n, m, p, y = rng.randint(2, 480), rng.randint(1, 9), rng.randint(3, 98), rng.randint(2020, 2025)
        text = text.format(n=n, m=m, p=p, y=y)
        pool[text[0].upper() + text[1:]] = None
    return list(pool)


def _author(rng: random.Random) -> str | None:
    r = rng.random()
    if r < 0.4:
        return None
    if r < 0.6:
        return rng.choice(NAMES)
    if r < 0.8:
        return f"{rng.choice(NAMES)} ({rng.choice(ORGS)})"
    if r < 0.9:
        return f"{rng.choice(NAMES)} - {rng.choice(NAMES)}"
    return rng.choice(ORGS)


def generate_articles(n: int, seed: int, *, start: datetime, id_start: int = 1) -> list[ReplicaArticle]:
    """`n` varied Vietnamese articles, newest first; the same (n, seed, start, id_start) gives the same list.

    The first article is published at `start` (seconds precision) and each next one 5 minutes to
    6 hours earlier, so published datetimes are distinct. Ids are numeric strings: the newest gets
    ``id_start + n - 1`` and the oldest ``id_start`` (CMS ids grow with time), so a later batch made
    with ``id_start = previous id_start + previous n`` and a later ``start`` continues the site.
    """
    rng = random.Random(seed)
    pool = _sentence_pool(rng, 12000)
    offset = rng.randrange(_TITLE_SPACE)
    rand, choice, choices = rng.random, rng.choice, rng.choices
    published = start.replace(microsecond=0)
    seen_slugs: set[str] = set()
    articles: list[ReplicaArticle] = []
    for i in range(n):
        article_id = id_start + n - 1 - i
        title, slug = _title(article_id, offset)
        if slug in seen_slugs:  # only past the 600,000-id bijection; keep slugs unique like a CMS does
            slug = f"{slug}-{article_id}"
        seen_slugs.add(slug)
        # One to six sentences a paragraph, mostly two or three: one-liners and long blocks too.
        body = [
            "<p>" + " ".join(choices(pool, k=1 + int(rand() * 3) + int(rand() * rand() * 4))) + "</p>"
            for _ in range(3 + int(rand() * 10))
        ]
        r = rand()
        n_images = 0 if r < 0.25 else 1 if r < 0.65 else 2 if r < 0.85 else 3
        images = [
            {
                "src": f"/uploads/{published:%Y/%m}/{slug[:48]}-{j + 1}.jpg",
                "caption": choice(CAPTIONS) if rand() < 0.65 else None,
                "after": int(rand() * len(body)),
            }
            for j in range(n_images)
        ]
        attachments = []
        if rand() < 0.12:
            for j in range(1 + int(rand() * 2)):
                kind, code = choice(DOCUMENTS)
                number = 1 + int(rand() * 900)
                ext = "pdf" if rand() < 0.8 else "docx"
                attachments.append(
                    {
                        "href": f"/documents/{article_id}/{slugify(kind)}-{number}-{j + 1}.{ext}",
                        "title": f"{kind} số {number}/{code}",
                    }
                )
        modified = published + timedelta(seconds=600 + int(rand() * 72 * 3600)) if rand() < 0.25 else None
        articles.append(
            ReplicaArticle(
                id=str(article_id),
                slug=slug,
                title=title,
                published=published,
                body=body,
                lead=" ".join(choices(pool, k=1 + int(rand() * 2))) if rand() < 0.4 else None,
                images=images,
                author=_author(rng),
                category=choice(CATEGORIES),
                tags=rng.sample(TAGS, 1 + int(rand() * 3)) if rand() < 0.5 else [],
                attachments=attachments,
                modified=modified,
            )
        )
        published -= timedelta(seconds=300 + int(rand() * 6 * 3600))
    return articles
