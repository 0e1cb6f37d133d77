"""The import preview: what an uploaded plan table would become, shown before anything is saved.

Read-only. `build_preview` describes every row — the cells as printed, the parsed baseline and
targets in plain words, each responsible bureau matched (existing bureau, administrator's alias,
or new), warnings and errors — and, for a plan already in the database, what would change.
`table_to_data` / `table_from_data` keep the parsed table in the session between the upload and
the confirmation; `apply_edits` applies the administrator's corrections from the preview form.
"""
import re
from dataclasses import asdict, dataclass, field

from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_noop, pgettext

from core.labels import phrase
from indicators.models import Bureau, BureauAlias, Plan
from indicators.plans import succession
from indicators.plans.table import IndicatorRow, PlanTable, split_responsible
from indicators.plans.targets import WATER_CLASS_NAMES, parse_target, parse_value

ROW_FIELDS = ("number", "name", "unit", "baseline", "attribute", "responsible")
PLAN_FIELDS = ("code", "region_code", "title", "base_year", "milestone_years", "midterm_year", "table_title",
               "issuer", "issue_date", "parent_plan")
COMPARED = ("number", "parent", "category", "name", "unit", "baseline", "targets", "attribute", "responsible")
_FIELD_LABELS = {"number": gettext_noop("序号"), "parent": gettext_noop("上级指标"), "category": gettext_noop("类别"),
                 "name": gettext_noop("指标"), "unit": gettext_noop("计量单位"), "baseline": gettext_noop("基期现状"),
                 "targets": gettext_noop("目标"), "attribute": gettext_noop("指标属性"),
                 "responsible": gettext_noop("责任部门")}
_PLAN_LABELS = (("title", gettext_noop("规划名称")), ("base_year", gettext_noop("基期年")),
                ("milestone_years", gettext_noop("目标年")), ("table_title", gettext_noop("指标表标题")),
                ("notes", gettext_noop("注")))


def _water_class(name):
    """A water class (indicators.plans.targets.WATER_CLASS_NAMES) in the active language."""
    return {"Ⅰ类": pgettext("water class", "Ⅰ类"), "Ⅱ类": pgettext("water class", "Ⅱ类"),
            "Ⅲ类": pgettext("water class", "Ⅲ类"), "Ⅳ类": pgettext("water class", "Ⅳ类"),
            "Ⅴ类": pgettext("water class", "Ⅴ类"), "劣Ⅴ类": pgettext("water class", "劣Ⅴ类")}.get(name, name)


def problem_text(problem):
    """A table's problem (TableError) in the active language: "第 3 行「指标」：…" / "Row 3, Indicator: …"."""
    return problem.text(gettext, listing=_listing)


def _listing(names):
    """Printed names (column headers as the document prints them) listed in the active language."""
    quoted = [pgettext("printed name", "%(name)s") % {"name": name} for name in names]
    return pgettext("punctuation", "、").join(quoted)


# --- keeping the table between requests -----------------------------------------------------------

def table_to_data(table):
    data = asdict(table)
    for row in data["rows"]:
        row["targets"] = {str(year): text for year, text in row["targets"].items()}
    return data


def table_from_data(data):
    rows = [IndicatorRow(**{**row, "targets": {int(y): t for y, t in row["targets"].items()}}) for row in data["rows"]]
    return PlanTable(**{**data, "rows": rows})


def _int_or_none(text):
    text = (text or "").strip()
    return int(text) if re.fullmatch(r"\d{1,4}", text) else None


def apply_edits(table, post):
    """The administrator's corrections from the preview form, applied to the stored table. Every
    value is a string of limited length; the table's own checks run afterwards as for any import."""
    def get(name, limit=300):
        return (post.get(name) or "").strip()[:limit]

    for name in ("code", "region_code", "title", "table_title", "issuer", "issue_date", "parent_plan"):
        if name in post:
            setattr(table, name, get(f"{name}"))
    if "base_year" in post:
        table.base_year = _int_or_none(get("base_year")) or 0
    if "midterm_year" in post:
        table.midterm_year = _int_or_none(get("midterm_year"))
    if "milestone_years" in post:
        years = [int(y) for y in re.findall(r"\d{4}", get("milestone_years"))]
        if years and years != sorted(table.milestone_years):
            old = sorted(table.milestone_years)
            for row in table.rows:
                texts = [row.targets.get(y, "") for y in old]
                row.targets = dict(zip(years, texts + [""] * (len(years) - len(texts))))
            table.milestone_years = years
    for index, row in enumerate(table.rows):
        for name in ROW_FIELDS:
            key = f"row-{index}-{name}"
            if key in post:
                setattr(row, name, get(key, 200))
        for year in table.milestone_years:
            key = f"row-{index}-target-{year}"
            if key in post:
                row.targets[year] = get(key, 100)
    return table


def predecessor_choices(table, post):
    """{row key: Indicator id or None} from the preview form's 上一规划对应指标 selects
    (`row-<index>-predecessor`: an indicator id, or "none" for 无对应指标). Rows without the
    field, or with a value that is neither, are left out."""
    chosen = {}
    for index, row in enumerate(table.rows):
        value = (post.get(f"row-{index}-predecessor") or "").strip()
        if value == succession.NONE:
            chosen[row.key] = None
        elif re.fullmatch(r"\d{1,12}", value):
            chosen[row.key] = int(value)
    return chosen


# --- describing ----------------------------------------------------------------------------------

def _words(message, **params):
    """A translated `message` filled, as HTML: the values escaped unless already marked safe."""
    return mark_safe(conditional_escape(message) % {name: conditional_escape(v) for name, v in params.items()})


def describe_value(raw):
    """A baseline cell in plain words (HTML): 38.48, Ⅲ类, 文字「断流」, 无数据; marks and [累计]
    said. The unit is the cell's as printed, marked as Chinese text."""
    value = parse_value(raw)
    if value.kind == "number":
        words = conditional_escape(format(value.number, "f"))
        if value.unit:
            words = mark_safe(f'{words} <span lang="zh-hans">{conditional_escape(value.unit)}</span>')
        if value.cumulative:
            words = _words(gettext("五年累计 %(value)s"), value=words)
    elif value.kind == "water_class":
        words = conditional_escape(_water_class(WATER_CLASS_NAMES.get(value.water_class, "")))
    elif value.kind == "text":
        words = _words(gettext("文字「%(text)s」（不是数值）"), text=raw)
    else:
        words = conditional_escape(gettext("无数据"))
    if value.marks:
        words += _words(gettext("（带注记 %(marks)s）"), marks="".join(value.marks))
    return words


@dataclass
class BureauMatch:
    name: str
    status: str      # "existing" / "alias" / "new"
    bureau: str = ""  # the bureau an alias points to

    @property
    def label(self):
        if self.status == "alias":
            return gettext("别名 → %(bureau)s") % {"bureau": self.bureau}
        return gettext("已有部门") if self.status == "existing" else gettext("新建部门")


@dataclass
class PreviewRow:
    index: int
    row: IndicatorRow
    baseline_words: str
    targets: list[tuple[int, str, str, str]]   # (year, raw, kind, words)
    bureaus: list[BureauMatch]
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    change: str = "new"        # "new" / "changed" / "same" (against the stored plan of the same code)
    changed_fields: list[str] = field(default_factory=list)
    succession: object = None  # succession.Succession: the previous plan's indicator, if matched


@dataclass
class Preview:
    table: PlanTable
    rows: list[PreviewRow]
    plan_errors: list[str]
    plan_warnings: list[str]
    existing: Plan | None
    removed: list[IndicatorRow]
    plan_changes: list[str]
    boxes: list
    previous_plan: Plan | None = None
    previous_indicators: list = field(default_factory=list)   # what a row's predecessor can be chosen from

    @property
    def baseline_differences(self):
        """Rows whose printed baseline differs from the previous plan's approved value."""
        return [r for r in self.rows if r.succession is not None and r.succession.differs]

    @property
    def has_errors(self):
        return bool(self.plan_errors) or any(r.errors for r in self.rows)


def match_bureaus(region_code, rows):
    names = {name for row in rows for name in split_responsible(row.responsible)}
    aliases = {a.alias: a.bureau.name for a in BureauAlias.objects.filter(region__code=region_code, alias__in=names).select_related("bureau")}
    existing = set(Bureau.objects.filter(region__code=region_code, name__in=names).values_list("name", flat=True))

    def match(name):
        if name in aliases:
            return BureauMatch(name, "alias", aliases[name])
        return BureauMatch(name, "existing" if name in existing else "new")
    return match


def _row_values(row):
    return {name: getattr(row, name) for name in COMPARED}


def build_preview(table, errors, warnings, boxes=(), chosen=None):
    """`chosen`: the predecessors picked so far in this preview ({row key: Indicator id or None})."""
    from indicators.plans.services import plan_table_from_db

    existing = Plan.objects.filter(code=table.code).select_related("region", "parent").first() if table.code else None
    stored = plan_table_from_db(existing) if existing else None
    stored_rows = {row.key: row for row in stored.rows} if stored else {}
    match = match_bureaus(table.region_code, table.rows)
    previous = succession.previous_plan(table)
    successions = succession.match_previous(table, previous, chosen) if previous else {}
    by_row = {}
    for problem, kind in [*((e, "errors") for e in errors), *((w, "warnings") for w in warnings)]:
        by_row.setdefault((problem.row, kind), []).append(problem_text(problem))
    rows = []
    for index, row in enumerate(table.rows):
        targets = []
        for year in sorted(table.milestone_years):
            raw = row.targets.get(year, "")
            spec = parse_target(raw)
            words = gettext("与上级指标共用目标") if row.shares_parent_target and not raw else phrase(spec.describe())
            targets.append((year, raw, spec.kind, words))
        preview = PreviewRow(
            index=index, row=row, baseline_words=describe_value(row.baseline), targets=targets,
            bureaus=[match(name) for name in row.responsible_names],
            warnings=by_row.get((row.source_row, "warnings"), []) if row.source_row is not None else [],
            errors=by_row.get((row.source_row, "errors"), []) if row.source_row is not None else [],
            succession=successions.get(row.key),
        )
        if stored is not None:
            before = stored_rows.get(row.key)
            if before is None:
                preview.change = "new"
            else:
                preview.changed_fields = [gettext(_FIELD_LABELS[name]) for name, value in _row_values(row).items()
                                          if _row_values(before)[name] != value]
                preview.change = "changed" if preview.changed_fields else "same"
        rows.append(preview)
    removed = [row for key, row in stored_rows.items() if key not in {r.key for r in table.rows}]
    plan_changes = []
    if stored is not None:
        for name, label in _PLAN_LABELS:
            if getattr(stored, name) != getattr(table, name):
                plan_changes.append(gettext(label))
    return Preview(
        table=table, rows=rows,
        plan_errors=[problem_text(e) for e in errors if e.row is None or not any(r.row.source_row == e.row for r in rows)],
        plan_warnings=[problem_text(w) for w in warnings if w.row is None],
        existing=existing, removed=removed, plan_changes=plan_changes, boxes=list(boxes), previous_plan=previous,
        previous_indicators=list(previous.indicators.order_by("order")) if previous else [],
    )
