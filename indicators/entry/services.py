"""Saving a bureau's yearly values — the one path used by the entry form, the .xlsx upload and
the write API. All of a batch is saved or none of it, with every problem reported per item.

What is checked here is the values' own (parsing, length limits, 变化说明 when a value moves
much); the draft/submit step itself — period, state, late marking, locked save, state history —
is `reporting.submission.save_record`, the same one project progress goes through."""
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import generations
from reporting import workflow
from reporting.services import StaleRecord
from reporting.submission import closed_period_message, period_for, save_record

from indicators.entry.rules import follow_up, parse_entry
from indicators.models import Indicator, IndicatorValue, targets_prefetch

MAX_TEXT = 2000  # 备注 and 变化说明, as the write API allows


@dataclass
class EntryInput:
    indicator_id: int
    raw: str = ""
    judgement: str = ""
    source: str = ""
    note: str = ""
    explanation: str = ""
    rate_mode: str = ""
    version: int | None = None  # the version the user loaded; None when they saw no value
    label: str = ""  # how the caller names the item in messages (序号, sheet row …)


@dataclass(frozen=True)
class EntryError:
    index: int
    field: str
    message: str


class SubmissionRejected(Exception):
    def __init__(self, errors):
        super().__init__("；".join(e.message for e in errors))
        self.errors = errors


def previous_approved(indicator_ids, year):
    """indicator id → its latest approved value before `year`."""
    latest = {}
    rows = IndicatorValue.objects.filter(indicator_id__in=indicator_ids, year__lt=year, state=workflow.APPROVED).order_by("indicator_id", "-year")
    for value in rows:
        latest.setdefault(value.indicator_id, value)
    return latest


def _is_blank(item):
    return not (item.raw or "").strip() and not item.judgement


def save_entries(user, plan, year, items, *, submit, today=None):
    """Save (and with `submit`, submit) the values in `items`. Returns the saved values.

    Raises SubmissionRejected with every error; nothing is written in that case."""
    today = today or timezone.localdate()
    period = period_for(plan, year)
    closed = closed_period_message(period, today)
    if closed:
        raise SubmissionRejected([EntryError(-1, "year", closed)])
    allowed = {i.pk: i for i in Indicator.objects.editable_by(user).filter(plan=plan).select_related("parent").prefetch_related(targets_prefetch())}
    existing = {v.indicator_id: v for v in IndicatorValue.objects.filter(indicator__plan=plan, year=year, indicator_id__in=allowed)}
    previous = previous_approved(list(allowed), year)
    errors, saved = [], []
    try:
        with transaction.atomic():
            for index, item in enumerate(items):
                indicator = allowed.get(item.indicator_id)
                if indicator is None:
                    errors.append(EntryError(index, "indicator", f"{item.label or item.indicator_id}：不存在或不属于您部门填报的指标。"))
                    continue
                value = existing.get(indicator.pk)
                if _is_blank(item) and value is None:
                    continue
                try:
                    saved.append(_save_one(user, indicator, year, item, value, previous.get(indicator.pk), submit, period, today))
                except SubmissionRejected as rejected:
                    errors.extend(EntryError(index, e.field, e.message) for e in rejected.errors)
                except StaleRecord as stale:
                    errors.append(EntryError(index, "version", f"「{indicator.name}」：{stale}"))
            if errors:
                raise SubmissionRejected(errors)
            if saved:
                generations.bump()  # submission counts in the region summaries
    except IntegrityError:
        raise SubmissionRejected([EntryError(-1, "version", "其他用户同时保存了相同的数据，您的修改未保存，请刷新后重试。")]) from None
    return saved


def _unchanged(value, entry, item):
    typed = (entry.raw, entry.judgement, item.source.strip()[:200], item.note.strip(), item.explanation.strip(), item.rate_mode)
    stored = (value.raw, value.judgement, value.source, value.note, value.explanation, value.rate_mode)
    return typed == stored


def _save_one(user, indicator, year, item, value, previous, submit, period, today):
    entry = parse_entry(item.raw, indicator_name=indicator.name, value_type=indicator.value_type, unit=indicator.unit,
                        judgement=item.judgement)
    if not entry.ok:
        raise SubmissionRejected([EntryError(0, "value", entry.error)])
    for name, label in (("note", "备注"), ("explanation", "变化说明")):
        if len(getattr(item, name) or "") > MAX_TEXT:
            raise SubmissionRejected([EntryError(0, name, f"「{indicator.name}」：{label}过长，不能超过 {MAX_TEXT} 字。")])
    if item.rate_mode not in IndicatorValue.RateMode.values:
        raise SubmissionRejected([EntryError(0, "rate_mode", f"「{indicator.name}」：降低率口径应为 当年降低率 或 累计降低率。")])
    if value is not None and not submit and _unchanged(value, entry, item):
        # A row the user did not touch is not re-saved, so colleagues saving other rows of the
        # same form do not collide on it.
        return value
    expected_version = 0 if item.version is None else item.version
    if value is not None and item.version is not None and value.version != item.version:
        # Saved by a colleague (or in another tab) since this user loaded the form: say who and
        # what it holds now, before what its state allows (a colleague's submission locks it).
        # Without a version (an API client that sent none) the state is the answer.
        raise StaleRecord(value, value)
    if value is not None and not value.is_editable:
        raise SubmissionRejected([EntryError(0, "state", f"「{indicator.name}」：{value.state_label}，不能修改。")])
    if submit and entry.number is not None:
        target = next((t.value for t in indicator.targets.all() if t.value is not None), None)
        check = follow_up(entry.number, previous.number if previous else None, target=target,
                          baseline=indicator.baseline_value, direction=indicator.direction, binding=indicator.is_binding)
        if check.required and not item.explanation.strip():
            raise SubmissionRejected([EntryError(0, "explanation", f"「{indicator.name}」：{'；'.join(check.reasons)}，请填写变化说明后再提交。")])
    fields = dict(raw=entry.raw, number=entry.number, water_class=entry.water_class, judgement=entry.judgement,
                  source=item.source.strip()[:200], note=item.note.strip(), explanation=item.explanation.strip(),
                  rate_mode=item.rate_mode)
    # No version means the user saw no stored value; if one exists now, a colleague (or another
    # tab) saved it after they loaded theirs, and overwriting it would lose that. Checked again
    # under the row lock: the check above read the row without one.
    return save_record(IndicatorValue, value, user, fields, submit=submit, period=period, today=today,
                       expected_version=expected_version,
                       new=dict(indicator=indicator, year=year), comment=item.explanation.strip())
