"""The fast paths of the working lists give the same page as the plain ones: body rows rendered in
Python (core/tables.py) against django-tables2's own rows, and option lists read as rows
(core/choices.py) against model instances; cached option lists cost no query."""
import re
from decimal import Decimal

import django_filters
import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_tables2 import RequestConfig

from accounts.models import Role
from core.choices import RowChoiceFilter, cached_choices
from indicators.models import Bureau, IndicatorValue, Region
from indicators.review import selectors as review_selectors
from indicators.web.tables import ReviewQueueTable
from projects.models import Project
from projects.tables import ProjectTable
from reporting import workflow

from tests.factories import user_with_role
from tests.test_projects_support import _real_projects_committed, real_projects  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
JIANG = "140826-2021-2025"


def _tbody(html):
    body = re.search(r"<tbody[^>]*>(.*)</tbody>", html, re.S).group(1)
    return re.sub(r">\s+<", "><", " ".join(body.split())).replace(" >", ">")


def _both_ways(table_class, data, request, prepare=lambda table: None):
    """The table's <tbody> through our template and through django-tables2's own."""
    fast = table_class(data)
    RequestConfig(request, paginate={"per_page": 50}).configure(fast)
    prepare(fast)
    plain = table_class(data, template_name="django_tables2/table.html")
    RequestConfig(request, paginate={"per_page": 50}).configure(plain)
    prepare(plain)
    assert fast.rows_html() is not None
    return (_tbody(render_to_string(fast.template_name, {"table": fast}, request)),
            _tbody(render_to_string("django_tables2/table.html", {"table": plain}, request)))


def test_the_review_queue_rows_rendered_in_python_equal_django_tables2s_rows(real_plans):
    jiang = real_plans[JIANG]
    reviewer = user_with_role(Role.REVIEWER, region=jiang.region.parent, username="yuncheng")
    staff = user_with_role(Role.BUREAU_STAFF, bureau=Bureau.objects.get(region=jiang.region, name="林业局"), username="ly")
    for number, indicator in enumerate(jiang.indicators.filter(value_type="number")[:6]):
        IndicatorValue.objects.create(indicator=indicator, year=2022, raw="1", number=Decimal(1), state=workflow.APPROVED)
        IndicatorValue.objects.create(indicator=indicator, year=2023, raw=f"{number}.5", number=Decimal(f"{number}.5"),
                                      state=workflow.SUBMITTED, submitted_at=timezone.now(), late=number % 2 == 0,
                                      explanation="口径 <调整>" if number == 1 else "", created_by=staff, updated_by=staff)
    request = RequestFactory().get("/review/")
    request.user = reviewer
    data = review_selectors.queue_values(reviewer).filter(state=workflow.SUBMITTED)
    fast, plain = _both_ways(ReviewQueueTable, data, request,
                             lambda table: review_selectors.attach_context(row.record for row in table.page.object_list))
    assert fast == plain
    assert fast.count("<tr") == 6 and "口径 &lt;调整&gt;" in fast


def test_the_project_list_rows_rendered_in_python_equal_django_tables2s_rows(real_projects):
    admin = user_with_role(Role.ADMIN, username="root")
    request = RequestFactory().get("/projects/")
    request.user = admin
    data = Project.objects.visible_to(admin).select_related("plan__region", "box", "bureau").prefetch_related(
        "counties", "quantities")
    fast, plain = _both_ways(ProjectTable, data, request)
    assert fast == plain
    assert fast.count("<tr") == 50


def _normalized(html):
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*([<>])\s*", r"\1", html).replace(" >", ">")


@pytest.mark.parametrize("query", ["", "?page=3&sort=-name&status=in_progress", "?sort=region&page=9"])
def test_the_whole_project_table_written_in_python_equals_django_tables2s_template(real_projects, query):
    admin = user_with_role(Role.ADMIN, username="root")
    request = RequestFactory().get(f"/projects/{query}")
    request.user = admin
    data = Project.objects.visible_to(admin).select_related("plan__region", "box", "bureau").prefetch_related(
        "counties", "quantities")
    fast, plain = ProjectTable(data), ProjectTable(data, template_name="django_tables2/table.html")
    for table in (fast, plain):
        RequestConfig(request, paginate={"per_page": 25}).configure(table)
    ours = render_to_string(fast.template_name, {"table": fast, "request": request}, request)
    theirs = render_to_string("django_tables2/table.html", {"table": plain, "request": request}, request)
    assert fast.table_html() is not None
    assert _normalized(ours) == _normalized(theirs)
    assert 'class="pagination"' in ours and "<thead" in ours


def test_the_review_queue_header_written_in_python_equals_django_tables2s(real_plans):
    reviewer = user_with_role(Role.REVIEWER, region=real_plans[JIANG].region.parent, username="yuncheng")
    request = RequestFactory().get("/review/?sort=-change_percent&flag=binding")
    request.user = reviewer
    data = review_selectors.queue_values(reviewer, sort="-change_percent").filter(state=workflow.SUBMITTED)
    fast, plain = ReviewQueueTable(data), ReviewQueueTable(data, template_name="django_tables2/table.html")
    for table in (fast, plain):
        RequestConfig(request, paginate={"per_page": 25}).configure(table)
    ours = render_to_string(fast.template_name, {"table": fast, "request": request}, request)
    theirs = render_to_string("django_tables2/table.html", {"table": plain, "request": request}, request)
    assert _normalized(ours) == _normalized(theirs)
    assert "sort=change_percent" in ours and "没有符合条件的数据。" in ours


def test_an_empty_table_still_says_so():
    request = RequestFactory().get("/projects/")
    table = ProjectTable(Project.objects.none())
    RequestConfig(request).configure(table)
    html = render_to_string(table.template_name, {"table": table}, request)
    assert "没有符合条件的重点工程。" in html


class _Regions(django_filters.FilterSet):
    region = RowChoiceFilter(queryset=Region.objects.filter(level=Region.Level.COUNTY), empty_label="全部",
                             row_fields=("name",), row_label=lambda row: f"<{row['name']}>")

    class Meta:
        model = Region
        fields = ["region"]


def test_a_row_choice_filter_offers_the_same_options_as_model_instances_would(real_plans):
    options = list(iter(_Regions().form.fields["region"].choices))
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    assert options == [("", "全部")] + [(r.pk, f"<{r.name}>") for r in counties]


def test_a_row_choice_filter_refuses_a_choice_outside_its_queryset(real_plans):
    city = Region.objects.get(code="140800")
    county = Region.objects.get(code="140826")
    assert not _Regions({"region": city.pk}).is_valid()
    assert _Regions({"region": county.pk}).is_valid()


@pytest.mark.summary_cache
def test_cached_option_lists_are_read_once_per_data_generation(real_plans, django_assert_num_queries):
    from django.core.cache import caches

    from core import generations

    counties = Region.objects.filter(level=Region.Level.COUNTY)
    built = []

    def querysets():
        built.append(1)
        return {"region": counties}

    caches[generations.NAME].clear()
    first = _Regions()
    cached_choices(first, querysets, ("test",))
    with django_assert_num_queries(1):  # the generation number only
        second = _Regions()
        cached_choices(second, querysets, ("test",))
        options = list(iter(second.form.fields["region"].choices))
    assert options == list(iter(first.form.fields["region"].choices))
    assert len(built) == 1  # an unsubmitted form with cached options builds no queryset
    generations._raise_now()  # what bump() does on commit (the test's transaction never commits)
    with django_assert_num_queries(2):  # a new generation: the number and the list again
        third = _Regions()
        cached_choices(third, querysets, ("test",))
    assert len(built) == 2


@pytest.mark.summary_cache
def test_a_submitted_choice_is_checked_against_the_scoped_queryset_even_with_cached_options(real_plans):
    city, county = Region.objects.get(code="140800"), Region.objects.get(code="140826")
    for _ in range(2):  # the second pair reads its options from the cache
        refused = _Regions({"region": county.pk})
        cached_choices(refused, lambda: {"region": Region.objects.filter(pk=city.pk)}, ("scoped-test",))
        assert not refused.is_valid()
        admitted = _Regions({"region": county.pk})
        cached_choices(admitted, lambda: {"region": Region.objects.filter(pk=county.pk)}, ("scoped-test",))
        assert admitted.is_valid()


def test_the_review_queue_page_in_english_keeps_its_filters(client, real_plans):
    reviewer = user_with_role(Role.REVIEWER, region=Region.objects.get(code="140800"), username="yc")
    client.force_login(reviewer)
    html = client.get(reverse("review_queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<select name="bureau"' in html and "绛县林业局" in html


def test_the_plan_year_links_written_from_one_reversed_url_equal_reverse():
    link = review_selectors.plan_year_link()
    for code, year in (("140826-2021-2025", 2024), ("S-950101-2021-2025", 2023), ("示例 (1)~x", 2030), ("a b&c?d#e%", 1)):
        assert link(code, year) == reverse("plan_year_review", args=[code, year])


def test_row_links_written_from_one_reversed_url_equal_reverse_under_a_script_prefix():
    from django.urls import get_script_prefix, set_script_prefix

    from core.links import reverser

    before = get_script_prefix()
    try:
        for prefix in ("/", "/tracker/"):
            set_script_prefix(prefix)
            value_link, project_link = reverser("value_detail", int), reverser("project_detail", int)
            for pk in (1, 42, 10**12):
                assert value_link(pk) == reverse("value_detail", args=[pk])
                assert project_link(pk) == reverse("project_detail", args=[pk])
            assert value_link(7).startswith(prefix)
    finally:
        set_script_prefix(before)



def test_project_rows_with_their_page_details_read_at_once_equal_rows_reading_their_own(
        real_projects, django_assert_max_num_queries):
    from projects.selectors import attach_list_details

    admin = user_with_role(Role.ADMIN, username="root")
    request = RequestFactory().get("/projects/?per_page=100")
    request.user = admin
    data = Project.objects.visible_to(admin).select_related("plan__region", "box", "bureau")
    attached, own = ProjectTable(data), ProjectTable(data.prefetch_related("counties", "quantities"))
    for table in (attached, own):
        RequestConfig(request, paginate={"per_page": 100}).configure(table)
    with django_assert_max_num_queries(3):  # the page, its counties, its quantities
        attach_list_details(row.record for row in attached.page.object_list)
        ours = _tbody(render_to_string(attached.template_name, {"table": attached}, request))
    theirs = _tbody(render_to_string(own.template_name, {"table": own}, request))
    assert ours == theirs
    assert "、" in ours and "—" in ours  # projects in several counties, and some without quantities


@pytest.mark.summary_cache
def test_cached_option_lists_hold_plain_text_in_the_readers_language(real_plans):
    from django.core.cache import caches
    from django.utils import translation
    from django.utils.functional import Promise

    from core import generations

    caches[generations.NAME].clear()
    for language, empty in (("zh-hans", "全部"), ("en", "全部")):
        with translation.override(language):
            filterset = _Regions()
            cached_choices(filterset, lambda: {"region": Region.objects.filter(level=Region.Level.COUNTY)}, ("text",))
            options = list(iter(filterset.form.fields["region"].choices))
        assert options[0] == ("", empty) and not any(isinstance(label, Promise) for _value, label in options)
    with translation.override("en"):
        reviewer = user_with_role(Role.REVIEWER, region=Region.objects.get(code="140800"), username="yc-en")
        from indicators.web.filters import ReviewQueueFilter
        from indicators.models import IndicatorValue
        for _ in range(2):  # read, then from the cache
            queue = ReviewQueueFilter(None, queryset=IndicatorValue.objects.none(), user=reviewer)
            labels = [label for _value, label in iter(queue.form.fields["region"].choices)]
            assert labels[0] == "All regions" and all(type(label) is str for label in labels)
