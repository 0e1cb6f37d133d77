"""The main pages, and what Chinese remains on a page once the plans' own text is taken out.

Shared by tests/test_i18n.py (which asserts nothing remains in English) and by anyone hunting a
leftover string by hand. Plan data — names, raw cells, bureaus, regions, what people typed —
stays as printed in every language; everything else must come from the catalog."""
import html as htmlmod
import re

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e]+")
_TAGS = re.compile(r"<[^>]+>")
_QUOTED = re.compile(r"“[^”]*”")
_ESCAPED = re.compile(r"\\u([0-9a-fA-F]{4})")
# Nothing is exempt for being marked lang="zh-hans": the "why this status" steps, the plan's
# verdict, the target readings and the evaluation settings are rendered in the page's language
# (core.phrases); only plan data stays as printed.
# The one exception: an evaluation report's own text (its drafted paragraphs and the verdict it
# froze), a Chinese official document shown and edited as it is filed, marked `data-filed`.
_FILED = re.compile(r'<(span|div|textarea)\b[^>]*\bdata-filed\b[^>]*>.*?</\1>', re.S)
# Proper names that stay in their own language (the language switcher names 简体中文 in Chinese).
KEPT = ["简体中文"]


def plan_data_strings():
    from indicators.models import (AssignedTarget, Bureau, BureauAlias, Indicator, IndicatorTarget, IndicatorValue,
                                   Measure, Plan, Region)
    from projects.models import Box, Project, ProjectProgress, Quantity
    from reporting.models import Notification, StateChange

    texts = set(KEPT)
    sources = [
        (Plan, ["title", "title_note", "table_title", "issuer", "source_document", "issue_date"]),
        (Region, ["name"]), (Bureau, ["name"]), (BureauAlias, ["alias"]),
        (Indicator, ["name", "category", "unit", "responsible_raw", "baseline_raw", "note", "number"]),
        (IndicatorTarget, ["raw"]), (Measure, ["name", "unit"]),
        (IndicatorValue, ["raw", "source", "note", "explanation", "return_reason", "reviewer_judgement_reason"]),
        (AssignedTarget, ["document"]),
        (Box, ["number", "title", "text"]), (Project, ["name", "group", "content", "responsible"]),
        (Quantity, ["measure", "unit", "qualifier", "source_text"]), (ProjectProgress, ["narrative", "return_reason"]),
        (StateChange, ["comment"]), (Notification, ["message"]),
    ]
    for model, fields in sources:
        for row in model.objects.values_list(*fields):
            texts.update(str(v) for v in row if v)
    from indicators.plans.targets import parse_value

    for raw, in Indicator.objects.values_list("baseline_raw"):  # a unit printed inside a baseline cell (1.5万吨)
        unit = parse_value(raw).unit
        if unit:
            texts.add(unit)
    for notes, in Plan.objects.values_list("notes"):
        texts.update(notes or [])
    for aliases, in Measure.objects.values_list("aliases"):
        texts.update(aliases or [])
    from django.contrib.auth.models import User

    for first, last in User.objects.values_list("first_name", "last_name"):
        texts.update(n for n in (first, last, f"{last}{first}", f"{first} {last}".strip()) if n)
    for box in Box.objects.all():  # as printed: 专栏1 …
        texts.update({f"专栏{box.number}", str(box)})
    for name, in Project.objects.values_list("name"):  # the timeline's short labels
        texts.add(name[:21])
    for region in Region.objects.all():  # a region's name followed by a bureau's, as printed
        texts.update(f"{region.name}{b}" for b in Bureau.objects.filter(region=region).values_list("name", flat=True))
    return sorted((t for t in texts if CJK.search(t)), key=len, reverse=True)


def leftover_chinese(page_html, data_strings=None):
    """The Chinese fragments of `page_html` that are not plan data."""
    text = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), page_html)
    text = _FILED.sub(" ", text)
    text = htmlmod.unescape(_TAGS.sub("\n", text))
    for data in data_strings if data_strings is not None else plan_data_strings():
        text = text.replace(data, " ")
    text = _QUOTED.sub(" ", text)  # “责任部门”: a printed term quoted in an English sentence
    return CJK.findall(text)


def english_pages():
    """(username, url) of each role's main pages over the real plans with the demo data."""
    from indicators.models import Indicator, Plan
    from projects.models import Project

    pages = [("admin", "/"), ("admin", "/plans/"), ("admin", "/review/"), ("admin", "/projects/"),
             ("admin", "/projects/timeline/"), ("admin", "/notifications/"),
             ("admin", "/regions/140800/compare/"), ("admin", "/regions/140800/summary/"),
             ("yuncheng_reviewer", "/regions/140800/assigned-targets/"),
             ("yuncheng_leader", "/"), ("yuncheng_leader", "/regions/140800/summary/"),
             ("jiang_forestry", "/"), ("jiang_reviewer", "/"), ("jiang_reviewer", "/review/"),
             ("admin", "/plans/import/"), ("admin", "/account/token/"), ("jiang_forestry", "/account/token/")]
    for plan in Plan.objects.filter(synthetic=False):
        pages += [("admin", f"/plans/{plan.code}/"), ("admin", f"/plans/{plan.code}/evaluation/"),
                  ("admin", f"/plans/{plan.code}/dashboard/"), ("admin", f"/plans/{plan.code}/reports/"),
                  ("admin", f"/plans/{plan.code}/setup/"), ("admin", f"/plans/{plan.code}/periods/")]
        indicator = Indicator.objects.filter(plan=plan, values__isnull=False).order_by("order").first()
        if indicator:
            pages.append(("admin", indicator.get_absolute_url()))
    jiang = Plan.objects.filter(code="140826-2021-2025").first()
    if jiang:
        year = jiang.periods.order_by("-year").values_list("year", flat=True).first()
        if year:
            pages.append(("jiang_forestry", f"/entry/{jiang.code}/{year}/"))
    project = Project.objects.filter(progress__isnull=False).order_by("pk").first()
    if project:
        pages.append(("admin", f"/projects/{project.pk}/"))
    return pages
