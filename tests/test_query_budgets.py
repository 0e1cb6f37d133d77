"""Query budgets: every main page runs at most 20 queries, and the same number whatever the size
of the data behind it.

Two synthetic datasets from the benchmark generator (demo/synthetic.py) sit side by side:
"tiny" (1 city × 3 counties) and "small" (2 cities × 8 counties). Each page is requested for the
same position in both (first county of the first city, its city, province and 示例全国) and its
query count must be identical: a count that grows with the number of counties, plans or values
is an N+1 that would explode at national scale.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.pages import main_pages
from demo import synthetic

BUDGET = 20
SCALES = ("tiny", "small")
PAGE_NAMES = [page.name for page in main_pages({
    "users": dict.fromkeys(("staff", "reviewer_city", "reviewer_province", "leader_city", "leader_province",
                            "leader_nation", "admin"), object()),
    "county_plan": "S-000000-2021-2025", "year": 2025, "indicator_key": "2", "city": "0", "province": "0", "nation": "0",
})]


@pytest.fixture(scope="module")
def datasets(_real_plans_committed, django_db_blocker):
    """Both datasets, committed once for this module (generation takes a few seconds) and removed after it."""
    with django_db_blocker.unblock():
        for scale in SCALES:
            synthetic.generate(scale, password="query-budget-test-password")
        yield {scale: synthetic.subjects(scale) for scale in SCALES}
        for scale in SCALES:
            synthetic.remove(scale)


def _count(client, user, url):
    client.force_login(user)
    response = client.get(url)  # first request: sessions, content types and the like are cached
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), queries


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_queries_within_budget_and_independent_of_data_size(name, datasets, client, db, settings,
                                                                  django_assert_max_num_queries):
    settings.BENCHMARK = True  # the benchmarks' page list includes their /bench/trivial/ yardstick
    counts, captured = {}, {}
    for scale in SCALES:
        page = next(p for p in main_pages(datasets[scale]) if p.name == name)
        counts[scale], captured[scale] = _count(client, datasets[scale]["users"][page.role], page.url)
    with django_assert_max_num_queries(BUDGET):
        client.get(page.url)
    if counts["tiny"] != counts["small"]:
        tiny = [q["sql"][:120] for q in captured["tiny"].captured_queries]
        small = [q["sql"][:120] for q in captured["small"].captured_queries]
        pytest.fail(f"{name}: {counts['tiny']} queries for 3 counties but {counts['small']} for 16\n"
                    + "\n".join(f"+ {q}" for q in small if q not in tiny))


def test_datasets_differ_in_size(datasets):
    """The comparison means something only if the second dataset is really bigger."""
    from indicators.models import Plan

    tiny = Plan.objects.filter(region__in=synthetic.synthetic_regions("tiny")).count()
    small = Plan.objects.filter(region__in=synthetic.synthetic_regions("small")).count()
    assert (tiny, small) == (1 + 3, 2 + 16)
