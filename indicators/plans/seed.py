"""Loading the repository's data files: regions, the measure catalog and the real plans.

Idempotent: loading twice leaves the database as loading once did."""
import tomllib
from pathlib import Path

from django.db import transaction

from indicators.models import Measure, Region
from indicators.plans.services import save_plan_table
from indicators.plans.table import from_toml

DATA_DIR = Path(__file__).resolve().parents[1] / "data"  # indicators/data
PLANS_DIR = DATA_DIR / "plans"


def read_toml(path):
    with open(path, "rb") as handle:
        return tomllib.load(handle)


@transaction.atomic
def load_regions(path=DATA_DIR / "regions.toml"):
    rows = read_toml(path)["region"]
    by_code = {}
    for row in rows:  # parents are listed before their children
        region, _ = Region.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "level": row["level"], "parent": by_code.get(row.get("parent"))},
        )
        by_code[region.code] = region
    return len(by_code)


@transaction.atomic
def load_catalog(path=DATA_DIR / "catalog.toml"):
    rows = read_toml(path)["measure"]
    for row in rows:
        Measure.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "unit": row.get("unit", ""), "aliases": row.get("aliases", [])}
        )
    return len(rows)


def plan_tables(directory=PLANS_DIR):
    """Every plan data file, parents before the plans that name them."""
    tables = [from_toml(read_toml(path)) for path in sorted(directory.glob("*.toml"))]
    codes = {t.code for t in tables}
    ordered, placed = [], set()
    while len(ordered) < len(tables):
        progress = False
        for table in tables:
            if table.code in placed:
                continue
            if not table.parent_plan or table.parent_plan in placed or table.parent_plan not in codes:
                ordered.append(table)
                placed.add(table.code)
                progress = True
        if not progress:
            raise ValueError("circular parent_plan references in plan data files")
    return ordered


def load_plans(directory=PLANS_DIR):
    return [save_plan_table(table) for table in plan_tables(directory)]
