"""示例数据 at scale: synthetic regions, bureaus, users, plans, yearly values, assigned targets,
evaluation results and key projects — for benchmarks and for the query-budget tests.

Everything made here is marked as synthetic and kept apart from the real data:

- every region is `synthetic=True` and coded `<prefix><4 digits>` with a two-digit prefix that
  begins with 9 (`SCALES`); GB/T 2260 codes never begin with 9, so no synthetic code can be
  mistaken for (or collide with) a real one. Names read 示例省01 / 示例市01 / 示例县0001;
- plans are `synthetic=True`, coded `S-<region code>-2021-2025`, and hang only off synthetic
  regions (county plans name their synthetic city plan as parent, never a real plan);
- users are named `syn-<scale>-…` with a `synthetic=True` profile, and share one password hash
  computed once; yearly values and project progress are `synthetic=True`.

`generate(scale)` first removes what an earlier run made for the same scale, then writes the new
data in chunks of plans with `bulk_create` and lets `indicators.results.services.recompute` compute every
evaluation result of a chunk in one pass. `remove(scale=None)` deletes synthetic data (of one scale
or all of it) and whatever depends on it with plain DELETE statements — no per-row signals, so no
history rows are written for the deletion — and refuses, changing nothing, if a real row refers to
a synthetic one.

The shapes imitate the five real plans in `indicators/data/plans/`: 25–32 rows in the categories
生态保护 / 环境质量 / 生态经济, binding and expected rows, a 化学需氧量 row whose merged target
covers four sub-rows, and the same target kinds (numbers, ≥/≤ bounds, ranges, 不减少, 保持稳定,
持续增长, 完成市下达指标, water classes, 消除, qualitative targets), with 2–4 responsible
bureaus per plan. Five years of values (2021–2025) are in every workflow state.
"""
import datetime
import random
import secrets
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.utils import timezone

from accounts.models import Profile, Role
from core import generations
from reporting import workflow
from reporting.models import ReportingPeriod

from indicators.plans import catalog, targets
from indicators.results import services as evaluation_store
from indicators.models import AssignedTarget, Bureau, Indicator, IndicatorTarget, IndicatorValue, Measure, Plan, Region


@dataclass(frozen=True)
class Scale:
    name: str
    prefix: str  # two digits beginning with 9: outside every GB/T 2260 province code
    provinces: int
    cities: int
    counties: int
    label: str
    vary: bool = True  # uneven numbers of cities per province and counties per city, as in reality


SCALES = {
    "tiny": Scale("tiny", "96", 1, 1, 3, "微型", vary=False),
    "small": Scale("small", "97", 1, 2, 16, "小型", vary=False),
    "province": Scale("province", "95", 1, 11, 120, "省级"),
    "national": Scale("national", "90", 31, 330, 2800, "全国"),
}
BASE_YEAR, MILESTONE = 2020, 2025
SOURCE = "示例数据（系统生成，非真实填报）"
CHUNK_PLANS = 40
BATCH = 2000


class SyntheticDataError(Exception):
    """Generation or removal refused; nothing was changed."""


def get_scale(name):
    try:
        return SCALES[name]
    except KeyError:
        raise SyntheticDataError(f"未知规模 {name!r}，可选：{'、'.join(SCALES)}") from None


def username_prefix(scale):
    return f"syn-{scale.name}-"


def plan_code(region_code):
    return f"S-{region_code}-{BASE_YEAR + 1}-{MILESTONE}"


# ----- region layout --------------------------------------------------------------------------

@dataclass
class RegionSpec:
    code: str
    name: str
    level: str
    parent: "RegionSpec | None"
    ordinal: int  # position among regions of its level (1-based): seeds its plan's shape


def _spread(total, parts, rng, vary):
    """`parts` whole numbers summing to `total`, uneven by up to ±30 % when `vary`."""
    if not vary:
        base, extra = divmod(total, parts)
        return [base + (1 if i < extra else 0) for i in range(parts)]
    weights = [rng.uniform(0.7, 1.3) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [max(1, int(w * scale)) for w in weights]
    index = 0
    while sum(counts) != total:
        step = 1 if sum(counts) < total else -1
        if counts[index % parts] + step >= 1:
            counts[index % parts] += step
        index += 1
    return counts


def layout(scale):
    """Every region of a scale, parents before children: root (示例全国), provinces, cities, counties.

    The root stands for the nation, so that a national leader summary exists at every scale.
    `Region.Level` has no national level; the root is stored with level "province"."""
    rng = random.Random(f"layout:{scale.name}")
    counter = iter(range(10_000))

    def code():
        return f"{scale.prefix}{next(counter):04d}"

    root_name = "示例全国" if scale.name == "national" else f"示例全国（{scale.label}）"
    root = RegionSpec(code(), root_name, Region.Level.PROVINCE, None, 1)
    regions = [root]
    cities_per_province = _spread(scale.cities, scale.provinces, rng, scale.vary)
    counties_per_city = _spread(scale.counties, scale.cities, rng, scale.vary)
    city_digits = 3 if scale.cities >= 100 else 2
    city_no = county_no = 0
    for p in range(scale.provinces):
        province = RegionSpec(code(), f"示例省{p + 1:02d}", Region.Level.PROVINCE, root, p + 1)
        regions.append(province)
        for _ in range(cities_per_province[p]):
            city = RegionSpec(code(), f"示例市{city_no + 1:0{city_digits}d}", Region.Level.CITY, province, city_no + 1)
            regions.append(city)
            for _ in range(counties_per_city[city_no]):
                county_no += 1
                regions.append(RegionSpec(code(), f"示例县{county_no:04d}", Region.Level.COUNTY, city, county_no))
            city_no += 1
    return regions


# ----- bureaus and the plan table -------------------------------------------------------------

ROLES = ("ecology", "nature", "forestry", "water", "agri", "energy", "stats", "industry")
_BUREAU_NAMES = {
    "county": {"ecology": "生态环境分局", "nature": "自然资源局", "forestry": "林业局", "water": "水务局",
               "agri": "农业农村局", "energy": "能源局", "stats": "统计局", "industry": "工信局"},
    "city": {"ecology": "生态环境局", "nature": "自然资源和规划局", "forestry": "林业和草原局", "water": "水利局",
             "agri": "农业农村局", "energy": "能源局", "stats": "统计局", "industry": "工业和信息化局"},
    "province": {"ecology": "生态环境厅"},
}


def bureau_name(level, role):
    names = _BUREAU_NAMES.get(level, _BUREAU_NAMES["province"])
    return names.get(role) or _BUREAU_NAMES["county"][role]


def responsible_roles(rng):
    """The ecology-environment bureau and one to three others: 2–4 responsible bureaus per plan."""
    others = list(ROLES[1:])
    return ["ecology", *rng.sample(others, rng.choices((1, 2, 3), weights=(1, 2, 2))[0])]


@dataclass
class RowSpec:
    category: str
    name: str
    unit: str
    attribute: str  # binding / expected / "" (sub-rows)
    roles: tuple
    baseline: str
    target: str
    start: float | None = None  # where the yearly values start (also where the baseline prints none)
    end: float | None = None  # where a bureau on pace is at the milestone
    kind: str = "number"  # number / rate / water / text
    digits: int = 1
    assigned: float | None = None  # the number assigned to a 完成…下达指标 target (None: not yet)
    children: list = field(default_factory=list)
    optional: bool = False


def _fmt(number, digits):
    return f"{number:.{digits}f}"


def plan_rows(rng, up):
    """The rows of one plan (before optional rows are dropped); `up` names the level above (市 / 省)."""
    u = rng.uniform
    assigned = f"完成{up}下达指标"

    def maybe(value):
        return value if rng.random() < 0.7 else None

    rows = []
    red = round(u(12, 45), 2)
    rows.append(RowSpec("生态保护", "生态保护红线占国土面积比例", "%", "binding", ("nature",), _fmt(red, 2), "不减少",
                        red, red, digits=2))
    forest = round(u(12, 45), 2)
    forest_target = round(forest + u(0.8, 3), 2)
    rows.append(RowSpec("生态保护", "森林覆盖率", "%", "binding", ("forestry",), _fmt(forest, 2), _fmt(forest_target, 2),
                        forest, forest_target, digits=2))
    fire = round(u(0.15, 0.6), 2)
    rows.append(RowSpec("生态保护", "林草火灾受害率", "‰", "expected", ("forestry",), _fmt(fire, 2), assigned,
                        fire, fire * 0.8, digits=2, assigned=maybe(0.5)))
    pest = round(u(2, 4), 1)
    rows.append(RowSpec("生态保护", "林草有害生物成灾率", "‰", "expected", ("forestry",), _fmt(pest, 1), f"≤{_fmt(pest, 1)}",
                        pest, pest * 0.92, digits=2))
    soil = round(u(50, 75), 1)
    rows.append(RowSpec("生态保护", "水土保持率", "%", "binding", ("water",), "—", assigned, soil, soil + 2.5,
                        assigned=maybe(round(soil + 2, 1))))
    area = round(u(5, 20), 2)
    rows.append(RowSpec("生态保护", "新增水土流失治理面积", "平方千米", "expected", ("water",), _fmt(area, 2), assigned,
                        area, area * 1.6, digits=2, assigned=maybe(round(area * 1.5, 2)), optional=True))
    quality = round(u(55, 72), 1)
    rows.append(RowSpec("生态保护", "生态质量指数", "—", "expected", ("ecology",), "—", "保持稳定", quality, quality))

    good = round(u(62, 86), 1)
    if rng.random() < 0.6:
        rows.append(RowSpec("环境质量", "空气质量优良天数比例", "%", "binding", ("ecology",), _fmt(good, 1), assigned,
                            good, min(good + 4, 99), assigned=maybe(round(min(good + 3, 98), 1))))
    else:
        rows.append(RowSpec("环境质量", "空气质量优良天数比例", "%", "binding", ("ecology",), _fmt(good, 1),
                            f"≥{_fmt(min(good + 3, 98), 1)}", good, min(good + 4, 99)))
    pm = rng.randint(30, 60)
    if rng.random() < 0.5:
        rows.append(RowSpec("环境质量", "细颗粒物（PM2.5）浓度", "μg/m3", "binding", ("ecology",), str(pm), assigned,
                            pm, pm - 6, digits=0, assigned=maybe(pm - 5)))
    else:
        rows.append(RowSpec("环境质量", "细颗粒物（PM2.5）浓度", "μg/m3", "binding", ("ecology",), str(pm), f"≤{pm - 5}",
                            pm, pm - 6, digits=0))
    surface = round(u(50, 100), 1)
    surface_raw = "断流" if rng.random() < 0.15 else _fmt(surface, 1)
    surface_target = "100" if surface > 85 else f"≥{_fmt(min(surface + 10, 100), 0)}"
    rows.append(RowSpec("环境质量", "地表水达到或优于Ⅲ类水体比例", "%", "binding", ("ecology",), surface_raw, surface_target,
                        surface, min(surface + 12, 100)))
    rows.append(RowSpec("环境质量", "地表水劣Ⅴ类水体比例", "%", "binding", ("ecology",), "0", "0", 0, 0, digits=0))
    rows.append(RowSpec("环境质量", "县城建成区黑臭水体比例", "%", "expected", ("ecology",), rng.choice(["0", "/"]),
                        rng.choice(["0", "0", "基本消除"]), 0, 0, digits=0, optional=True))
    water_class = rng.choice(["Ⅱ", "Ⅲ", "Ⅲ"])
    rows.append(RowSpec("环境质量", "地下水监测点位水质", "—", "expected", ("ecology",), water_class, "达到或优于Ⅲ类",
                        kind="water"))
    farmland = 100.0 if rng.random() < 0.5 else round(u(90, 99), 1)
    rows.append(RowSpec("环境质量", "受污染耕地安全利用率", "%", "binding", ("agri",), _fmt(farmland, 1),
                        rng.choice(["≥95", "100"]), farmland, 100))
    rows.append(RowSpec("环境质量", "重点建设用地安全利用率", "%", "binding", ("nature",), "—", "有效保障", 100, 100, digits=0))
    cod = round(u(8, 12), 1)
    cod_target = rng.choice([assigned, assigned, "8-10"])
    children = [RowSpec("环境质量", name, "%", "", ("ecology",), "—", "", 0, round(cod * u(0.7, 1.2), 1), kind="rate")
                for name in ("氨氮排放总量减少", "氮氧化物排放总量减少", "VOCs排放总量减少", "二氧化硫排放总量减少")]
    rows.append(RowSpec("环境质量", "化学需氧量排放总量减少", "%", "binding", ("ecology",), "—", cod_target, 0,
                        9 if cod_target == "8-10" else cod, kind="rate",
                        assigned=maybe(cod) if cod_target == assigned else None, children=children))
    groundwater = round(u(10, 30), 1)
    rows.append(RowSpec("环境质量", "地下水质量Ⅴ类水比例", "%", "expected", ("ecology",), "—", "≤25", groundwater,
                        min(groundwater, 24)))
    for name in ("城市集中式饮用水水源达到或优于Ⅲ类比例", "工业危险废弃物利用处置率", "医疗废物无害化处置率"):
        rows.append(RowSpec("环境质量", name, "%", "expected", ("ecology",), "100", "100", 100, 100, digits=0))
    rows.append(RowSpec("环境质量", "河湖长制落实情况", "—", "expected", ("water",), "—", "全面落实", kind="text",
                        optional=True))

    rows.append(RowSpec("生态经济", "单位GDP二氧化碳排放降低", "%", "binding", ("ecology",), "—", assigned, 0,
                        round(u(16, 20), 1), kind="rate", assigned=maybe(18)))
    energy = round(u(13, 16), 1)
    energy_target = rng.choice([assigned, _fmt(energy, 1)])
    rows.append(RowSpec("生态经济", "单位GDP能源消耗降低", "%", "binding", ("energy",), "—", energy_target, 0, energy,
                        kind="rate", assigned=maybe(energy) if energy_target == assigned else None))
    fossil_free = round(u(5, 15), 1)
    fossil_target = rng.choice([assigned, _fmt(fossil_free + 3, 1)])
    rows.append(RowSpec("生态经济", "非化石能源占一次能源消费比重", "%", "binding", ("stats", "energy"), _fmt(fossil_free, 1),
                        fossil_target, fossil_free, fossil_free + 3,
                        assigned=maybe(round(fossil_free + 3, 1)) if fossil_target == assigned else None))
    water_drop = rng.choice([10, 15])
    rows.append(RowSpec("生态经济", "万元GDP用水量下降", "%", "binding", ("water",), _fmt(u(3, 8), 2),
                        "10" if water_drop == 10 else "≥15", 0, water_drop, kind="rate"))
    use = round(u(0.5, 3), 2)
    rows.append(RowSpec("生态经济", "用水总量", "亿立方米", "binding", ("water",), _fmt(use, 2), f"≤{_fmt(use * 1.15, 2)}",
                        use, use * 1.05, digits=2))
    solid = round(u(60, 92), 1)
    rows.append(RowSpec("生态经济", "大宗工业固体废物综合利用率", "%", "expected", ("industry",), _fmt(solid, 1),
                        rng.choice(["持续增长", f"≥{_fmt(min(solid + 5, 98), 0)}"]), solid, min(solid + 6, 99)))
    sewage = round(u(10, 40), 1)
    rows.append(RowSpec("生态经济", "农村生活污水治理率", "%", "expected", ("agri",), _fmt(sewage, 1),
                        f"≥{_fmt(sewage + 15, 0)}", sewage, sewage + 16, optional=True))
    return [row for row in rows if not row.optional or rng.random() < 0.6]


# ----- yearly values --------------------------------------------------------------------------

_PACES = ((1.15, 3), (1.0, 3), (0.9, 2), (0.6, 2), (0.3, 1), (-0.3, 1))
_JUDGEMENTS = (("done", 7), ("mostly_done", 2), ("not_done", 1))
_WATER = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5}


def _weighted(rng, pairs):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def value_series(rng, row, unit, years):
    """year → (raw, number, water class, judgement, rate mode) for one row."""
    series = {}
    if row.kind == "text":
        for year in years:
            judgement = _weighted(rng, _JUDGEMENTS)
            series[year] = ("已按要求落实" if judgement == "done" else "", None, None, judgement, "")
        return series
    if row.kind == "water":
        best = _WATER.get(row.baseline, 3)
        for year in years:
            name = rng.choices(["Ⅱ", "Ⅲ", "Ⅳ"], weights=[3 if best <= 2 else 1, 4, 1])[0]
            series[year] = (f"{name}类", None, _WATER[name], "", "")
        return series
    start, end = row.start or 0.0, row.end if row.end is not None else (row.start or 0.0)
    pace = _weighted(rng, _PACES)
    span = MILESTONE - BASE_YEAR
    ceiling = 100.0 if unit == "%" else (1000.0 if unit == "‰" else None)
    for year in years:
        share = (year - BASE_YEAR) / span * pace + rng.uniform(-0.04, 0.04)
        if start == end:  # hold the line (0, 100, 不减少, 保持稳定): mostly held, sometimes slipping
            value = start if rng.random() < 0.8 else start * (1 + rng.uniform(-0.04, 0.01)) + (rng.uniform(0, 3) if start == 0 else 0)
        else:
            value = start + (end - start) * share
        if row.kind != "rate":
            value = max(value, 0.0)
        if ceiling is not None:
            value = min(value, ceiling)
        number = Decimal(_fmt(value, row.digits))
        series[year] = (f"{number}", number, None, "", "cumulative" if row.kind == "rate" else "")
    return series


def _state(rng, year, current, group_state):
    """The workflow state of one value; None means not reported."""
    if year < current - 1:
        return workflow.APPROVED if rng.random() < 0.96 else None
    if year == current - 1:
        return _weighted(rng, ((workflow.APPROVED, 85), (workflow.SUBMITTED, 7), (workflow.RETURNED, 4), (None, 4)))
    if group_state == workflow.RETURNED:
        return workflow.RETURNED if rng.random() < 0.8 else workflow.DRAFT
    if group_state == workflow.SUBMITTED:
        return workflow.SUBMITTED if rng.random() < 0.9 else None
    return group_state


_GROUP_STATES = ((None, 30), (workflow.DRAFT, 25), (workflow.RETURNED, 10), (workflow.SUBMITTED, 25), (workflow.APPROVED, 10))


def current_year(today=None):
    """The data year being reported now: last year, within the plans' 2021–2025 period."""
    today = today or timezone.localdate()
    return min(MILESTONE, max(BASE_YEAR + 1, today.year - 1))


def _aware(year, month, day):
    return datetime.datetime(year, month, day, 10, 0, tzinfo=datetime.UTC)


# ----- projects (read at runtime: the projects app may be absent or changing) -----------------

_PROJECTS = (
    ("国土绿化造林工程", "forestry", "人工造林", "万亩", (0.5, 3.0), "生态保护修复"),
    ("矿山生态修复工程", "nature", "修复矿山面积", "公顷", (50, 500), "生态保护修复"),
    ("河道综合治理工程", "water", "治理河道长度", "公里", (5, 40), "生态保护修复"),
    ("城镇污水处理厂提标改造工程", "ecology", "新增污水处理能力", "万吨/日", (0.5, 3.0), "污染防治"),
    ("农村环境综合整治工程", "agri", "整治行政村", "个", (10, 60), "污染防治"),
    ("清洁取暖改造工程", "energy", "改造户数", "万户", (0.5, 3.0), "污染防治"),
    ("工业固废综合利用项目", "industry", "新增处置能力", "万吨/年", (5, 50), "污染防治"),
)
_SERVES = {"forestry": "森林覆盖率", "nature": "生态保护红线占国土面积比例", "water": "水土保持率",
           "ecology": "化学需氧量排放总量减少", "agri": "受污染耕地安全利用率", "energy": "单位GDP能源消耗降低",
           "industry": "大宗工业固体废物综合利用率"}


def _project_models():
    try:
        return {name: apps.get_model("projects", name) for name in ("Box", "Project", "Quantity", "ProjectProgress",
                                                                    "QuantityProgress")}
    except LookupError:
        return None


def _fields(model):
    return {f.name for f in model._meta.concrete_fields} | {f.attname for f in model._meta.concrete_fields}


def _make(model, **values):
    """An instance with only the fields the model (as it is now) has."""
    known = _fields(model)
    return model(**{k: v for k, v in values.items() if k in known})


# ----- generation -----------------------------------------------------------------------------

@dataclass
class Generated:
    scale: str
    password: str | None
    counts: dict
    seconds: float
    removed: dict
    notes: list


def fast_insert(model, items, *, ids=False):
    """Insert model instances or dicts (attname → value; missing fields take their defaults).

    On PostgreSQL one COPY, with ids taken from the table's sequence first when `ids` (set on the
    instances / dicts); elsewhere `bulk_create`. Several times faster than bulk_create for the
    hundreds of thousands of values and results of a national dataset. No signals, like bulk_create."""
    if not items:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        objects = [model(**item) if isinstance(item, dict) else item for item in items]
        model.objects.bulk_create(objects, batch_size=BATCH)
        if ids:
            for item, obj in zip(items, objects):
                if isinstance(item, dict):
                    item[model._meta.pk.attname] = obj.pk
        return
    from psycopg.types.json import Jsonb

    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if ids or not f.primary_key]
    now = timezone.now()
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f.has_default():
            defaults[f.attname] = f.get_default()
        else:
            defaults[f.attname] = None if f.null or f.primary_key else ("" if f.empty_strings_allowed else None)
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if ids:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [model._meta.db_table, pk.column, len(items)])
            for item, (new_id,) in zip(items, cursor.fetchall()):
                if isinstance(item, dict):
                    item[pk.attname] = new_id
                else:
                    item.pk = new_id
                    item._state.adding = False
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        attnames = [f.attname for f in fields]
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for item in items:
                if isinstance(item, dict):
                    row = [item.get(name, defaults[name]) for name in attnames]
                else:
                    row = [getattr(item, name) for name in attnames]
                    for index, name in enumerate(attnames):
                        if name in defaults and defaults[name] is now and row[index] is None:
                            row[index] = now
                for index, name in enumerate(attnames):
                    if name in json_fields and row[index] is not None:
                        row[index] = Jsonb(row[index])
                copy.write_row(row)


class _Writer:
    def __init__(self, scale, password_hash, today, log):
        self.scale, self.hash, self.today, self.log = scale, password_hash, today, log
        self.counts = {}
        self.current = current_year(today)
        self.years = list(range(BASE_YEAR + 1, self.current + 1))
        self.matcher = catalog.MeasureMatcher(Measure.objects.all())
        self.measure_cache = {}
        self.projects = _project_models()
        self.notes = []

    def add(self, model, objects, *, ids=True):
        if objects:
            fast_insert(model, objects, ids=ids)
            label = model._meta.label
            self.counts[label] = self.counts.get(label, 0) + len(objects)
        return objects

    def measure_id(self, name):
        if name not in self.measure_cache:
            measure = self.matcher.match(name)
            self.measure_cache[name] = measure.pk if measure else None
        return self.measure_cache[name]

    # regions, bureaus and people
    def regions(self):
        specs = layout(self.scale)
        by_code = {}
        for level in (None, Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY):
            batch = [s for s in specs if (s.parent is None) == (level is None) and (level is None or s.level == level)]
            rows = [Region(code=s.code, name=s.name, level=s.level, synthetic=True,
                           parent_id=by_code[s.parent.code].pk if s.parent else None) for s in batch]
            for spec, region in zip(batch, self.add(Region, rows)):
                by_code[spec.code] = region
        self.specs, self.by_code = specs, by_code

    def people(self):
        """Bureaus of every region; a reviewer and a leader everywhere, staff for each responsible bureau."""
        self.roles = {}
        bureaus = []
        for spec in self.specs:
            level = "county" if spec.level == Region.Level.COUNTY else ("city" if spec.level == Region.Level.CITY else "province")
            if spec.level in (Region.Level.CITY, Region.Level.COUNTY):
                self.roles[spec.code] = responsible_roles(random.Random(f"roles:{spec.level}:{spec.ordinal}"))
            names = ["生态环境部（示例）"] if spec.parent is None else [bureau_name(level, r) for r in self.roles.get(spec.code, ["ecology"])]
            for index, name in enumerate(names):
                bureaus.append(Bureau(region_id=self.by_code[spec.code].pk, name=name, is_ecology_environment=index == 0))
        self.add(Bureau, bureaus)
        self.bureau = {(b.region_id, b.name): b for b in bureaus}

        User = get_user_model()
        users, profiles = [], []
        prefix = username_prefix(self.scale)

        def person(username, display, role, region=None, bureau=None):
            users.append(User(username=f"{prefix}{username}", first_name=display[:150], password=self.hash, is_active=True))
            profiles.append((role, region, bureau))

        person("admin", f"示例管理员（{self.scale.label}）", Role.ADMIN)
        for spec in self.specs:
            region = self.by_code[spec.code]
            level = "county" if spec.level == Region.Level.COUNTY else ("city" if spec.level == Region.Level.CITY else "province")
            ecology = self.bureau[(region.pk, "生态环境部（示例）" if spec.parent is None else bureau_name(level, "ecology"))]
            person(f"{spec.code}-reviewer", f"{spec.name}{ecology.name}审核员", Role.REVIEWER, region, ecology)
            person(f"{spec.code}-leader", f"{spec.name}领导", Role.LEADER, region)
            for role in self.roles.get(spec.code, ()):
                bureau = self.bureau[(region.pk, bureau_name(level, role))]
                person(f"{spec.code}-{role}", f"{spec.name}{bureau.name}填报员", Role.BUREAU_STAFF, region, bureau)
        self.add(User, users)
        self.add(Profile, [Profile(user_id=u.pk, role=role, region_id=region.pk if region else None,
                                   bureau_id=bureau.pk if bureau else None, synthetic=True)
                           for u, (role, region, bureau) in zip(users, profiles)])
        self.user = {u.username[len(prefix):]: u for u in users}

    # plans, chunk by chunk
    def plans(self):
        planned = [s for s in self.specs if s.level in (Region.Level.CITY, Region.Level.COUNTY)]
        planned.sort(key=lambda s: s.level != Region.Level.CITY)  # city plans first: county plans name them as parent
        self.plan_of = {}
        for start in range(0, len(planned), CHUNK_PLANS):
            chunk = planned[start:start + CHUNK_PLANS]
            self._chunk(chunk)
            self.log(f"  规划 {min(start + CHUNK_PLANS, len(planned))}/{len(planned)}")

    def _chunk(self, specs):
        now = timezone.now()
        plan_rows_by_code = {}
        plans = []
        for spec in specs:
            rng = random.Random(f"plan:{spec.level}:{spec.ordinal}")
            up = "省" if spec.level == Region.Level.CITY else "市"
            plan_rows_by_code[spec.code] = (rng, plan_rows(rng, up))
            rows = plan_rows_by_code[spec.code][1]
            parent = self.plan_of.get(spec.parent.code) if spec.level == Region.Level.COUNTY else None
            binding = sum(1 for r in rows if r.attribute == "binding")
            plans.append(Plan(
                code=plan_code(spec.code), region_id=self.by_code[spec.code].pk,
                title=f"{spec.name}“十四五”生态保护和生态文明建设规划（示例）",
                title_note="示例数据：由 generate_synthetic 生成，非真实规划。", issuer=f"{spec.name}人民政府",
                issue_date=f"{BASE_YEAR + 2}-0{rng.randint(1, 9)}", base_year=BASE_YEAR, milestone_years=[MILESTONE],
                midterm_year=BASE_YEAR + 3, vision_years=[2035], source_document="generate_synthetic",
                parent_id=parent.pk if parent else None, table_title="规划指标体系", notes=[],
                stated_indicator_count=len(rows), stated_binding_count=binding, stated_expected_count=len(rows) - binding,
                synthetic=True,
            ))
        self.add(Plan, plans)
        for spec, plan in zip(specs, plans):
            self.plan_of[spec.code] = plan

        # indicator rows: numbered rows first (sub-rows need their parent's id)
        top, subs, targets_, meta = [], [], [], []
        for spec, plan in zip(specs, plans):
            rng, rows = plan_rows_by_code[spec.code]
            order = 0
            for number, row in enumerate(rows, start=1):
                order += 1
                parent = self._indicator(plan, str(number), str(number), row, order)
                top.append(parent)
                meta.append((spec, plan, parent, row, None))
                for n, child_row in enumerate(row.children, start=1):
                    order += 1
                    child = self._indicator(plan, f"{number}.{n}", "", child_row, order, shares=True)
                    subs.append(child)
                    meta.append((spec, plan, child, child_row, parent))
        self.add(Indicator, top)
        for spec, plan, indicator, row, parent in meta:
            if parent is not None:
                indicator.parent_id = parent.pk
        self.add(Indicator, subs)

        through = Indicator.bureaus.through
        links, assignments_for = [], []
        for spec, plan, indicator, row, parent in meta:
            region = self.by_code[spec.code]
            level = "county" if spec.level == Region.Level.COUNTY else "city"
            indicator._roles = self._row_roles(spec, row, indicator)
            for role in indicator._roles:
                links.append(through(indicator_id=indicator.pk, bureau_id=self.bureau[(region.pk, bureau_name(level, role))].pk))
            target = IndicatorTarget(indicator_id=indicator.pk, year=MILESTONE, raw=row.target)
            target.apply_spec(indicator._specs[0])
            targets_.append(target)
            if row.assigned is not None and target.kind == "assigned":
                assignments_for.append((spec, target, row))
        self.add(through, links, ids=False)
        self.add(IndicatorTarget, targets_)
        self.add(AssignedTarget, [
            AssignedTarget(target_id=target.pk, value=Decimal(_fmt(row.assigned, max(row.digits, 1))), year=BASE_YEAR + 2,
                           document=f"{spec.parent.name}环发〔{BASE_YEAR + 2}〕{10 + n % 80}号",
                           document_date=datetime.date(BASE_YEAR + 2, 5, 10),
                           recorded_by_id=self.user[f"{spec.parent.code}-reviewer"].pk)
            for n, (spec, target, row) in enumerate(assignments_for)
        ])

        self._values(meta, now)
        self._periods(plans)
        if self.projects is not None:
            try:
                with transaction.atomic():
                    self._projects(specs, plans, meta)
            except Exception as exc:  # the projects app is being changed by others: keep the rest
                self.projects = None
                self.notes.append(f"未生成重点工程：{exc.__class__.__name__}: {exc}")
        results = evaluation_store.recompute(plans=plans)
        self.counts["indicators.EvaluationResult"] = self.counts.get("indicators.EvaluationResult", 0) + results

    def _indicator(self, plan, key, number, row, order, shares=False):
        indicator = Indicator(
            plan_id=plan.pk, key=key, number=number, shares_parent_target=shares, category=row.category, name=row.name,
            unit=row.unit, attribute=row.attribute, baseline_raw=row.baseline, baseline_year=BASE_YEAR, order=order,
            measure_id=None if shares else self.measure_id(row.name),
        )
        indicator._specs = [targets.parse_target(row.target)]
        indicator.refresh_derived(target_specs=indicator._specs)
        return indicator

    def _row_roles(self, spec, row, indicator):
        """The row's bureaus among the plan's responsible ones; else one of those, in turn."""
        available = self.roles[spec.code]
        chosen = [r for r in row.roles if r in available]
        return chosen or [available[int(indicator.order) % len(available)]]

    def _values(self, meta, now):
        values = []
        group_state = {}
        for spec, plan, indicator, row, parent in meta:
            rng = random.Random(f"values:{spec.level}:{spec.ordinal}:{indicator.key}")
            roles = indicator._roles
            staff = self.user[f"{spec.code}-{roles[0]}"]
            reviewer = self.user[f"{spec.code}-reviewer"]
            group = (spec.code, roles[0])
            if group not in group_state:
                group_state[group] = _weighted(random.Random(f"group:{spec.level}:{spec.ordinal}:{roles[0]}"), _GROUP_STATES)
            series = value_series(rng, row, row.unit, self.years)
            for year in self.years:
                state = _state(rng, year, self.current, group_state[group])
                if state is None:
                    continue
                raw, number, water_class, judgement, rate_mode = series[year]
                value = dict(
                    indicator_id=indicator.pk, year=year, raw=raw, number=number, water_class=water_class,
                    judgement=judgement, rate_mode=rate_mode, source=SOURCE, state=state, version=1, synthetic=True,
                    created_by_id=staff.pk, updated_by_id=staff.pk,
                )
                if state != workflow.DRAFT:
                    submitted = _aware(year + 1, rng.choice((1, 2, 3, 3, 4)), rng.randint(1, 28))
                    value.update(version=2, submitted_at=submitted, late=submitted.date() > datetime.date(year + 1, 3, 31))
                if state in (workflow.APPROVED, workflow.RETURNED):
                    value.update(version=3, reviewed_by_id=reviewer.pk,
                                 reviewed_at=value["submitted_at"] + datetime.timedelta(days=rng.randint(1, 20)))
                if state == workflow.RETURNED:
                    value["return_reason"] = "示例：数据来源不明确，请补充统计口径和佐证材料。"
                if state == workflow.APPROVED and (row.kind == "text" or row.target == "有效保障") and rng.random() < 0.7:
                    value["reviewer_judgement"] = rng.choice(["done", "done", "mostly_done", "not_done"])
                    value["reviewer_judgement_reason"] = "示例：已核对佐证材料。"
                values.append(value)
        self.add(IndicatorValue, values, ids=False)

    def _periods(self, plans):
        rows = []
        for plan in plans:
            for year in self.years:
                period = ReportingPeriod.default_for(plan, year)
                period.plan_id = plan.pk
                if year == self.current:  # the year being reported now is open, and stays open past its deadline
                    period.deadline = max(period.deadline, self.today + datetime.timedelta(days=30))
                    period.kept_open = True
                rows.append(period)
        self.add(ReportingPeriod, rows, ids=False)

    def _projects(self, specs, plans, meta):
        m = self.projects
        indicator_of = {(plan.pk, row.name): ind.pk for _s, plan, ind, row, _p in meta}
        counties_of = {}
        for spec in self.specs:
            if spec.level == Region.Level.COUNTY:
                counties_of.setdefault(spec.parent.code, []).append(spec)
        boxes, projects, plan_projects = [], [], []
        for spec, plan in zip(specs, plans):
            rng = random.Random(f"projects:{spec.level}:{spec.ordinal}")
            plan_boxes = {}
            for number, title in enumerate(("生态保护修复", "污染防治"), start=1):
                box = _make(m["Box"], plan_id=plan.pk, number=str(number), title=f"{title}重点工程",
                            text=f"专栏{number} {title}重点工程（示例数据）", order=number, scope_only=False)
                plan_boxes[title] = box
                boxes.append(box)
            region = self.by_code[spec.code]
            level = "county" if spec.level == Region.Level.COUNTY else "city"
            located = [spec] if spec.level == Region.Level.COUNTY else counties_of.get(spec.code, [])[:2]
            for order, (name, role, measure, unit, (low, high), box_title) in enumerate(
                    rng.sample(_PROJECTS, rng.randint(3, 6)), start=1):
                if role not in self.roles[spec.code]:
                    role = "ecology"
                start = rng.randint(BASE_YEAR + 1, BASE_YEAR + 3)
                end = min(start + rng.randint(1, 4), 2027)
                plan_projects.append((spec, plan, plan_boxes[box_title], order, name, role, measure, unit,
                                      round(rng.uniform(low, high), 2), start, end, located, rng))
        self.add(m["Box"], boxes)
        for spec, plan, box, order, name, role, measure, unit, amount, start, end, located, rng in plan_projects:
            bureau = self.bureau[(self.by_code[spec.code].pk, bureau_name("county" if spec.level == Region.Level.COUNTY else "city", role))]
            projects.append(_make(
                m["Project"], plan_id=plan.pk, box_id=box.pk, order=order, name=f"{spec.name}{name}", group="",
                content=f"{measure}{amount}{unit}（示例数据）", responsible=bureau.name, bureau_id=bureau.pk,
                investment_wan=Decimal(_fmt(rng.uniform(500, 20000), 2)), start_year=start, end_year=end,
                status="not_started", synthetic=True,
            ))
        self.add(m["Project"], projects)
        quantities, county_links, indicator_links, reports = [], [], [], []
        project_field = m["Project"]._meta
        counties_through = project_field.get_field("counties").remote_field.through if "counties" in _fields_m2m(m["Project"]) else None
        indicators_through = project_field.get_field("indicators").remote_field.through if "indicators" in _fields_m2m(m["Project"]) else None
        for project, (spec, plan, box, order, name, role, measure, unit, amount, start, end, located, rng) in zip(projects, plan_projects):
            quantity = _make(m["Quantity"], project_id=project.pk, order=1, measure=measure, amount=Decimal(_fmt(amount, 2)),
                             unit=unit, source_text=f"{measure}{amount}{unit}")
            quantities.append(quantity)
            if counties_through is not None:
                county_links.extend(counties_through(project_id=project.pk, region_id=self.by_code[c.code].pk) for c in located)
            serves = indicator_of.get((plan.pk, _SERVES.get(role, "")))
            if indicators_through is not None and serves:
                indicator_links.append(indicators_through(project_id=project.pk, indicator_id=serves))
            reports.append((project, quantity, amount, start, end, rng, spec))
        self.add(m["Quantity"], quantities)
        if counties_through is not None:
            self.add(counties_through, county_links, ids=False)
        if indicators_through is not None:
            self.add(indicators_through, indicator_links, ids=False)

        progress, quantity_rows, statuses = [], [], []
        for project, quantity, amount, start, end, rng, spec in reports:
            staff = self.user[f"{spec.code}-{self._project_role(spec, project)}"]
            reviewer = self.user[f"{spec.code}-reviewer"]
            latest_approved = "not_started"
            suspended = rng.random() < 0.06
            for year in self.years:
                if year < start - 1:
                    continue
                if year < start:
                    status, share = "preparing", 0.0
                elif year >= end:
                    status, share = "completed", 1.0
                else:
                    status, share = "in_progress", min(1.0, (year - start + 1) / (end - start + 1) * rng.uniform(0.8, 1.1))
                if suspended and year == self.current and status == "in_progress":
                    status = "suspended"
                state = workflow.APPROVED if year < self.current else _weighted(
                    rng, ((workflow.APPROVED, 2), (workflow.SUBMITTED, 4), (workflow.DRAFT, 2), (workflow.RETURNED, 1)))
                report = _make(
                    m["ProjectProgress"], project_id=project.pk, year=year, status=status,
                    investment_done=Decimal(_fmt(float(project.investment_wan) * share, 2)),
                    narrative=f"{year}年进展（示例数据）", state=state, version=1 if state == workflow.DRAFT else 2,
                    synthetic=True, created_by_id=staff.pk, updated_by_id=staff.pk,
                    submitted_at=None if state == workflow.DRAFT else _aware(year + 1, 2, rng.randint(1, 28)),
                    reviewed_by_id=reviewer.pk if state in (workflow.APPROVED, workflow.RETURNED) else None,
                    reviewed_at=_aware(year + 1, 3, rng.randint(1, 28)) if state in (workflow.APPROVED, workflow.RETURNED) else None,
                    return_reason="示例：请补充工程量完成情况。" if state == workflow.RETURNED else "",
                )
                progress.append(report)
                quantity_rows.append((report, quantity, Decimal(_fmt(amount * share, 2))))
                if state == workflow.APPROVED:
                    latest_approved = status
            statuses.append((project, latest_approved))
        self.add(m["ProjectProgress"], progress)
        self.add(m["QuantityProgress"], [_make(m["QuantityProgress"], progress_id=r.pk, quantity_id=q.pk, amount_done=a)
                                         for r, q, a in quantity_rows], ids=False)
        by_status = {}
        for project, status in statuses:
            by_status.setdefault(status, []).append(project.pk)
        for status, ids in by_status.items():
            for start in range(0, len(ids), BATCH):
                m["Project"].objects.filter(pk__in=ids[start:start + BATCH]).update(status=status)

    def _project_role(self, spec, project):
        for role in self.roles[spec.code]:
            level = "county" if spec.level == Region.Level.COUNTY else "city"
            if bureau_name(level, role) == project.responsible:
                return role
        return "ecology"


def _fields_m2m(model):
    return {f.name for f in model._meta.many_to_many}


_HASHES = {}


def password_hash(password):
    """One hash per password per process: hashing per user would dominate the run time."""
    if password not in _HASHES:
        _HASHES[password] = make_password(password)
    return _HASHES[password]


def generate(scale_name, *, password=None, today=None, log=None):
    """Make the synthetic data of one scale, replacing what an earlier run made for it.

    Returns a `Generated` with the counts of rows written; raises SyntheticDataError (nothing
    changed) when a real row is in the way."""
    scale = get_scale(scale_name)
    log = log or (lambda message: None)
    today = today or timezone.localdate()
    chosen = password or secrets.token_urlsafe(12)
    started = time.monotonic()
    with transaction.atomic():
        real = Region.objects.filter(code__startswith=scale.prefix, synthetic=False)
        if real.exists():
            raise SyntheticDataError(
                f"区划代码 {scale.prefix}xxxx 段中已有非示例区划（{real.first().code}），拒绝生成示例数据。")
        removed = remove(scale_name, log=log)
        writer = _Writer(scale, password_hash(chosen), today, log)
        log(f"生成 {scale.label}规模示例数据：区划、部门、用户……")
        writer.regions()
        writer.people()
        log("规划、指标、年度值、下达目标、评估结果、重点工程……")
        writer.plans()
        analyze(writer.counts)
    return Generated(scale=scale.name, password=None if password else chosen, counts=writer.counts,
                     seconds=time.monotonic() - started, removed=removed, notes=writer.notes)


# ----- removal --------------------------------------------------------------------------------

def analyze(counts):
    """Refresh PostgreSQL's planner statistics of the tables just written: until autovacuum gets
    round to it, the planner takes a table of 400,000 fresh rows for an empty one and picks
    plans that scan all of it (an entry form then takes seconds instead of milliseconds)."""
    connection = connections[router.db_for_write(Region)]
    if connection.vendor != "postgresql" or not counts:
        return
    tables = sorted({apps.get_model(label)._meta.db_table for label in counts})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def _reverse_relations(model):
    for rel in model._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one):
            yield rel


def _history_model(model):
    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, attribute).model if attribute else None


class _Purge:
    """Delete querysets and everything depending on them with plain DELETEs, children first.

    PROTECT relations are followed (their rows are synthetic too) only from synthetic regions and
    plans; from users they must already be empty. A real region, plan or profile on the way stops
    the removal: `SyntheticDataError`, and the surrounding transaction changes nothing."""

    def __init__(self):
        self.counts = {}

    def run(self, model, queryset, *, follow_protect=True):
        for rel in _reverse_relations(model):
            child, fk = rel.related_model, rel.field
            if child._meta.proxy or not child._meta.managed:
                continue
            on_delete = fk.remote_field.on_delete
            if on_delete is models.DO_NOTHING:
                continue  # simple_history's copies: cleaned below
            children = child._base_manager.filter(**{f"{fk.name}__in": queryset.values("pk")})
            if on_delete is models.SET_NULL:
                if child is model:
                    children = children.exclude(pk__in=queryset.values("pk"))
                children.update(**{fk.name: None})
                continue
            if on_delete not in (models.CASCADE, models.PROTECT, models.RESTRICT):
                raise SyntheticDataError(f"{child._meta.label}.{fk.name} 的删除规则不受支持，未删除任何数据。")
            self._refuse_real(child, children)
            if child is model:
                continue  # a self-reference: the subtree is part of `queryset`
            if on_delete is not models.CASCADE and not follow_protect:
                if children.exists():
                    raise SyntheticDataError(f"{child._meta.verbose_name} 仍引用示例用户，未删除任何数据。")
                continue
            self.run(child, children, follow_protect=follow_protect)
        for generic in model._meta.private_fields:
            if isinstance(generic, GenericRelation):
                related = generic.related_model
                content_type = ContentType.objects.get_for_model(model, for_concrete_model=generic.for_concrete_model)
                self.run(related, related._base_manager.filter(**{
                    generic.content_type_field_name: content_type,
                    f"{generic.object_id_field_name}__in": queryset.values("pk")}), follow_protect=follow_protect)
        history = _history_model(model)
        if history is not None:
            self._delete(history, history._base_manager.filter(**{f"{model._meta.pk.attname}__in": queryset.values("pk")}))
        self._delete(model, queryset)

    @staticmethod
    def _refuse_real(model, queryset):
        """A real region, plan or user profile under a synthetic row stops the removal. (Rows that only
        exist inside a synthetic plan — values a person entered into it, say — go with it.)"""
        if model in (Region, Plan, Profile) and queryset.filter(synthetic=False).exists():
            example = queryset.filter(synthetic=False).first()
            raise SyntheticDataError(f"真实数据「{example}」（{model._meta.verbose_name}）引用了示例数据，未删除任何数据。")

    def _delete(self, model, queryset):
        deleted = queryset._raw_delete(queryset.db)
        if deleted:
            label = model._meta.label
            self.counts[label] = self.counts.get(label, 0) + deleted


def synthetic_regions(scale_name=None):
    regions = Region.objects.filter(synthetic=True)
    if scale_name is not None:
        regions = regions.filter(code__startswith=get_scale(scale_name).prefix)
    return regions


def synthetic_users(scale_name=None):
    users = get_user_model().objects.filter(profile__synthetic=True)
    if scale_name is not None:
        users = users.filter(username__startswith=username_prefix(get_scale(scale_name)))
    return users


def remove(scale_name=None, *, log=None):
    """Delete the synthetic data of one scale (or all synthetic data). Returns rows deleted per model."""
    log = log or (lambda message: None)
    purge = _Purge()
    with transaction.atomic():
        user_ids = list(synthetic_users(scale_name).values_list("pk", flat=True))
        regions = synthetic_regions(scale_name)
        if regions.exists():
            log("删除示例区划及其规划、指标、年度值、评估结果、重点工程……")
            plans = Plan.objects.filter(region__in=regions.values("pk"))
            purge.run(Plan, plans)
            purge.run(Region, regions)
        if scale_name is None:
            purge.run(Plan, Plan.objects.filter(synthetic=True))
        User = get_user_model()
        for start in range(0, len(user_ids), 5000):
            purge.run(User, User.objects.filter(pk__in=user_ids[start:start + 5000]), follow_protect=False)
        analyze({label: n for label, n in purge.counts.items() if n > 1000})
        generations.bump()  # the summaries read what was deleted
    return purge.counts


# ----- who and what to look at (shared by the query-budget tests and the benchmarks) ----------

def subjects(scale_name):
    """Users and objects of one generated scale for exercising the main pages: the first county of
    the first city (the same shape at every scale, since shapes are seeded by position), its city,
    its province and the root (示例全国)."""
    scale = get_scale(scale_name)
    regions = {r.code: r for r in synthetic_regions(scale_name)}
    if not regions:
        raise SyntheticDataError(f"尚未生成{scale.label}规模示例数据。")
    specs = layout(scale)
    root, province = specs[0], specs[1]
    city = next(s for s in specs if s.level == Region.Level.CITY)
    county = next(s for s in specs if s.level == Region.Level.COUNTY)
    prefix = username_prefix(scale)
    wanted = {
        "staff": f"{county.code}-ecology", "reviewer_county": f"{county.code}-reviewer",
        "reviewer_city": f"{city.code}-reviewer", "reviewer_province": f"{province.code}-reviewer",
        "leader_county": f"{county.code}-leader", "leader_city": f"{city.code}-leader",
        "leader_province": f"{province.code}-leader", "leader_nation": f"{root.code}-leader", "admin": "admin",
    }
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[prefix + w for w in wanted.values()])}
    return {
        "scale": scale.name,
        "users": {role: users[prefix + name] for role, name in wanted.items()},
        "county_plan": plan_code(county.code), "city_plan": plan_code(city.code),
        "county": county.code, "city": city.code, "province": province.code, "nation": root.code,
        "indicator_key": "2", "year": current_year(),
    }
