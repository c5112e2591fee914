"""Shared crawl state is Scrapy components, not attributes set on the crawler (issue 14 item 3).

The state store, the reject log and the distributed frontier are extensions, reached through
`crawler.get_extension()` (STYLE.md section 4). The first test reads every module of `crawler/`
and fails on any `setattr(crawler, ...)` or `<...>crawler.<name> = ...`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.distributed import FrontierExtension, frontier_for
from crawler.rejects import RejectLog
from crawler.state import StateStoreExtension, state_store_for

PACKAGE = Path(__file__).resolve().parent.parent / "crawler"


def _is_crawler(node: ast.expr) -> bool:
    """`crawler`, `self.crawler`, `spider.crawler`...: an expression naming a crawler."""
    if isinstance(node, ast.Name):
        return node.id == "crawler" or node.id.endswith("_crawler")
    if isinstance(node, ast.Attribute):
        return node.attr == "crawler" or node.attr.endswith("_crawler")
    return False


def crawler_assignments(source: str, name: str = "<string>") -> list[str]:
    """Where `source` sets an attribute on a crawler ("file:line: code")."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
            if node.args and _is_crawler(node.args[0]):
                found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
            continue
        elif isinstance(node, ast.Delete):
            targets = list(node.targets)
        flat: list[ast.expr] = []
        for target in targets:
            flat += list(target.elts) if isinstance(target, ast.Tuple | ast.List) else [target]
        for target in flat:
            if isinstance(target, ast.Attribute) and _is_crawler(target.value):
                found.append(f"{name}:{node.lineno}: {ast.unparse(target)}")
            # crawler.__dict__[...] = ...
            if (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Attribute)
                and target.value.attr == "__dict__"
                and _is_crawler(target.value.value)
            ):
                found.append(f"{name}:{node.lineno}: {ast.unparse(target)}")
    return found


def test_the_checker_finds_every_form() -> None:
    source = (
        "setattr(crawler, '_vn_x', 1)\n"
        "crawler._vn_frontier = f\n"
        "self.crawler.store = s\n"
        "spider.crawler.x, y = 1, 2\n"
        "crawler.__dict__['k'] = 1\n"
        "crawler.n += 1\n"
        # None of these sets anything on a crawler:
        "self.crawler = crawler\n"
        "scheduler.crawler = crawler\n"
        "article.__dict__['k'] = 1\n"
        "setattr(item, 'x', crawler)\n"
    )
    assert len(crawler_assignments(source)) == 6


def test_nothing_in_the_package_sets_an_attribute_on_the_crawler() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += crawler_assignments(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))
    assert found == []


def _portal_crawler(tmp_path: Path):  # type: ignore[no-untyped-def]
    from scrapy.utils.project import get_project_settings

    from crawler.spiderloader import SiteSpiderLoader

    spider_cls = SiteSpiderLoader.from_settings(get_project_settings()).load("dongthap")
    return get_crawler(spider_cls, {"VN_DATA_DIR": str(tmp_path)}), spider_cls


def test_the_spider_and_the_pipelines_share_the_extensions(tmp_path: Path) -> None:
    from crawler.pipelines import DedupPipeline, JsonlStorePipeline

    crawler, spider_cls = _portal_crawler(tmp_path)  # the spider wires its components itself
    spider = spider_cls.from_crawler(crawler)
    crawler.spider = spider
    ext = crawler.get_extension(StateStoreExtension)
    assert ext is not None and isinstance(crawler.get_extension(RejectLog), RejectLog)
    store = state_store_for(crawler)
    assert spider.state_store is store is ext.store
    assert DedupPipeline.from_crawler(crawler).state is store
    assert JsonlStorePipeline.from_crawler(crawler).state is store
    assert spider.rejects is RejectLog.for_crawler(crawler)
    ext.close()  # the engine's stop: closed, and opened again on a later use
    assert state_store_for(crawler) is not store
    state_store_for(crawler).close()


def test_the_project_settings_enable_them(tmp_path: Path) -> None:
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    extensions = settings.getwithbase("EXTENSIONS")
    assert "crawler.state.StateStoreExtension" in extensions and "crawler.rejects.RejectLog" in extensions
    # Without them, the accessors say so instead of building a private copy.
    bare = get_crawler(settings_dict={"VN_DATA_DIR": str(tmp_path)})
    with pytest.raises(NotConfigured):
        state_store_for(bare)
    with pytest.raises(NotConfigured):
        RejectLog.for_crawler(bare)


def test_the_frontier_is_an_extension_of_distributed_mode_only() -> None:
    off = get_crawler(settings_dict={"VN_DISTRIBUTED": "0"})
    with pytest.raises(NotConfigured):
        FrontierExtension.from_crawler(off)
    with pytest.raises(NotConfigured):
        frontier_for(off)
