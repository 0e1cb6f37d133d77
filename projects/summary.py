"""How a set of key projects is getting on: started, completed, stalled, and the share of their
physical quantities done.

`project_summary(progress_rows)` is pure (no Django): give it one `ProgressRow` per project and
reported year — and one row with `year=None` for a project that has no report yet, so it counts.
`summary_for_plan(plan)` / `summary_for_region(region)` build those rows from the database (only
approved reports count) and call it.

Definitions, for the latest report of each project (up to `as_of_year` if given):
- started: 在建 or 完工; completed: 完工;
- stalled: 暂停; or still 未开工/前期工作 after its planned start year; or 在建 past its planned
  end year; or 在建 with no physical quantity further along than in its previous report;
- share of quantities done: the mean over all planned quantities of min(done / planned, 1),
  counting a quantity nobody reported on as 0.
"""
from dataclasses import dataclass, field

NOT_STARTED, PREPARING, IN_PROGRESS, COMPLETED, SUSPENDED = "not_started", "preparing", "in_progress", "completed", "suspended"
STATUS_ORDER = (NOT_STARTED, PREPARING, IN_PROGRESS, COMPLETED, SUSPENDED)


@dataclass(frozen=True)
class ProgressRow:
    project_id: int
    year: int | None  # None: no report yet
    status: str | None = None
    start_year: int | None = None  # planned
    end_year: int | None = None  # planned
    quantities: tuple = ()  # ((quantity id, planned amount, amount done or None), …)


@dataclass(frozen=True)
class ProjectSummary:
    total: int = 0
    reported: int = 0
    started: int = 0
    completed: int = 0
    stalled: int = 0
    by_status: dict = field(default_factory=dict)  # status → count, for reported projects
    quantities: int = 0
    quantity_share: float | None = None  # 0–1; None when no project has a planned quantity
    as_of_year: int | None = None
    stalled_ids: tuple = ()

    @property
    def not_reported(self):
        return self.total - self.reported

    @property
    def quantity_percent(self):
        return None if self.quantity_share is None else round(self.quantity_share * 100, 1)

    @property
    def started_percent(self):
        return round(self.started * 100 / self.total, 1) if self.total else None

    @property
    def completed_percent(self):
        return round(self.completed * 100 / self.total, 1) if self.total else None


def _share(planned, done):
    if planned is None or float(planned) <= 0:
        return None
    return min(max(float(done or 0) / float(planned), 0.0), 1.0)


def _quantity_done(row):
    return {qid: (float(done) if done is not None else 0.0) for qid, _, done in row.quantities}


def project_summary(progress_rows, *, as_of_year=None):
    """Counts and the share of quantities done for the projects in `progress_rows`."""
    by_project = {}
    for row in progress_rows:
        by_project.setdefault(row.project_id, []).append(row)
    started = completed = stalled = reported = 0
    by_status = {}
    stalled_ids = []
    shares = []
    latest_year = None
    for project_id, rows in by_project.items():
        reports = sorted(
            (r for r in rows if r.year is not None and (as_of_year is None or r.year <= as_of_year)), key=lambda r: r.year
        )
        latest = reports[-1] if reports else None
        if latest is None:  # no report (yet): its planned quantities count as not done
            shares.extend(s for s in (_share(p, 0) for _, p, _ in rows[0].quantities) if s is not None)
            continue
        reported += 1
        latest_year = max(latest_year or latest.year, latest.year)
        by_status[latest.status] = by_status.get(latest.status, 0) + 1
        if latest.status in (IN_PROGRESS, COMPLETED):
            started += 1
        if latest.status == COMPLETED:
            completed += 1
        if _is_stalled(latest, reports[-2] if len(reports) > 1 else None):
            stalled += 1
            stalled_ids.append(project_id)
        shares.extend(s for s in (_share(p, d) for _, p, d in latest.quantities) if s is not None)
    return ProjectSummary(
        total=len(by_project), reported=reported, started=started, completed=completed, stalled=stalled,
        by_status={s: by_status[s] for s in STATUS_ORDER if s in by_status}, quantities=len(shares),
        quantity_share=(sum(shares) / len(shares)) if shares else None, as_of_year=as_of_year or latest_year,
        stalled_ids=tuple(sorted(stalled_ids)),
    )


def _is_stalled(latest, previous):
    if latest.status == SUSPENDED:
        return True
    if latest.status in (NOT_STARTED, PREPARING) and latest.start_year and latest.year > latest.start_year:
        return True
    if latest.status == IN_PROGRESS:
        if latest.end_year and latest.year > latest.end_year:
            return True
        if previous is not None and latest.quantities:
            before, now = _quantity_done(previous), _quantity_done(latest)
            if not any(now[qid] > before.get(qid, 0.0) for qid in now):
                return True
    return False


# ----- from the database (Django imported lazily, so the pure part stays pure) --------------
def progress_rows_for(projects):
    """ProgressRow inputs for a queryset of projects, from their approved reports.

    Reads plain tuples with the projects as a subquery: four queries whatever the number of
    projects, and no model instances (a province-wide summary covers thousands of reports)."""
    from reporting import workflow

    from projects.models import Project, ProjectProgress, Quantity, QuantityProgress

    ids = projects.values("pk")
    planned = {}
    for project_id, quantity_id, amount in Quantity.objects.filter(project__in=ids).order_by("pk").values_list(
            "project_id", "pk", "amount"):
        planned.setdefault(project_id, []).append((quantity_id, amount))
    approved = ProjectProgress.objects.filter(project__in=ids, state=workflow.APPROVED)
    done = {}
    for progress_id, quantity_id, amount in QuantityProgress.objects.filter(progress__in=approved.values("pk")).values_list(
            "progress_id", "quantity_id", "amount_done"):
        done.setdefault(progress_id, {})[quantity_id] = amount
    reports = {}
    for progress_id, project_id, year, status in approved.order_by("year").values_list("pk", "project_id", "year", "status"):
        reports.setdefault(project_id, []).append((progress_id, year, status))
    rows = []
    for project_id, start_year, end_year in Project.objects.filter(pk__in=ids).order_by("pk").values_list(
            "pk", "start_year", "end_year"):
        quantities = planned.get(project_id, [])
        if project_id not in reports:
            rows.append(ProgressRow(project_id, None, None, start_year, end_year,
                                    tuple((qid, amount, None) for qid, amount in quantities)))
            continue
        for progress_id, year, status in reports[project_id]:
            amounts = done.get(progress_id, {})
            rows.append(ProgressRow(project_id, year, status, start_year, end_year,
                                    tuple((qid, amount, amounts.get(qid)) for qid, amount in quantities)))
    return rows


def summary_for_plan(plan, user=None, *, as_of_year=None):
    """The summary of one plan's projects (those `user` may see, when given)."""
    from projects.models import Project

    projects = Project.objects.filter(plan=plan)
    if user is not None:
        projects = projects.visible_to(user)
    return project_summary(progress_rows_for(projects), as_of_year=as_of_year)


def summary_for_region(region, user=None, *, as_of_year=None):
    """The summary of the projects of every plan of `region` and the regions below it, and of
    projects located (counties) in it."""
    from django.db.models import Q

    from accounts.scoping import region_subtree_q

    from projects.models import Project

    projects = Project.objects.filter(
        region_subtree_q(region.pk, prefix="plan__region") | Q(counties=region)
    ).distinct()
    if user is not None:
        projects = projects.visible_to(user)
    return project_summary(progress_rows_for(projects), as_of_year=as_of_year)
