"""Write a validated PlanTable into the database: all of it or, on any error, none of it."""
from django.db import transaction
from django.utils.translation import gettext as _, pgettext

from indicators.plans import catalog
from indicators.models import Bureau, BureauAlias, Indicator, IndicatorTarget, Measure, Plan, Region, targets_prefetch
from indicators.plans.table import TableError, gettext_noop, validate


class PlanTableInvalid(Exception):
    def __init__(self, errors):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def resolve_bureaus(region, names):
    """Map the plan's printed names to bureaus: an administrator's alias first, then the exact
    name, else a new bureau under exactly that name — never a guess that merges two offices."""
    aliases = {a.alias: a.bureau for a in BureauAlias.objects.filter(region=region, alias__in=names).select_related("bureau")}
    bureaus = []
    for name in names:
        bureau = aliases.get(name)
        if bureau is None:
            bureau, _created = Bureau.objects.get_or_create(region=region, name=name)
        bureaus.append(bureau)
    return bureaus


def check_plan_table(table, predecessors=None):
    """Every problem `save_plan_table` would refuse the table for, without writing anything: the
    table's own checks, then what the database must already hold (region, parent plan, and each
    confirmed predecessor in the region's previous plan)."""
    errors = validate(table)
    if not Region.objects.filter(code=table.region_code).exists():
        errors.append(TableError.of(None, gettext_noop("区划代码"), gettext_noop("行政区划 %(region)s 不存在，请先在管理后台添加。"),
                                    region=table.region_code))
    if table.parent_plan and not Plan.objects.filter(code=table.parent_plan).exists():
        errors.append(TableError.of(None, gettext_noop("上级规划"), gettext_noop("上级规划 %(plan)s 尚未导入。"),
                                    plan=table.parent_plan))
    errors += _check_predecessors(table, predecessors or {})
    return errors


def _check_predecessors(table, predecessors):
    from indicators.plans.succession import previous_plan

    wanted = {key: pk for key, pk in predecessors.items() if pk is not None}
    if not wanted:
        return []
    previous = previous_plan(table)
    known = set(previous.indicators.filter(pk__in=wanted.values()).values_list("pk", flat=True)) if previous else set()
    errors = []
    for row in table.rows:
        if row.key in wanted and wanted[row.key] not in known:
            if previous:
                message = gettext_noop("指标「%(name)s」选择的对应指标不属于上一规划 %(plan)s，请重新选择。")
            else:
                message = gettext_noop("指标「%(name)s」选择的对应指标不属于上一规划（本区划没有更早的规划），请重新选择。")
            errors.append(TableError.of(row.source_row, gettext_noop("上一规划对应指标"), message, name=row.name,
                                        **({"plan": previous.code} if previous else {})))
    return errors


@transaction.atomic
def save_plan_table(table, *, synthetic=False, predecessors=None):
    """Create or update the plan and its rows; rows no longer in the table are removed.

    `predecessors` ({row key: Indicator id of the region's previous plan, or None for
    无对应指标}) stores the confirmed match of those rows (`Indicator.predecessor`); rows not in
    it keep what they have. Raises PlanTableInvalid listing every problem; nothing is written in
    that case."""
    predecessors = predecessors or {}
    errors = check_plan_table(table, predecessors)
    if errors:
        raise PlanTableInvalid(errors)
    region = Region.objects.get(code=table.region_code)
    parent_plan = Plan.objects.get(code=table.parent_plan) if table.parent_plan else None

    plan = Plan.objects.filter(code=table.code).first() or Plan(code=table.code)
    _save_if_changed(plan, dict(
        region=region,
        title=table.title,
        title_note=table.title_note,
        issuer=table.issuer,
        issue_date=table.issue_date,
        base_year=table.base_year,
        milestone_years=sorted(table.milestone_years),
        midterm_year=table.midterm_year,
        vision_years=table.vision_years,
        source_document=table.source_document,
        parent=parent_plan,
        table_title=table.table_title,
        notes=table.notes,
        stated_indicator_count=table.stated_indicator_count,
        stated_binding_count=table.stated_binding_count,
        stated_expected_count=table.stated_expected_count,
        synthetic=synthetic,
    ))
    existing = {i.key: i for i in plan.indicators.all()}
    removed = [ind for key, ind in existing.items() if key not in {r.key for r in table.rows}]
    if removed:
        _delete_rows(removed)

    matcher = catalog.MeasureMatcher(Measure.objects.all())
    saved = {}
    for order, row in enumerate(table.rows, start=1):
        indicator = existing.get(row.key) or Indicator(plan=plan, key=row.key)
        before = _snapshot(indicator) if indicator.pk else None
        indicator.number = row.number
        # Sub-rows follow their parent in printed order; any other order is fixed in the second pass.
        indicator.parent = saved.get(row.parent) if row.parent else None
        indicator.shares_parent_target = row.shares_parent_target
        indicator.category = row.category
        indicator.name = row.name
        indicator.unit = row.unit
        indicator.attribute = row.attribute_code
        indicator.responsible_raw = row.responsible
        indicator.baseline_raw = row.baseline
        indicator.baseline_year = row.baseline_year or table.base_year
        indicator.note = row.note
        indicator.order = order
        specs = [IndicatorTarget(raw=row.targets.get(y, "")).spec() for y in table.milestone_years]
        indicator.refresh_derived(target_specs=specs)
        if indicator.measure_id is None:
            indicator.measure = matcher.match(row.name)
        if row.key in predecessors:
            relinked = indicator.predecessor_id != predecessors[row.key] or not indicator.predecessor_confirmed
            indicator.predecessor_id, indicator.predecessor_confirmed = predecessors[row.key], True
            if relinked and indicator.pk:
                indicator._change_reason = "确认上一规划对应指标"
        if before is None or _snapshot(indicator) != before:
            indicator.save()
        bureaus = resolve_bureaus(region, row.responsible_names)
        if {b.pk for b in bureaus} != set(indicator.bureaus.values_list("pk", flat=True)):
            indicator.bureaus.set(bureaus)
        _save_targets(indicator, row, table.milestone_years)
        saved[row.key] = indicator

    for row in table.rows:
        child = saved[row.key]
        if row.parent and child.parent_id != saved[row.parent].pk:
            child.parent = saved[row.parent]
            child.save(update_fields=["parent"])
    from indicators.results.services import recompute

    recompute(plans=[plan])
    return plan


@transaction.atomic
def save_imported_plan(table, *, box_data=None, predecessors=None):
    """Save an imported table with the predecessors confirmed in the preview and, when the
    administrator chose to, the key-project boxes read from the same document
    (projects/data/FORMAT.md shape): all or nothing. Raises PlanTableInvalid naming every problem."""
    plan = save_plan_table(table, predecessors=predecessors)
    if box_data and box_data.get("box"):
        from core import generations
        from projects.seed import ProjectDataError, load_project_data

        if plan.boxes.exists():
            raise PlanTableInvalid([TableError.of(None, gettext_noop("专栏"), gettext_noop(
                "该规划已有专栏和重点工程，未从文档导入专栏；请在重点工程页面维护。"))])
        try:
            load_project_data("上传的规划文档", {**box_data, "plan": {"code": plan.code}})
        except ProjectDataError as exc:
            raise PlanTableInvalid([TableError.of(None, gettext_noop("专栏"), message) for message in exc.errors]) from None
        generations.bump()  # project summaries read these rows
    return plan


def _snapshot(instance):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _save_if_changed(instance, values):
    """Assign `values` and save only when something differs, so reloading the same data adds
    no history rows."""
    before = _snapshot(instance) if instance.pk else None
    for name, value in values.items():
        setattr(instance, name, value)
    if before is None or _snapshot(instance) != before:
        instance.save()
    return instance


def _save_targets(indicator, row, years):
    current = {t.year: t for t in indicator.targets.all()}
    for year in years:
        raw = row.targets.get(year, "")
        target = current.pop(year, None)
        if target is None:
            IndicatorTarget.objects.create(indicator=indicator, year=year, raw=raw)
        elif target.raw != raw:
            target.raw = raw
            target.version += 1
            target.save()
    for stale in current.values():
        stale.delete()


def _delete_rows(indicators):
    from django.db.models import ProtectedError

    try:
        for indicator in indicators:
            indicator.delete()
    except ProtectedError:
        raise PlanTableInvalid(
            [TableError.of(None, gettext_noop("指标"), gettext_noop("指标「%(name)s」已有填报数据，不能在导入时删除。"), name=i.name)
             for i in indicators]
        ) from None


def plan_table_from_db(plan):
    """The stored plan as a PlanTable — what the .xlsx download and the API are built from."""
    from indicators.plans.table import ATTRIBUTE_LABELS, IndicatorRow, PlanTable

    indicators = plan.indicators.select_related("parent").prefetch_related(targets_prefetch()).order_by("order")
    rows = [
        IndicatorRow(
            key=i.key, number=i.number, parent=i.parent.key if i.parent else "", shares_parent_target=i.shares_parent_target,
            category=i.category, name=i.name, unit=i.unit, baseline=i.baseline_raw,
            baseline_year=i.baseline_year if i.baseline_year != plan.base_year else None,
            targets={t.year: t.raw for t in i.targets.all()}, attribute=ATTRIBUTE_LABELS.get(i.attribute, ""),
            responsible=i.responsible_raw, note=i.note,
        )
        for i in indicators
    ]
    return PlanTable(
        code=plan.code, region_code=plan.region.code, region_name=plan.region.name, title=plan.title, title_note=plan.title_note, issuer=plan.issuer,
        issue_date=plan.issue_date, base_year=plan.base_year, milestone_years=list(plan.milestone_years),
        midterm_year=plan.midterm_year, vision_years=list(plan.vision_years), source_document=plan.source_document,
        parent_plan=plan.parent.code if plan.parent else "", table_title=plan.table_title, notes=list(plan.notes),
        stated_indicator_count=plan.stated_indicator_count, stated_binding_count=plan.stated_binding_count,
        stated_expected_count=plan.stated_expected_count, rows=rows,
    )


# 规划配置检查: the administrator's fixes, each all-or-nothing and traceable (simple-history
# records who changed what; bureau links are many-to-many, which history does not track, so the
# indicator's history row carries the change as its reason).

class SetupRejected(Exception):
    """A set-up fix refused; the message is in the active language (these services serve the set-up page)."""


def _save_with_history(obj, user, reason):
    """Save a set-up fix so its history row names who made it and what it was."""
    obj._history_user = user
    obj._change_reason = reason[:100]
    obj.save()


@transaction.atomic
def assign_bureau(plan, bureau, indicator_ids, user):
    """Link one bureau of the plan's region to many of its indicators. Returns how many were
    newly linked."""
    from core import generations

    if bureau.region_id != plan.region_id:
        raise SetupRejected(_("部门「%(bureau)s」不属于%(region)s，不能指派给本规划的指标。")
                            % {"bureau": bureau, "region": plan.region.name})
    indicators = list(plan.indicators.filter(pk__in=indicator_ids).prefetch_related("bureaus").order_by("order"))
    if not indicators:
        raise SetupRejected(_("请至少勾选一项指标。"))
    linked = 0
    for indicator in indicators:
        if bureau in indicator.bureaus.all():
            continue
        indicator.bureaus.add(bureau)
        _save_with_history(indicator, user, f"指派责任部门：{bureau.name}")  # the m2m link has no history of its own
        linked += 1
    if linked:
        generations.bump()
    return linked


@transaction.atomic
def link_measures(plan, links, user):
    """`links`: indicator id → catalog Measure id (rows linked to the 指标目录 for comparison).
    Returns how many rows were linked."""
    from core import generations

    measures = Measure.objects.in_bulk([m for m in links.values() if m])
    indicators = plan.indicators.in_bulk(list(links))
    errors = [_("指标 %(id)s 不属于本规划。") % {"id": pk} for pk in links if pk not in indicators]
    errors += [_("目录指标 %(id)s 不存在。") % {"id": m} for m in links.values() if m and m not in measures]
    if errors:
        raise SetupRejected(pgettext("punctuation", "；").join(errors))
    linked = 0
    for pk, measure_id in links.items():
        indicator = indicators[pk]
        if not measure_id or indicator.measure_id == measure_id:
            continue
        indicator.measure = measures[measure_id]
        _save_with_history(indicator, user, f"关联目录指标：{indicator.measure.name}")
        linked += 1
    if linked:
        generations.bump()
    return linked


@transaction.atomic
def open_periods(plan, years, user):
    """Open the reporting period of each of `years` with the default deadline."""
    from reporting.submission import open_period

    outside = [y for y in years if not plan.first_year <= y <= plan.final_year]
    if outside:
        raise SetupRejected(_("年份 %(years)s 不在规划期 %(period)s 内。")
                            % {"years": pgettext("punctuation", "、").join(map(str, outside)), "period": plan.period_label})
    return [open_period(plan, year, user) for year in sorted(set(years))]


@transaction.atomic
def assign_project_bureau(plan, bureau, project_ids, user):
    """Make one bureau of the plan's region responsible for many of its key projects."""
    from core import generations

    if bureau.region_id != plan.region_id:
        raise SetupRejected(_("部门「%(bureau)s」不属于%(region)s，不能指派给本规划的重点工程。")
                            % {"bureau": bureau, "region": plan.region.name})
    projects = list(plan.projects.filter(pk__in=project_ids))
    if not projects:
        raise SetupRejected(_("请至少勾选一项重点工程。"))
    for project in projects:
        project.bureau = bureau
        _save_with_history(project, user, f"指派责任部门：{bureau.name}")
    generations.bump()
    return len(projects)
