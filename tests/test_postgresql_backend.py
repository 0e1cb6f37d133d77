"""core.postgresql: Django's PostgreSQL backend with parameters bound by the server, statements
prepared after their first use, and the protocol's limit of 65,535 parameters kept out of sight."""
import pytest
from django.db import connection

from core.postgresql.base import PROTOCOL_MAX_PARAMS
from indicators.models import Region

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL backend"),
    pytest.mark.django_db,
]


def test_the_suite_runs_on_the_backend_with_server_side_parameters():
    assert connection.settings_dict["ENGINE"] == "core.postgresql"
    assert connection.features.uses_server_side_binding


def test_a_statement_run_again_is_prepared_on_the_server():
    region = Region.objects.create(code="T-PG-1", name="预备语句测试县", level=Region.Level.COUNTY)
    for _ in range(3):
        assert Region.objects.filter(code=region.code).values_list("name", flat=True).get() == "预备语句测试县"
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "indicators_region"' in text and "$1" in text for text in prepared), prepared


def test_a_filter_with_more_values_than_one_statement_carries_still_runs():
    region = Region.objects.create(code="T-PG-2", name="参数上限测试县", level=Region.Level.COUNTY)
    ids = [region.pk, *range(10**9, 10**9 + PROTOCOL_MAX_PARAMS + 10)]
    assert Region.objects.filter(pk__in=ids).count() == 1


def test_a_bulk_insert_of_more_parameters_than_one_statement_carries_is_split():
    rows = [Region(code=f"T{n:05d}", name=f"示例县{n}", level=Region.Level.COUNTY) for n in range(14_000)]
    per_row = len([f for f in Region._meta.concrete_fields if not f.primary_key])
    assert len(rows) * per_row > PROTOCOL_MAX_PARAMS
    Region.objects.bulk_create(rows)
    assert Region.objects.filter(code__startswith="T", name__startswith="示例县").count() == 14_000
