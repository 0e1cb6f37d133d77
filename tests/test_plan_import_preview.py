"""The import page: upload (.xlsx or .docx) → preview → confirm. Nothing is saved before confirming."""
import tomllib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from indicators.models import Bureau, BureauAlias, Plan, Region
from indicators.plans import importing
from indicators.plans.seed import PLANS_DIR

from tests.docx_builder import build_docx
from tests.factories import user_with_role

JIANG = "140826-2021-2025"


def data_file(code):
    with open(PLANS_DIR / f"{code}.toml", "rb") as handle:
        return tomllib.load(handle)


def new_plan_document():
    """绛县's table as a 临猗县 plan document: a plan not in the database (示例数据)."""
    data = data_file(JIANG)
    data["plan"]["title"] = data["plan"]["title"].replace("绛县", "临猗县") + "（示例数据）"
    return build_docx(data)


@pytest.fixture
def admin(client, real_plans):
    client.force_login(user_with_role(Role.ADMIN))
    return client


def upload(client, content, name="plan.docx"):
    return client.post(reverse("plan_import"), {"file": SimpleUploadedFile(name, content)})


def confirm(client, **fields):
    return client.post(reverse("plan_import"), {"action": "confirm", "token": client.session["plan_import"]["token"], **fields})


def test_uploading_a_word_document_shows_every_row_and_saves_nothing(admin):
    response = upload(admin, new_plan_document())
    assert response.status_code == 200
    html = response.content.decode()
    preview = response.context["preview"]
    assert len(preview.rows) == 29 and preview.table.code == "140821-2021-2025" and preview.existing is None
    assert 'value="生态保护红线占国土面积比例"' in html and "不低于基期值" in html  # 不减少 in plain words
    assert "完成市下达指标（待下达数值）" in html
    assert not Plan.objects.filter(code="140821-2021-2025").exists()
    response = confirm(admin)
    assert response.status_code == 302
    plan = Plan.objects.get(code="140821-2021-2025")
    assert plan.indicators.count() == 29 and plan.region.name == "临猗县"
    assert "plan_import" not in admin.session


def test_the_preview_matches_each_bureau_to_an_existing_one_an_alias_or_a_new_one(admin):
    linyi = Region.objects.get(code="140821")
    Bureau.objects.create(region=linyi, name="林业局")
    BureauAlias.objects.create(region=linyi, alias="自然资源局", bureau=Bureau.objects.create(region=linyi, name="规划和自然资源局"))
    preview = upload(admin, new_plan_document()).context["preview"]
    matches = {b.name: b for row in preview.rows for b in row.bureaus}
    assert matches["林业局"].status == "existing"
    assert matches["自然资源局"].status == "alias" and matches["自然资源局"].bureau == "规划和自然资源局"
    assert matches["水务局"].status == "new"


def test_cells_and_plan_fields_corrected_in_the_preview_are_what_is_saved(admin):
    upload(admin, new_plan_document())
    response = admin.post(reverse("plan_import"), {"action": "recheck", "token": admin.session["plan_import"]["token"],
                                                   "row-1-target-2025": "≥38", "title": "临猗县规划（改，示例数据）"})
    assert response.status_code == 200 and "不低于 38" in response.content.decode()
    assert not Plan.objects.filter(code="140821-2021-2025").exists()
    assert confirm(admin).status_code == 302
    plan = Plan.objects.get(code="140821-2021-2025")
    assert plan.title == "临猗县规划（改，示例数据）"
    assert plan.indicators.get(key="2").targets.get().raw == "≥38"


def test_a_preview_with_errors_is_refused_on_confirm_and_names_the_problem(admin):
    upload(admin, new_plan_document())
    response = confirm(admin, **{"row-0-name": "", "region_code": "999999"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "指标名称不能为空" in html and "行政区划 999999 不存在" in html
    assert not Plan.objects.filter(code="140821-2021-2025").exists()


def test_a_reimport_of_an_existing_plan_shows_what_would_change(admin):
    data = data_file(JIANG)
    data["indicator"][1]["targets"]["2025"] = "38"
    del data["indicator"][6]
    preview = upload(admin, build_docx(data)).context["preview"]
    assert preview.existing.code == JIANG
    changes = {row.row.key: (row.change, row.changed_fields) for row in preview.rows}
    assert changes["2"] == ("changed", ["目标"]) and changes["1"] == ("same", [])
    assert [row.key for row in preview.removed] == ["7"]
    assert Plan.objects.get(code=JIANG).indicators.get(key="2").targets.get().raw == "37.07"


def test_a_malformed_word_document_gets_a_chinese_message_not_a_server_error(admin):
    response = upload(admin, b"PK\x03\x04 this is not a zip")
    assert response.status_code == 400
    assert "已损坏" in response.content.decode()
    response = upload(admin, b"hello", name="plan.txt")
    assert response.status_code == 400 and "只能导入" in response.content.decode()


def test_a_confirm_without_a_preview_in_the_session_asks_to_upload_again(admin):
    response = admin.post(reverse("plan_import"), {"action": "confirm", "token": "forged"}, follow=True)
    assert "导入预览已过期" in response.content.decode()


def test_a_doc_file_without_libreoffice_asks_for_a_docx(admin, monkeypatch):
    monkeypatch.setattr(importing.shutil, "which", lambda name: None)
    response = upload(admin, b"\xd0\xcf\x11\xe0 old word file", name="规划.doc")
    assert response.status_code == 400
    html = response.content.decode()
    assert "未安装 LibreOffice" in html and "另存为” .docx" in html


def test_the_key_project_boxes_of_the_document_are_imported_as_projects_when_chosen(admin):
    from projects.models import Project

    data = data_file(JIANG)
    data["plan"]["title"] = data["plan"]["title"].replace("绛县", "临猗县") + "（示例数据）"
    response = upload(admin, build_docx(data, box_before=True))
    assert "同时将以上专栏导入为重点工程" in response.content.decode()
    assert [box["title"] for box in response.context["preview"].boxes] == ["重点工程（示例数据）"]
    assert confirm(admin, import_boxes="1").status_code == 302
    project = Project.objects.get(plan__code="140821-2021-2025")
    assert (project.box.number, project.name, project.content, project.responsible) == ("1", "示例湿地保护工程", "修复湿地 100 公顷", "林业局")


@pytest.mark.parametrize("form", ["paragraphs", "text box", "bordered paragraphs", "heading above a table"])
def test_a_key_project_box_written_as_paragraphs_is_offered_and_imported_as_the_same_project_as_a_table(admin, form):
    from projects.models import Project

    from tests.docx_builder import BOX_PROJECT

    data = data_file(JIANG)
    data["plan"]["title"] = data["plan"]["title"].replace("绛县", "临猗县") + "（示例数据）"
    response = upload(admin, build_docx(data, box_before=True, box_form=form))
    assert [(box["number"], box["title"]) for box in response.context["preview"].boxes] == [("1", "重点工程（示例数据）")]
    assert "示例湿地保护工程" in response.content.decode()
    assert confirm(admin, import_boxes="1").status_code == 302
    project = Project.objects.get(plan__code="140821-2021-2025")
    assert (project.box.number, project.name, project.content, project.responsible) == BOX_PROJECT


def test_a_row_split_across_a_page_break_is_one_row_in_the_preview_with_a_warning_naming_both_rows(admin):
    data = data_file(JIANG)
    data["plan"]["title"] = data["plan"]["title"].replace("绛县", "临猗县") + "（示例数据）"
    response = upload(admin, build_docx(data, split_row=True))
    preview = response.context["preview"]
    assert [item.row.name for item in preview.rows] == [row["name"] for row in data["indicator"]]
    warned = [item for item in preview.rows if any("跨页拆开" in w for w in item.warnings)]
    assert len(warned) == 1 and warned[0].row.name == "二氧化硫排放总量减少"
    row = warned[0].row.source_row
    assert f"第 {row} 行「跨页续行」：第 {row + 1} 行（序号为空）" in response.content.decode()
    # …still shown after a recheck, and in English for an administrator reading English.
    response = admin.post(reverse("plan_import"), {"action": "recheck", "token": admin.session["plan_import"]["token"]})
    assert "跨页拆开" in response.content.decode()
    response = admin.post(reverse("plan_import"), {"file": SimpleUploadedFile("plan.docx", build_docx(data, split_row=True))},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert "(no number) is the second half of this row, split across a page break" in response.content.decode()


def test_boxes_are_not_imported_unless_chosen(admin):
    from projects.models import Box

    data = data_file(JIANG)
    data["plan"]["title"] = data["plan"]["title"].replace("绛县", "临猗县") + "（示例数据）"
    upload(admin, build_docx(data, box_before=True))
    assert confirm(admin).status_code == 302
    assert not Box.objects.filter(plan__code="140821-2021-2025").exists()


def test_a_new_plan_of_a_region_is_matched_to_its_previous_plan_and_baselines_are_checked(admin):
    """A 2026–2030 plan for 绛县 (示例数据), built from the 2021–2025 table."""
    from decimal import Decimal

    from indicators.models import Indicator, IndicatorValue

    forest = Indicator.objects.get(plan__code=JIANG, key="2")  # 森林覆盖率
    IndicatorValue.objects.create(indicator=forest, year=2025, raw="37.2", number=Decimal("37.2"), state="approved",
                                  synthetic=True)
    response = upload(admin, next_plan_document())
    preview = response.context["preview"]
    assert preview.table.code == "140826-2026-2030" and preview.previous_plan.code == JIANG
    rows = {r.row.key: r for r in preview.rows}
    assert rows["2"].succession.previous == forest
    assert rows["3"].succession.previous is None
    assert [r.row.key for r in preview.baseline_differences] == ["2"]
    html = response.content.decode()
    assert "本规划印为 37.07，上一规划 2025 年审核值为 37.2" in html and "上一规划无对应指标" in html


def next_plan_data():
    """绛县's 2021–2025 plan data as its 2026–2030 plan (示例数据): base year 2025, every target for 2030."""
    data = data_file(JIANG)
    data["plan"].update(title="绛县“十五五”生态保护规划（示例数据）", base_year=2025, milestone_years=[2030])
    for item in data["indicator"]:
        item["targets"] = {"2030": text for text in item["targets"].values()}
    return data


def next_plan_document():
    """The 2026–2030 plan document: 森林覆盖率's baseline printed as 37.07, row 3 renamed so that
    nothing matches it."""
    data = next_plan_data()
    data["indicator"][1]["baseline"] = "37.07"
    data["indicator"][2]["name"] = "示例数据新增指标"
    return build_docx(data)


def _selected(html, index):
    import re

    select = re.search(rf'<select name="row-{index}-predecessor">(.*?)</select>', html, re.S).group(1)
    return re.search(r'<option value="([^"]+)" selected>', select).group(1)


def test_the_confirmed_predecessors_are_stored_as_chosen_and_shown_again_on_reimport(admin):
    from decimal import Decimal

    from indicators.models import Indicator, IndicatorValue

    old = {i.key: i for i in Indicator.objects.filter(plan__code=JIANG)}
    IndicatorValue.objects.create(indicator=old["2"], year=2025, raw="37.2", number=Decimal("37.2"), state="approved",
                                  synthetic=True)
    response = upload(admin, next_plan_document())
    html = response.content.decode()
    # Proposed: 森林覆盖率 → the old 森林覆盖率 (catalog), the renamed row → none.
    assert _selected(html, 1) == str(old["2"].pk) and _selected(html, 2) == "none" and _selected(html, 0) == str(old["1"].pk)
    assert f'<option value="{old["3"].pk}">3 {old["3"].name}</option>' in html  # any other row can be picked
    assert [r.row.key for r in response.context["preview"].baseline_differences] == ["2"]

    # Change 森林覆盖率 to 无对应指标 and the new row to the old row 3; recheck saves nothing.
    choices = {"row-1-predecessor": "none", "row-2-predecessor": str(old["3"].pk)}
    response = admin.post(reverse("plan_import"), {"action": "recheck", "token": admin.session["plan_import"]["token"], **choices})
    html = response.content.decode()
    assert response.status_code == 200 and _selected(html, 1) == "none" and _selected(html, 2) == str(old["3"].pk)
    assert response.context["preview"].baseline_differences == []  # the chosen link, not the catalog's
    assert not Plan.objects.filter(code="140826-2026-2030").exists()

    assert confirm(admin).status_code == 302  # the choices were kept from the recheck
    new = {i.key: i for i in Indicator.objects.filter(plan__code="140826-2026-2030")}
    assert (new["2"].predecessor, new["2"].predecessor_confirmed) == (None, True)
    assert (new["3"].predecessor, new["3"].predecessor_confirmed) == (old["3"], True)
    assert new["1"].predecessor == old["1"] and new["5"].predecessor == old["5"]  # the proposals as shown
    assert all(i.predecessor_confirmed for i in new.values())

    # A re-import shows the stored match as the default.
    response = upload(admin, next_plan_document())
    html = response.content.decode()
    rows = {r.row.key: r.succession for r in response.context["preview"].rows}
    assert (rows["2"].previous, rows["2"].by) == (None, "stored") and (rows["3"].previous, rows["3"].by) == (old["3"], "stored")
    assert _selected(html, 1) == "none" and _selected(html, 2) == str(old["3"].pk) and "（已保存的对应）" in html
    # …and changing one there updates only that link, with a history row.
    before = new["3"].history.count()
    assert confirm(admin, **{"row-2-predecessor": str(old["4"].pk)}).status_code == 302
    new["3"].refresh_from_db()
    assert new["3"].predecessor == old["4"] and new["3"].history.count() == before + 1
    assert new["3"].history.order_by("-history_id").first().history_user is not None
    assert Indicator.objects.get(pk=new["2"].pk).predecessor is None


def test_a_forged_predecessor_is_refused_with_the_row_named(admin):
    from indicators.models import Indicator

    upload(admin, next_plan_document())
    foreign = Indicator.objects.get(plan__code="140802-2021-2025", key="2")
    response = confirm(admin, **{"row-1-predecessor": str(foreign.pk)})
    assert response.status_code == 400
    assert "指标「森林覆盖率」选择的对应指标不属于上一规划 140826-2021-2025" in response.content.decode()
    assert not Plan.objects.filter(code="140826-2026-2030").exists()
