"""Loading the key projects of the real plans from `projects/data/<plan code>.toml`.

Idempotent: a second run changes nothing (and so writes no history). Each file is loaded inside
one transaction, all of it or — on any problem — none of it, with every problem named by file,
box and project. The natural key of a project is (plan, box number, name); where a name is not
unique in its box, or a corrected transcription renamed it, its position in the box is.

Physical quantities are extracted from the content when a project is new or its content changed
(or on request, `reextract`); quantities an administrator edited (`manual`) are never touched.
"""
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import ProtectedError

from indicators.models import Bureau, BureauAlias, Plan, Region

from core import generations
from projects.models import Box, Project, Quantity
from projects.quantities import extract_quantities

DATA_DIR = Path(__file__).resolve().parent / "data"
_BOX_KEYS = {"number", "title", "scope_only", "text", "project"}
_PROJECT_KEYS = {"name", "group", "content", "counties", "responsible", "investment_wan", "start_year", "end_year",
                 "indicators"}
_COUNTY_SUFFIXES = ("县", "区", "市")
_RESPONSIBLE_SPLIT = re.compile(r"[、，,；;／/]|(?<=局)[和及与]")


class ProjectDataError(Exception):
    """Bad data in a project file; `errors` lists every problem in Chinese."""

    def __init__(self, errors, results=None):
        self.errors = list(errors)
        self.results = results or []
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class LoadResult:
    plan_code: str
    file: str
    boxes: int
    projects: int
    quantities: int
    written: int  # rows created, changed or removed by this run


def data_files(directory=DATA_DIR):
    return sorted(Path(directory).glob("*.toml"))


def load_projects(directory=DATA_DIR, *, files=None, reextract=False):
    """Load every project file. Files with problems are left unloaded and reported together."""
    results, errors = [], []
    for path in files or data_files(directory):
        try:
            results.append(load_project_file(path, reextract=reextract))
        except ProjectDataError as exc:
            errors.extend(exc.errors)
    if results:
        generations.bump()  # the project summaries read these rows
    if errors:
        raise ProjectDataError(errors, results)
    return results


def squeeze(text):
    """Text without any whitespace — how a transcription is compared with the printed source."""
    return re.sub(r"\s+", "", text or "")


def read_file(path):
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ProjectDataError([f"{path.name}：文件不存在。"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ProjectDataError([f"{path.name}：不是有效的 TOML 文件（{exc}）。"]) from None


@transaction.atomic
def load_project_file(path, *, reextract=False):
    path = Path(path)
    data = read_file(path)
    loader = _FileLoader(path.name, data, reextract=reextract)
    loader.run()
    if loader.errors:
        transaction.set_rollback(True)
        raise ProjectDataError(loader.errors)
    plan = loader.plan
    return LoadResult(
        plan_code=plan.code, file=path.name, boxes=plan.boxes.count(), projects=plan.projects.count(),
        quantities=Quantity.objects.filter(project__plan=plan).count(), written=loader.written,
    )


class _FileLoader:
    def __init__(self, filename, data, *, reextract):
        self.filename, self.data, self.reextract = filename, data, reextract
        self.errors, self.written, self.plan = [], 0, None

    # ----- messages -------------------------------------------------------------------------
    def error(self, message, box=None, project=None):
        where = [self.filename]
        if box is not None:
            where.append(f"专栏{box.get('number', '?')}「{box.get('title', '')}」")
        if project is not None:
            index, item = project
            where.append(f"第{index}项「{item.get('name', '')}」")
        self.errors.append("，".join(where) + "：" + message)

    # ----- checks ---------------------------------------------------------------------------
    def run(self):
        plan_info = self.data.get("plan")
        if not isinstance(plan_info, dict) or not isinstance(plan_info.get("code"), str):
            self.error("缺少 [plan] 段或其中的 code（规划编码）。")
            return
        self.plan = Plan.objects.filter(code=plan_info["code"]).select_related("region").first()
        if self.plan is None:
            self.error(f"规划 {plan_info['code']} 尚未载入，请先运行 load_seed_data 载入规划指标表。")
            return
        boxes = self.data.get("box", [])
        if not isinstance(boxes, list):
            self.error("box 必须是 [[box]] 表的数组。")
            return
        self.regions = self._region_lookup()
        self.indicators = {i.key: i for i in self.plan.indicators.all()}
        checked = [self._check_box(box) for box in boxes]
        numbers = Counter(str(box.get("number", "")) for box in boxes if isinstance(box, dict))
        for number, count in numbers.items():
            if count > 1:
                self.error(f"专栏编号 {number} 出现了 {count} 次。")
        if self.errors:
            return
        self._save(checked)

    def _region_lookup(self):
        """Printed name → region, for the plan's region and every region below it."""
        regions = list(Region.objects.subtree(self.plan.region_id))
        lookup = {}
        for region in regions:
            lookup.setdefault(region.name, set()).add(region)
            if len(region.name) > 2 and region.name.endswith(_COUNTY_SUFFIXES):
                lookup.setdefault(region.name[:-1], set()).add(region)
        return lookup

    def _check_box(self, box):
        if not isinstance(box, dict):
            self.error("每个 [[box]] 必须是一个表。")
            return None
        unknown = set(box) - _BOX_KEYS
        if unknown:
            self.error(f"未知字段：{'、'.join(sorted(unknown))}。", box)
        number = box.get("number")
        if not isinstance(number, (str, int)) or not str(number).strip():
            self.error("缺少专栏编号 number。", box)
        for key in ("title", "text"):
            if not isinstance(box.get(key), str) or not box.get(key).strip():
                self.error(f"缺少 {key}（{'专栏标题' if key == 'title' else '专栏原文'}）。", box)
        if not isinstance(box.get("scope_only", False), bool):
            self.error("scope_only 必须是 true 或 false。", box)
        projects = box.get("project", [])
        if not isinstance(projects, list):
            self.error("project 必须是 [[box.project]] 表的数组。", box)
            projects = []
        if box.get("scope_only") and projects:
            self.error("标为 scope_only 的专栏不能含有工程。", box)
        text = squeeze(box.get("text", "")) if isinstance(box.get("text"), str) else ""
        return box, [self._check_project(box, text, index, item) for index, item in enumerate(projects, 1)]

    def _check_project(self, box, box_text, index, item):
        where = (index, item if isinstance(item, dict) else {})
        if not isinstance(item, dict):
            self.error("每个 [[box.project]] 必须是一个表。", box, where)
            return None
        unknown = set(item) - _PROJECT_KEYS
        if unknown:
            self.error(f"未知字段：{'、'.join(sorted(unknown))}。", box, where)
        for key, label in (("name", "工程名称"), ("content", "建设内容")):
            if not isinstance(item.get(key), str) or not item[key].strip():
                self.error(f"缺少 {key}（{label}）。", box, where)
        for key in ("group", "responsible"):
            if not isinstance(item.get(key, ""), str):
                self.error(f"{key} 必须是文字。", box, where)
        content = item.get("content") if isinstance(item.get("content"), str) else ""
        if content and box_text and squeeze(content) not in box_text:
            self.error("建设内容 content 不是专栏原文 text 的一部分，请按原文逐字转录。", box, where)
        if isinstance(item.get("name"), str) and len(item["name"]) > 300:
            self.error("工程名称超过 300 字。", box, where)

        fields = {
            "name": (item.get("name") or "").strip(), "group": (item.get("group") or "").strip(),
            "content": content.strip(), "responsible": (item.get("responsible") or "").strip(),
        }
        fields["investment_wan"] = self._investment(item.get("investment_wan"), box, where)
        fields["start_year"] = self._year(item, "start_year", box, where)
        fields["end_year"] = self._year(item, "end_year", box, where)
        if fields["start_year"] and fields["end_year"] and fields["start_year"] > fields["end_year"]:
            self.error(f"开工年份 {fields['start_year']} 晚于完工年份 {fields['end_year']}。", box, where)
        counties = self._counties(item.get("counties", []), box, where)
        indicators = self._indicators(item.get("indicators", []), box, where)
        return fields, counties, indicators

    def _investment(self, value, box, where):
        if value is None or value == 0:
            return None  # 0 is the format's placeholder for "not printed"
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.error("计划投资 investment_wan 必须是数字（万元）。", box, where)
            return None
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            self.error(f"计划投资「{value}」不是数字（万元）。", box, where)
            return None
        if amount < 0:
            self.error("计划投资不能为负数。", box, where)
            return None
        return amount

    def _year(self, item, key, box, where):
        value = item.get(key)
        if value is None or value == 0:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1949 <= value <= 2100:
            label = "开工年份" if key == "start_year" else "完工年份"
            self.error(f"{label} {key}「{value}」不是有效的年份。", box, where)
            return None
        return value

    def _counties(self, names, box, where):
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.error("counties 必须是县（市、区）名称的列表。", box, where)
            return []
        found = []
        for name in names:
            matches = self.regions.get(name.strip(), set())
            if len(matches) == 1:
                found.append(next(iter(matches)))
            elif not matches:
                self.error(f"所在县「{name}」不是{self.plan.region.name}或其下级行政区划的名称。", box, where)
            else:
                self.error(f"所在县「{name}」可指多个行政区划（{'、'.join(sorted(r.name for r in matches))}），请写全称。", box, where)
        return found

    def _indicators(self, keys, box, where):
        if not isinstance(keys, list) or not all(isinstance(k, (str, int)) for k in keys):
            self.error("indicators 必须是指标序号（行键）的列表。", box, where)
            return []
        found = []
        for key in keys:
            indicator = self.indicators.get(str(key))
            if indicator is None:
                self.error(f"规划 {self.plan.code} 的指标表中没有序号（行键）为「{key}」的指标。", box, where)
            else:
                found.append(indicator)
        return found

    # ----- writing --------------------------------------------------------------------------
    def _save(self, checked):
        existing = {b.number: b for b in self.plan.boxes.all()}
        for order, (box_data, projects) in enumerate(checked, 1):
            number = str(box_data["number"]).strip()
            box = existing.pop(number, None) or Box(plan=self.plan, number=number)
            if _assign(box, title=box_data["title"].strip(), scope_only=bool(box_data.get("scope_only", False)),
                       text=box_data["text"].strip(), order=order) or box.pk is None:
                box.save()
                self.written += 1
            self._save_projects(box, box_data, projects)
        for box in existing.values():
            self._delete(box, {"number": box.number, "title": box.title}, "该专栏已不在数据文件中，但其工程已有进展填报，不能删除。")

    def _save_projects(self, box, box_data, projects):
        current = list(box.projects.all())
        names = Counter(fields["name"] for fields, _, _ in projects)
        by_name = {p.name: p for p in current if sum(1 for q in current if q.name == p.name) == 1}
        claimed = set()
        for order, (fields, counties, indicators) in enumerate(projects, 1):
            project = by_name.get(fields["name"]) if names[fields["name"]] == 1 else None
            if project is None or project.pk in claimed:
                project = next(
                    (p for p in current if p.order == order and p.pk not in claimed and names[p.name] == 0), None
                )
            if project is None:
                project = Project(plan=self.plan, box=box)
            claimed.add(project.pk)
            old_content = project.content if project.pk else None
            created = project.pk is None
            if _assign(project, order=order, **fields) or created:
                project.plan = self.plan
                project.save()
                self.written += 1
            self.written += _set_m2m(project.counties, counties)
            self.written += _set_m2m(project.indicators, indicators)
            if project.bureau_id is None and project.responsible:
                bureau = resolve_bureau(self.plan.region, project.responsible)
                if bureau is not None:
                    project.bureau = bureau
                    project.save(update_fields=["bureau"])
                    self.written += 1
            if created or old_content != project.content or self.reextract:
                self._sync_quantities(box_data, project)
        for project in current:
            if project.pk not in claimed:
                self._delete(project, box_data, "该工程已不在数据文件中，但已有进展填报，不能删除。", name=project.name)

    def _sync_quantities(self, box_data, project):
        """Pair the extracted quantities with the stored ones by position; a position an
        administrator edited (manual) keeps their version."""
        by_order = {}
        for quantity in project.quantities.all():
            by_order.setdefault(quantity.order, quantity)
        extracted = extract_quantities(project.content)
        for index, found in enumerate(extracted):
            fields = dict(order=index + 1, measure=found.measure, amount=found.amount, amount_max=found.amount_max,
                          unit=found.unit, qualifier=found.qualifier, source_text=found.text[:100])
            current = by_order.get(index + 1)
            if current is None:
                Quantity.objects.create(project=project, **fields)
                self.written += 1
            elif not current.manual and _assign(current, **fields):
                current.save()
                self.written += 1
        for order, stale in by_order.items():
            if order > len(extracted) and not stale.manual:
                self._delete(stale, box_data, f"工程量「{stale}」已有完成情况填报，不能删除。", name=project.name)

    def _delete(self, obj, box_data, message, name=None):
        try:
            with transaction.atomic():
                obj.delete()
            self.written += 1
        except ProtectedError:
            self.error(message, box_data, (getattr(obj, "order", "?"), {"name": name}) if name else None)


def _assign(obj, **fields):
    """Set fields that differ; say whether any did (so unchanged rows are not saved again)."""
    changed = False
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _set_m2m(manager, objects):
    wanted = {o.pk for o in objects}
    current = set(manager.values_list("pk", flat=True))
    if wanted == current:
        return 0
    manager.set(list(wanted))
    return 1


def resolve_bureau(region, responsible):
    """The bureau a printed responsible unit names — an administrator's alias first, then the
    exact name, also without the region's own prefix (市生态环境局 → 生态环境局). Never creates one."""
    names = [n.strip() for n in _RESPONSIBLE_SPLIT.split(responsible or "") if n.strip()]
    if not names:
        return None
    candidates = []
    for name in names:
        candidates.append(name)
        for prefix in (region.name, region.name[:-1] if len(region.name) > 2 else None, "市", "县", "区"):
            if prefix and name.startswith(prefix) and len(name) > len(prefix) + 1:
                candidates.append(name[len(prefix):])
    aliases = {a.alias: a.bureau for a in BureauAlias.objects.filter(region=region, alias__in=candidates).select_related("bureau")}
    bureaus = {b.name: b for b in Bureau.objects.filter(region=region, name__in=candidates)}
    for candidate in candidates:
        bureau = aliases.get(candidate) or bureaus.get(candidate)
        if bureau is not None:
            return bureau
    return None
