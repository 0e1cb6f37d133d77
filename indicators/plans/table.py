"""A plan's indicator table as plain data, and the checks it must pass before it is saved.

Both ways a table enters the system — the TOML data files transcribed from the published plans
and the .xlsx template an administrator uploads — produce a `PlanTable`; `validate()` reports every
problem with its row and field, in Chinese, keeping the msgids for the pages to show it in the
reader's language (`TableError.text`). No Django imports.
"""
import re
from dataclasses import dataclass, field
from decimal import Decimal

from indicators.plans.targets import parse_target, parse_value


def gettext_noop(message):
    """Marks a msgid for makemessages. The pure layers keep their messages as Chinese msgids with
    named placeholders; the pages translate them when shown (`TableError.text`)."""
    return message


ATTRIBUTE_CODES = {"约束性": "binding", "预期性": "expected", "": ""}
ATTRIBUTE_LABELS = {code: label for label, code in ATTRIBUTE_CODES.items()}
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_PLAN_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{2,39}$")
_RESPONSIBLE_SEPARATORS = re.compile(r"[、，,；;/／]+")
MAX_CELL = 200
MAX_NUMBER = Decimal("1e12")  # what the value columns (20 digits, 6 after the point) hold, with room to spare
# The database columns' own limits (PostgreSQL refuses longer text; SQLite would keep it silently).
_ROW_LIMITS = {"行键": 20, "序号": 20, "上级行键": 20, "指标": 200, "计量单位": 30, "基期现状": 100, "责任部门": 200, "类别": 50}
_PLAN_LIMITS = {gettext_noop("规划名称"): ("title", 300), gettext_noop("规划名称说明"): ("title_note", 200),
                gettext_noop("印发单位"): ("issuer", 100), gettext_noop("来源文件"): ("source_document", 200),
                gettext_noop("指标表标题"): ("table_title", 100)}
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


def _identity(message):
    return message


def _fill(msgid, params):
    return msgid % params if params else msgid


def _chinese_listing(names):
    return "、".join(str(n) for n in names)


@dataclass(frozen=True)
class TableError:
    """One problem of a table. `field` and `message` are the Chinese text (the command's JSON and
    output); when made with `of`, the msgids and placeholders they were filled from are kept too
    (not compared), so that a page shows the problem in its reader's language."""
    row: int | None  # sheet row number (or position in the data file), None for plan-level fields
    field: str
    message: str
    field_msgid: str = field(default="", compare=False)
    message_msgid: str = field(default="", compare=False)
    params: dict = field(default_factory=dict, compare=False)  # str, int, or a list of names (joined)

    @classmethod
    def of(cls, row, field_msgid, message_msgid, /, **params):
        """A problem from msgids (mark them with `gettext_noop`) and their named placeholders."""
        chinese = cls._params(params, _chinese_listing)
        return cls(row, _fill(field_msgid, chinese), _fill(message_msgid, chinese), field_msgid, message_msgid, params)

    @staticmethod
    def _params(params, listing):
        return {name: listing(value) if isinstance(value, (list, tuple)) else value for name, value in params.items()}

    def text(self, gettext=_identity, listing=_chinese_listing):
        """"第 3 行「指标」：…" with `gettext` translating the msgids (and the message of a problem
        made without them, when the catalog has it); `listing` joins a list of names."""
        params = self._params(self.params, listing)
        field_text = _fill(gettext(self.field_msgid), params) if self.field_msgid else (gettext(self.field) if self.field else "")
        message = _fill(gettext(self.message_msgid), params) if self.message_msgid else (gettext(self.message) if self.message else "")
        if self.row is None:
            return gettext("规划信息「%(field)s」：%(message)s") % {"field": field_text, "message": message}
        return gettext("第 %(row)s 行「%(field)s」：%(message)s") % {"row": self.row, "field": field_text, "message": message}

    def __str__(self):
        return self.text()

    def to_data(self):
        """The problem as JSON-able data (kept in the session between the upload and the confirmation)."""
        return [self.row, self.field, self.message, self.field_msgid, self.message_msgid, self.params]

    @classmethod
    def from_data(cls, data):
        return cls(*data)


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
    _ = gettext_noop

    def plan_error(name, message, **params):
        errors.append(TableError.of(None, name, message, **params))

    if not _PLAN_CODE.match(table.code or ""):
        plan_error(_("规划编码"), _("必须是 3–40 位字母、数字、短横线，例如 140826-2021-2025。"))
    if not (table.title or "").strip():
        plan_error(_("规划名称"), _("不能为空。"))
    if not re.fullmatch(r"\d{6}", table.region_code or ""):
        plan_error(_("区划代码"), _("必须是 6 位数字行政区划代码。"))
    if not 1949 <= (table.base_year or 0) <= 2100:
        plan_error(_("基期年"), _("必须是 1949–2100 之间的年份。"))
    if not table.milestone_years:
        plan_error(_("目标年"), _("至少需要一个目标年。"))
    elif any(year <= table.base_year or year > 2100 for year in table.milestone_years):
        plan_error(_("目标年"), _("目标年必须晚于基期年且不晚于 2100 年。"))
    elif len(set(table.milestone_years)) != len(table.milestone_years):
        plan_error(_("目标年"), _("目标年不能重复。"))
    if table.midterm_year and table.milestone_years and not (
        table.base_year < table.midterm_year <= max(table.milestone_years)
    ):
        plan_error(_("中期评估年"), _("必须在基期年与最后目标年之间。"))
    for label, (attr, limit) in _PLAN_LIMITS.items():
        if len(getattr(table, attr) or "") > limit:
            plan_error(label, _("内容过长，不超过 %(limit)s 字。"), limit=limit)
    if table.issue_date and not _PARTIAL_DATE.match(table.issue_date):
        plan_error(_("印发日期"), _("格式应为 YYYY、YYYY-MM 或 YYYY-MM-DD。"))
    if not table.rows:
        plan_error(_("指标"), _("指标表没有任何指标行。"))

    seen = {}
    for row in table.rows:
        errors.extend(_row_errors(table, row, seen))
        if row.key:
            seen.setdefault(row.key, row)
    keys = {row.key for row in table.rows}
    for row in table.rows:
        if row.parent and row.parent not in keys:
            errors.append(TableError.of(row.source_row, _("上级行键"), _("上级指标「%(parent)s」不在本表中。"), parent=row.parent))
        if row.parent and row.parent == row.key:
            errors.append(TableError.of(row.source_row, _("上级行键"), _("指标不能以自己为上级。")))
    return errors


def _row_errors(table, row, seen):
    where = row.source_row
    _ = gettext_noop
    found = []

    def error(name, message, **params):
        found.append(TableError.of(where, name, message, **params))

    if not row.key:
        error(_("行键"), _("不能为空（序号，或子行的“父序号.n”）。"))
    elif row.key in seen:
        error(_("行键"), _("「%(key)s」与前面的行重复。"), key=row.key)
    if not (row.name or "").strip():
        error(_("指标"), _("指标名称不能为空。"))
    if row.attribute not in ATTRIBUTE_CODES:
        error(_("指标属性"), _("「%(attribute)s」无法识别，应为 约束性、预期性 或留空。"), attribute=row.attribute)
    for label, text in ((_("指标"), row.name), (_("计量单位"), row.unit), (_("基期现状"), row.baseline),
                        (_("责任部门"), row.responsible), (_("类别"), row.category), (_("行键"), row.key),
                        (_("序号"), row.number), (_("上级行键"), row.parent)):
        limit = min(MAX_CELL, _ROW_LIMITS.get(label, MAX_CELL))
        if text and len(text) > limit:
            error(label, _("内容过长（%(length)s 字），不超过 %(limit)s 字。"), length=len(text), limit=limit)
        if text and ("\x00" in text):
            error(label, _("含有不可见的非法字符。"))
    for label, text in ((_("行键"), row.key), (_("上级行键"), row.parent)):
        if text and _UNSAFE_KEY.search(text):
            error(label, _("「%(key)s」含有斜杠、空格或特殊字符，行键只能是序号或“父序号.n”。"), key=text[:20])
    cells = [(_("基期现状"), None, parse_value, row.baseline),
             *((_("%(year)s年目标"), y, parse_target, t) for y, t in row.targets.items())]
    for label, year, spec in ((label, year, parse(text)) for label, year, parse, text in cells if text and len(text) <= 100):
        numbers = [getattr(spec, name, None) for name in ("number", "value", "low", "high")]
        if any(n is not None and abs(n) >= MAX_NUMBER for n in numbers):
            params = {"limit": f"{MAX_NUMBER:,.0f}", **({"year": year} if year is not None else {})}
            error(label, _("数值超出合理范围（绝对值应小于 %(limit)s）。"), **params)
    if any(len(name) > _BUREAU_NAME_LIMIT for name in row.responsible_names):
        error(_("责任部门"), _("部门名称过长，每个不超过 %(limit)s 字。"), limit=_BUREAU_NAME_LIMIT)
    for year, text in row.targets.items():
        if year not in table.milestone_years:
            error(_("%(year)s年目标"), _("该年份不是本规划的目标年。"), year=year)
        if text and len(text) > 100:
            error(_("%(year)s年目标"), _("内容过长，不超过 100 字。"), year=year)
    if row.baseline_year is not None and not 1949 <= row.baseline_year <= 2100:
        error(_("基期值年份"), _("必须是 1949–2100 之间的年份。"))
    return found
