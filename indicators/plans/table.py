"""A plan's indicator table as plain data, and the checks it must pass before it is saved.

Both ways a table enters the system — the TOML data files transcribed from the published plans
and the .xlsx template an administrator uploads — produce a `PlanTable`; `validate()` reports every
problem with its row and field in Chinese. No Django imports.
"""
import re
from dataclasses import dataclass, field
from decimal import Decimal

from indicators.plans.targets import parse_target, parse_value

ATTRIBUTE_CODES = {"约束性": "binding", "预期性": "expected", "": ""}
ATTRIBUTE_LABELS = {code: label for label, code in ATTRIBUTE_CODES.items()}
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_PLAN_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{2,39}$")
_RESPONSIBLE_SEPARATORS = re.compile(r"[、，,；;/／]+")
MAX_CELL = 200
MAX_NUMBER = Decimal("1e12")  # what the value columns (20 digits, 6 after the point) hold, with room to spare
# The database columns' own limits (PostgreSQL refuses longer text; SQLite would keep it silently).
_ROW_LIMITS = {"行键": 20, "序号": 20, "上级行键": 20, "指标": 200, "计量单位": 30, "基期现状": 100, "责任部门": 200, "类别": 50}
_PLAN_LIMITS = {"规划名称": ("title", 300), "规划名称说明": ("title_note", 200), "印发单位": ("issuer", 100),
                "来源文件": ("source_document", 200), "指标表标题": ("table_title", 100)}
_BUREAU_NAME_LIMIT = 100
# Row keys appear in page addresses (/plans/<code>/indicators/<key>/): no slash, space or control character.
_UNSAFE_KEY = re.compile(r"[/\\\s\x00-\x1f\x7f?#%]")


@dataclass
class IndicatorRow:
    key: str
    name: str
    number: str = ""
    parent: str = ""
    shares_parent_target: bool = False
    category: str = ""
    unit: str = ""
    baseline: str = ""
    baseline_year: int | None = None
    targets: dict[int, str] = field(default_factory=dict)
    attribute: str = ""
    responsible: str = ""
    note: str = ""
    source_row: int | None = None  # row number in the uploaded sheet, for error messages

    @property
    def attribute_code(self):
        return ATTRIBUTE_CODES.get(self.attribute)

    @property
    def responsible_names(self):
        return split_responsible(self.responsible)


@dataclass
class PlanTable:
    code: str
    region_code: str
    title: str
    base_year: int
    milestone_years: list[int]
    region_name: str = ""
    title_note: str = ""  # set when the document prints no title and `title` was composed from its text
    issuer: str = ""
    issue_date: str = ""
    midterm_year: int | None = None
    vision_years: list[int] = field(default_factory=list)
    source_document: str = ""
    parent_plan: str = ""
    table_title: str = ""
    notes: list[str] = field(default_factory=list)
    stated_indicator_count: int | None = None
    stated_binding_count: int | None = None
    stated_expected_count: int | None = None
    rows: list[IndicatorRow] = field(default_factory=list)


@dataclass(frozen=True)
class TableError:
    row: int | None  # sheet row number (or position in the data file), None for plan-level fields
    field: str
    message: str

    def __str__(self):
        where = f"第 {self.row} 行" if self.row is not None else "规划信息"
        return f"{where}「{self.field}」：{self.message}"


def split_responsible(raw):
    """统计局、能源局 names two bureaus; each keeps the name exactly as the plan writes it."""
    return [part.strip() for part in _RESPONSIBLE_SEPARATORS.split(raw or "") if part.strip()]


def from_toml(data):
    """Build a PlanTable from a parsed data file (see indicators/data/FORMAT.md)."""
    plan = data["plan"]
    rows = []
    for position, item in enumerate(data.get("indicator", []), start=1):
        rows.append(
            IndicatorRow(
                key=str(item.get("key", "")).strip(),
                number=str(item.get("number", "")),
                parent=str(item.get("parent", "")),
                shares_parent_target=bool(item.get("shares_parent_target", False)),
                category=item.get("category", ""),
                name=item.get("name", ""),
                unit=item.get("unit", ""),
                baseline=item.get("baseline", ""),
                baseline_year=item.get("baseline_year"),
                targets={int(year): text for year, text in item.get("targets", {}).items()},
                attribute=item.get("attribute", ""),
                responsible=item.get("responsible", ""),
                note=item.get("note", ""),
                source_row=position,
            )
        )
    return PlanTable(
        code=plan["code"],
        region_code=str(plan["region_code"]),
        region_name=plan.get("region_name", ""),
        title=plan["title"],
        title_note=plan.get("title_note", ""),
        issuer=plan.get("issuer", ""),
        issue_date=plan.get("issue_date", ""),
        base_year=int(plan["base_year"]),
        milestone_years=[int(y) for y in plan["milestone_years"]],
        midterm_year=plan.get("midterm_year") or None,
        vision_years=[int(y) for y in plan.get("vision_years", [])],
        source_document=plan.get("source_document", ""),
        parent_plan=plan.get("parent_plan", ""),
        table_title=plan.get("table_title", ""),
        notes=list(plan.get("notes", [])),
        stated_indicator_count=plan.get("stated_indicator_count"),
        stated_binding_count=plan.get("stated_binding_count"),
        stated_expected_count=plan.get("stated_expected_count"),
        rows=rows,
    )


def validate(table):
    """Every problem in the table, plan fields first, then rows in order. Empty list = valid."""
    errors = []

    def plan_error(name, message):
        errors.append(TableError(None, name, message))

    if not _PLAN_CODE.match(table.code or ""):
        plan_error("规划编码", "必须是 3–40 位字母、数字、短横线，例如 140826-2021-2025。")
    if not (table.title or "").strip():
        plan_error("规划名称", "不能为空。")
    if not re.fullmatch(r"\d{6}", table.region_code or ""):
        plan_error("区划代码", "必须是 6 位数字行政区划代码。")
    if not 1949 <= (table.base_year or 0) <= 2100:
        plan_error("基期年", "必须是 1949–2100 之间的年份。")
    if not table.milestone_years:
        plan_error("目标年", "至少需要一个目标年。")
    elif any(year <= table.base_year or year > 2100 for year in table.milestone_years):
        plan_error("目标年", "目标年必须晚于基期年且不晚于 2100 年。")
    elif len(set(table.milestone_years)) != len(table.milestone_years):
        plan_error("目标年", "目标年不能重复。")
    if table.midterm_year and table.milestone_years and not (
        table.base_year < table.midterm_year <= max(table.milestone_years)
    ):
        plan_error("中期评估年", "必须在基期年与最后目标年之间。")
    for label, (attr, limit) in _PLAN_LIMITS.items():
        if len(getattr(table, attr) or "") > limit:
            plan_error(label, f"内容过长，不超过 {limit} 字。")
    if table.issue_date and not _PARTIAL_DATE.match(table.issue_date):
        plan_error("印发日期", "格式应为 YYYY、YYYY-MM 或 YYYY-MM-DD。")
    if not table.rows:
        plan_error("指标", "指标表没有任何指标行。")

    seen = {}
    for row in table.rows:
        errors.extend(_row_errors(table, row, seen))
        if row.key:
            seen.setdefault(row.key, row)
    keys = {row.key for row in table.rows}
    for row in table.rows:
        if row.parent and row.parent not in keys:
            errors.append(TableError(row.source_row, "上级行键", f"上级指标「{row.parent}」不在本表中。"))
        if row.parent and row.parent == row.key:
            errors.append(TableError(row.source_row, "上级行键", "指标不能以自己为上级。"))
    return errors


def _row_errors(table, row, seen):
    where = row.source_row
    found = []
    if not row.key:
        found.append(TableError(where, "行键", "不能为空（序号，或子行的“父序号.n”）。"))
    elif row.key in seen:
        found.append(TableError(where, "行键", f"「{row.key}」与前面的行重复。"))
    if not (row.name or "").strip():
        found.append(TableError(where, "指标", "指标名称不能为空。"))
    if row.attribute not in ATTRIBUTE_CODES:
        found.append(TableError(where, "指标属性", f"「{row.attribute}」无法识别，应为 约束性、预期性 或留空。"))
    for label, text in (("指标", row.name), ("计量单位", row.unit), ("基期现状", row.baseline),
                        ("责任部门", row.responsible), ("类别", row.category), ("行键", row.key), ("序号", row.number),
                        ("上级行键", row.parent)):
        limit = min(MAX_CELL, _ROW_LIMITS.get(label, MAX_CELL))
        if text and len(text) > limit:
            found.append(TableError(where, label, f"内容过长（{len(text)} 字），不超过 {limit} 字。"))
        if text and ("\x00" in text):
            found.append(TableError(where, label, "含有不可见的非法字符。"))
    for label, text in (("行键", row.key), ("上级行键", row.parent)):
        if text and _UNSAFE_KEY.search(text):
            found.append(TableError(where, label, f"「{text[:20]}」含有斜杠、空格或特殊字符，行键只能是序号或“父序号.n”。"))
    cells = [("基期现状", parse_value, row.baseline), *((f"{y}年目标", parse_target, t) for y, t in row.targets.items())]
    for label, spec in ((label, parse(text)) for label, parse, text in cells if text and len(text) <= 100):
        numbers = [getattr(spec, name, None) for name in ("number", "value", "low", "high")]
        if any(n is not None and abs(n) >= MAX_NUMBER for n in numbers):
            found.append(TableError(where, label, f"数值超出合理范围（绝对值应小于 {MAX_NUMBER:,.0f}）。"))
    if any(len(name) > _BUREAU_NAME_LIMIT for name in row.responsible_names):
        found.append(TableError(where, "责任部门", f"部门名称过长，每个不超过 {_BUREAU_NAME_LIMIT} 字。"))
    for year, text in row.targets.items():
        if year not in table.milestone_years:
            found.append(TableError(where, f"{year}年目标", "该年份不是本规划的目标年。"))
        if text and len(text) > 100:
            found.append(TableError(where, f"{year}年目标", "内容过长，不超过 100 字。"))
    if row.baseline_year is not None and not 1949 <= row.baseline_year <= 2100:
        found.append(TableError(where, "基期值年份", "必须是 1949–2100 之间的年份。"))
    return found
