"""The yearly entry form of a bureau: scope, the grid, input tolerance, all-or-nothing saves,
qualitative and water-class rows, the follow-up rule and optimistic locking."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from indicators.models import Bureau, Indicator, IndicatorValue
from reporting import workflow
from reporting.models import StateChange
from reporting.submission import open_period

from tests.factories import BureauFactory, IndicatorFactory, PlanFactory, RegionFactory, user_with_role

JIANG = "140826-2021-2025"
YEAR = 2023
pytestmark = pytest.mark.django_db


@pytest.fixture
def jiang(real_plans):
    return real_plans[JIANG]


@pytest.fixture
def forestry(real_plans):
    return Bureau.objects.get(region__code="140826", name="林业局")


@pytest.fixture
def staff(forestry):
    return user_with_role(Role.BUREAU_STAFF, bureau=forestry, username="linye")


@pytest.fixture
def period(jiang):
    return open_period(jiang, YEAR, None, deadline=timezone.localdate() + timedelta(days=30), kept_open=False)


@pytest.fixture
def rows(jiang):
    """The three rows 林业局 reports in 绛县: 森林覆盖率 (%), 林草火灾受害率 (‰), 林草有害生物成灾率 (‰)."""
    return {i.number: i for i in jiang.indicators.filter(number__in=["1", "2", "3", "4"])}


@pytest.fixture
def staff_client(client, staff, period):
    client.force_login(staff)
    return client


def url(year=YEAR, code=JIANG):
    return reverse("entry_form", args=[code, year])


def post_data(entries, action="save"):
    data = {"action": action}
    for indicator, fields in entries:
        for name, value in fields.items():
            data[f"i{indicator.pk}-{name}"] = value
    return data


def approved(indicator, year, raw):
    return IndicatorValue.objects.create(indicator=indicator, year=year, raw=raw, number=Decimal(raw),
                                         state=workflow.APPROVED)


# --- scope -------------------------------------------------------------------------------


def test_the_form_lists_only_the_bureaus_own_indicators(staff_client, rows):
    response = staff_client.get(url())
    assert response.status_code == 200
    assert [r.indicator.name for r in response.context["rows"]] == ["森林覆盖率", "林草火灾受害率", "林草有害生物成灾率"]
    html = response.content.decode()
    assert f'name="i{rows["2"].pk}-raw"' in html
    assert f'name="i{rows["1"].pk}-raw"' not in html  # 生态保护红线 belongs to 自然资源局


def test_the_grid_shows_baseline_target_and_last_years_approved_value(staff_client, rows):
    approved(rows["2"], YEAR - 1, "36.50")
    response = staff_client.get(url())
    forest_row = next(r for r in response.context["rows"] if r.indicator == rows["2"])
    assert forest_row.previous.raw == "36.50"
    html = response.content.decode()
    assert "36.07" in html and "2025：37.07" in html and "36.50（2022）" in html


def test_sub_rows_of_a_bureaus_row_are_on_its_form_and_can_be_entered(staff_client, jiang, rows):
    sub = IndicatorFactory(plan=jiang, key="2.1", number="", parent=rows["2"], name="其中：人工林覆盖率", order=999)
    response = staff_client.get(url())
    assert sub in [r.indicator for r in response.context["rows"]]
    response = staff_client.post(url(), post_data([(sub, {"raw": "12.5"})]))
    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator=sub, year=YEAR).number == Decimal("12.5")


@pytest.mark.parametrize("who", ["other_county_staff", "reviewer", "leader", "admin"])
def test_anyone_without_rows_in_the_plan_gets_404_for_the_form_its_export_and_upload(client, jiang, period, who):
    users = {
        "other_county_staff": lambda: user_with_role(Role.BUREAU_STAFF, bureau=Bureau.objects.get(region__code="140802", name="林草局")),
        "reviewer": lambda: user_with_role(Role.REVIEWER, region=jiang.region.parent),
        "leader": lambda: user_with_role(Role.LEADER, region=jiang.region),
        "admin": lambda: user_with_role(Role.ADMIN),
    }
    client.force_login(users[who]())
    assert client.get(url()).status_code == 404
    assert client.post(url(), {"action": "save"}).status_code == 404
    assert client.get(reverse("entry_download", args=[JIANG, YEAR])).status_code == 404
    assert client.post(reverse("entry_upload", args=[JIANG, YEAR])).status_code == 404


def test_another_bureau_of_the_county_sees_only_its_rows_and_cannot_post_into_ours(client, jiang, period, rows):
    client.force_login(user_with_role(Role.BUREAU_STAFF, bureau=Bureau.objects.get(region__code="140826", name="水务局")))
    response = client.get(url())
    names = {r.indicator.name for r in response.context["rows"]}
    assert "森林覆盖率" not in names and "水土保持率" in names
    client.post(url(), post_data([(rows["2"], {"raw": "40"})]))  # a guessed row id of 林业局
    assert not IndicatorValue.objects.filter(indicator=rows["2"]).exists()


def test_a_year_outside_the_plan_or_an_unknown_plan_is_404(staff_client):
    assert staff_client.get(url(year=2019)).status_code == 404
    assert staff_client.get(url(year=2026)).status_code == 404
    assert staff_client.get(url(code="no-such-plan")).status_code == 404
    assert staff_client.get(url(code="140802-2021-2025")).status_code == 404


def test_anonymous_users_are_sent_to_the_login_page(client, period):
    response = client.get(url())
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- saving ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [("36.70", "36.70"), ("３６．７０", "36.70"), ("36.70%", "36.70"), (" 36.7 ％ ", "36.7"), ("36.70 %", "36.70")],
)
def test_tolerated_spellings_are_saved_as_numbers(staff_client, rows, typed, expected):
    response = staff_client.post(url(), post_data([(rows["2"], {"raw": typed, "source": "县林业局年报", "note": "初步数"})]))
    assert response.status_code == 302
    value = IndicatorValue.objects.get(indicator=rows["2"], year=YEAR)
    assert value.number == Decimal(expected)
    assert (value.source, value.note, value.state) == ("县林业局年报", "初步数", workflow.DRAFT)
    assert value.created_by.username == "linye"


def test_saving_a_draft_says_how_many_were_saved_and_records_no_state_change(staff_client, rows):
    response = staff_client.post(url(), post_data([(rows["2"], {"raw": "36.7"}), (rows["3"], {"raw": "0.2‰"})]), follow=True)
    assert "已保存草稿 2 项" in response.content.decode()
    assert IndicatorValue.objects.filter(year=YEAR, state=workflow.DRAFT).count() == 2
    assert not StateChange.objects.exists()


def test_submit_all_sends_every_row_for_review_and_records_who_submitted(staff_client, staff, rows):
    data = post_data([(rows["2"], {"raw": "36.7"}), (rows["3"], {"raw": "0.2"}), (rows["4"], {"raw": "3.1"})], action="submit")
    response = staff_client.post(url(), data, follow=True)
    assert "已提交 3 项" in response.content.decode()
    values = IndicatorValue.objects.filter(year=YEAR)
    assert {v.state for v in values} == {workflow.SUBMITTED}
    assert all(v.submitted_at is not None and not v.late for v in values)
    changes = StateChange.objects.filter(action=workflow.SUBMIT)
    assert changes.count() == 3 and {c.user for c in changes} == {staff}


def test_blank_rows_are_left_alone(staff_client, rows):
    response = staff_client.post(url(), post_data([(rows["2"], {"raw": "36.7"}), (rows["3"], {"raw": "  "})]))
    assert response.status_code == 302
    assert list(IndicatorValue.objects.values_list("indicator__number", flat=True)) == ["2"]


@pytest.mark.parametrize(
    "bad, words",
    [
        ("三十六", "不是有效的数字"),
        ("150", "不能超过 100"),
        ("NaN", "不是有效的数字"),
        ("99999999999999", "超出合理范围"),
    ],
)
def test_a_refused_value_saves_nothing_and_the_form_keeps_what_was_typed(staff_client, rows, bad, words):
    draft = IndicatorValue.objects.create(indicator=rows["4"], year=YEAR, raw="3.0", number=3, state=workflow.DRAFT)
    data = post_data([
        (rows["2"], {"raw": bad, "source": "林业局统计", "version": "0"}),
        (rows["3"], {"raw": "0.25", "note": "火灾 2 起", "version": "0"}),
        (rows["4"], {"raw": "3.2", "version": str(draft.version)}),
    ], action="submit")
    response = staff_client.post(url(), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "「森林覆盖率」" in html and words in html and "未保存" in html
    # what the user typed is shown again, in every row
    assert f'value="{bad}"' in html and 'value="林业局统计"' in html
    assert 'value="0.25"' in html and 'value="火灾 2 起"' in html and 'value="3.2"' in html
    # and nothing was written: no new rows, the existing draft unchanged
    assert IndicatorValue.objects.count() == 1
    draft.refresh_from_db()
    assert (draft.raw, draft.state, draft.version) == ("3.0", workflow.DRAFT, 1)
    assert not StateChange.objects.exists()


def test_every_refused_row_gets_its_own_message(staff_client, rows):
    response = staff_client.post(url(), post_data([(rows["2"], {"raw": "abc"}), (rows["3"], {"raw": "2000"})]))
    assert response.status_code == 400
    errors = {r.indicator.number: r.errors for r in response.context["rows"]}
    assert "「森林覆盖率」" in errors["2"][0] and "「林草火灾受害率」" in errors["3"][0] and errors["4"] == []
    assert "不能超过 1000" in errors["3"][0]


# --- qualitative and water-class rows -------------------------------------------------------


@pytest.fixture
def own_county():
    """A small county of our own with one qualitative and one water-class row."""
    region = RegionFactory(code="990101", name="样例县")
    plan = PlanFactory(region=region, code="990101-2021-2025")
    bureau = BureauFactory(region=region, name="水利局")
    text = IndicatorFactory(plan=plan, key="1", name="河长制落实情况", unit="", baseline_raw="—", target="全面落实", bureaus=[bureau])
    water = IndicatorFactory(plan=plan, key="2", name="出境断面水质", unit="", baseline_raw="Ⅳ类", target="Ⅲ类", bureaus=[bureau])
    open_period(plan, YEAR, None, deadline=timezone.localdate() + timedelta(days=30))
    return plan, bureau, text, water


def test_a_qualitative_row_takes_done_mostly_done_or_not_done(client, own_county):
    plan, bureau, text, water = own_county
    assert (text.value_type, water.value_type) == (Indicator.ValueType.TEXT, Indicator.ValueType.WATER_CLASS)
    client.force_login(user_with_role(Role.BUREAU_STAFF, bureau=bureau))
    html = client.get(url(code=plan.code)).content.decode()
    assert "基本完成" in html and f'name="i{text.pk}-judgement"' in html and "Ⅰ–Ⅴ/劣Ⅴ" in html
    response = client.post(url(code=plan.code), post_data([(text, {"judgement": "mostly_done", "raw": "两条支流未完成"}),
                                                           (water, {"raw": "劣Ⅴ类"})]))
    assert response.status_code == 302
    values = {v.indicator_id: v for v in IndicatorValue.objects.all()}
    assert values[text.pk].judgement == "mostly_done" and values[text.pk].display_value() == "基本完成（两条支流未完成）"
    assert values[water.pk].water_class == 6 and values[water.pk].number is None


def test_a_qualitative_row_without_a_judgement_or_a_wrong_water_class_is_refused(client, own_county):
    plan, bureau, text, water = own_county
    client.force_login(user_with_role(Role.BUREAU_STAFF, bureau=bureau))
    response = client.post(url(code=plan.code), post_data([(text, {"raw": "已落实"}), (water, {"raw": "Ⅲ"})]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "「河长制落实情况」：请选择完成情况" in html
    response = client.post(url(code=plan.code), post_data([(text, {"judgement": "done"}), (water, {"raw": "Ⅵ类"})]))
    assert response.status_code == 400 and "「出境断面水质」" in response.content.decode()
    assert not IndicatorValue.objects.exists()


# --- follow-up rule ------------------------------------------------------------------------


def test_a_change_over_thirty_percent_needs_an_explanation_before_submission(staff_client, rows):
    approved(rows["3"], YEAR - 1, "0.20")
    data = post_data([(rows["3"], {"raw": "0.30"})], action="submit")
    response = staff_client.post(url(), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "「林草火灾受害率」" in html and "超过 30%" in html and "变化说明" in html
    assert not IndicatorValue.objects.filter(year=YEAR).exists()
    # a draft may be saved without it
    assert staff_client.post(url(), post_data([(rows["3"], {"raw": "0.30"})])).status_code == 302
    value = IndicatorValue.objects.get(year=YEAR)
    data = post_data([(rows["3"], {"raw": "0.30", "explanation": "当年发生一起较大火灾", "version": str(value.version)})], action="submit")
    assert staff_client.post(url(), data).status_code == 302
    value.refresh_from_db()
    assert value.state == workflow.SUBMITTED and value.explanation == "当年发生一起较大火灾"
    assert StateChange.objects.get(object_id=value.pk).comment == "当年发生一起较大火灾"


def test_a_binding_indicator_moving_away_from_its_target_needs_an_explanation(staff_client, rows):
    # 森林覆盖率 is binding: baseline 36.07, target 37.07; 35.9 moves away from the target
    response = staff_client.post(url(), post_data([(rows["2"], {"raw": "35.9"})], action="submit"))
    assert response.status_code == 400 and "偏离目标" in response.content.decode()
    response = staff_client.post(url(), post_data([(rows["2"], {"raw": "36.5"})], action="submit"))
    assert response.status_code == 302


# --- locked, returned, concurrent ------------------------------------------------------------


def test_an_approved_value_is_shown_read_only_and_a_forged_post_does_not_change_it(staff_client, rows):
    value = approved(rows["2"], YEAR, "36.9")
    html = staff_client.get(url()).content.decode()
    assert f'name="i{rows["2"].pk}-raw" id="i{rows["2"].pk}-raw" value="36.9"' in html
    field = html.split(f'name="i{rows["2"].pk}-raw"')[1].split(">")[0]
    assert "disabled" in field
    staff_client.post(url(), post_data([(rows["2"], {"raw": "20", "version": str(value.version)})], action="submit"))
    value.refresh_from_db()
    assert (value.raw, value.state, value.version) == ("36.9", workflow.APPROVED, 1)


def test_a_returned_value_shows_the_reason_beside_its_field(staff_client, rows):
    IndicatorValue.objects.create(indicator=rows["2"], year=YEAR, raw="36.9", number=Decimal("36.9"),
                                  state=workflow.RETURNED, return_reason="请附林业普查数据")
    html = staff_client.get(url()).content.decode()
    row_html = html.split(f'id="row-{rows["2"].pk}"')[1].split("</tr>")[0]
    assert "退回原因" in row_html and "请附林业普查数据" in row_html


def test_a_later_save_of_a_value_changed_by_someone_else_is_refused_and_shows_their_change(client, staff, forestry, period, rows):
    colleague = user_with_role(Role.BUREAU_STAFF, bureau=forestry, username="wanglin")
    value = IndicatorValue.objects.create(indicator=rows["2"], year=YEAR, raw="36.1", number=Decimal("36.1"), created_by=staff)
    loaded = value.version
    client.force_login(colleague)
    assert client.post(url(), post_data([(rows["2"], {"raw": "36.8", "version": str(loaded)})])).status_code == 302
    client.force_login(staff)
    response = client.post(url(), post_data([(rows["2"], {"raw": "36.3", "version": str(loaded)})]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "wanglin" in html and "36.8" in html and "您的修改未保存" in html
    assert 'value="36.3"' in html  # the user's own typing is kept to copy from
    value.refresh_from_db()
    assert (value.raw, value.version, value.updated_by) == ("36.8", loaded + 1, colleague)


def test_two_users_who_both_start_from_an_empty_row_cannot_both_create_it(client, staff, forestry, period, rows):
    colleague = user_with_role(Role.BUREAU_STAFF, bureau=forestry)
    client.force_login(colleague)
    assert client.post(url(), post_data([(rows["2"], {"raw": "36.8", "version": "0"})])).status_code == 302
    client.force_login(staff)
    response = client.post(url(), post_data([(rows["2"], {"raw": "36.3", "version": "0"})]))
    assert response.status_code == 400 and "36.8" in response.content.decode()
    assert IndicatorValue.objects.get().raw == "36.8"


# --- query budget --------------------------------------------------------------------------


def _entry_form_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url()).status_code == 200
    return len(queries)


def test_the_form_needs_a_fixed_small_number_of_queries(staff_client, jiang, forestry, rows, django_assert_max_num_queries):
    for number in ("2", "3"):
        approved(rows[number], YEAR - 1, "1.0")
        IndicatorValue.objects.create(indicator=rows[number], year=YEAR, raw="1.1", number=Decimal("1.1"))
    with django_assert_max_num_queries(20):
        staff_client.get(url())
    before = _entry_form_queries(staff_client)
    for n in range(8):
        extra = IndicatorFactory(plan=jiang, key=f"9{n}", number=f"9{n}", name=f"新增林业指标{n}", target="40", bureaus=[forestry],
                                 order=900 + n)
        approved(extra, YEAR - 1, "30")
        IndicatorValue.objects.create(indicator=extra, year=YEAR, raw="31", number=31, state=workflow.RETURNED,
                                      return_reason="请核实")
    assert len(staff_client.get(url()).context["rows"]) == 11
    assert _entry_form_queries(staff_client) == before


def test_a_rate_indicator_records_which_rate_was_reported_and_refuses_a_forged_one(client, jiang):
    ecology = Bureau.objects.get(region__code="140826", name="生态环境分局")
    open_period(jiang, YEAR, None, deadline=timezone.localdate() + timedelta(days=30))
    carbon = jiang.indicators.get(number="20")  # 单位GDP二氧化碳排放降低, %
    assert carbon.is_rate
    client.force_login(user_with_role(Role.BUREAU_STAFF, bureau=ecology))
    assert f'name="i{carbon.pk}-rate_mode"' in client.get(url()).content.decode()
    response = client.post(url(), post_data([(carbon, {"raw": "3.2", "rate_mode": "x" * 20})]))
    assert response.status_code == 400 and "降低率口径" in response.content.decode()
    assert not IndicatorValue.objects.exists()
    assert client.post(url(), post_data([(carbon, {"raw": "3.2", "rate_mode": "cumulative"})])).status_code == 302
    assert IndicatorValue.objects.get().get_rate_mode_display() == "累计降低率（较基期）"
