"""Owed-ledger soak (issue 15): one Liferay and one WordPress site crawled at 30 % faults for three
runs (20 new articles before each later run), then once without faults. Every article ends up
stored exactly once and nothing is owed.

Figures for larger sites are in bench/RESULTS.md (bench/soak.py runs the same code).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from soak_helpers import soak


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    ("site", "template", "seed"), [("dongthap", "liferay-adt", 31), ("khoicq", "wp-newspaper", 47)]
)
def test_three_faulty_runs_then_a_clean_one_store_every_article_once(
    site: str, template: str, seed: int, tmp_path: Path
) -> None:
    result = soak(tmp_path, site, template, articles=100, share=0.30, faulty_runs=3, seed=seed, growth=20)
    faulty, clean = result.runs[:-1], result.runs[-1]
    assert all(r.injected >= 0.2 * r.requests for r in faulty), faulty  # the faults did happen
    # The faults cost articles (the ledger had work to do); a run fails exactly when it says why.
    assert any(r.owed > 0 for r in faulty), faulty
    assert all((r.exit_code == 1) == bool(r.failure) for r in result.runs), result.runs
    assert clean.exit_code == 0, clean.failure
    assert clean.owed == 0 and clean.abandoned == 0
    assert sum(r.recovered for r in result.runs) > 0
    assert (result.articles, result.stored, result.lost, result.duplicated) == (160, 160, 0, 0)
