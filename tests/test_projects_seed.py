"""Loading the key projects of the real plans from projects/data/*.toml."""
import re
import tomllib
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from indicators.models import Bureau
from projects.models import Box, Project, ProjectProgress, Quantity
from projects.seed import ProjectDataError, load_project_file, load_projects

from tests.test_projects_support import JIANG, YUNCHENG, _real_projects_committed, real_projects  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "indicators" / "data" / "sources"  # the published texts, copied into the repository
DATA = ROOT / "projects" / "data"
CODES = [path.stem for path in sorted(DATA.glob("*.toml"))]

pytestmark = pytest.mark.django_db


def data(code):
    return tomllib.loads((DATA / f"{code}.toml").read_text())


def flat(text):
    return re.sub(r"\s+", "", text)


def write(tmp_path, text, code=JIANG):
    path = tmp_path / f"{code}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def jiang_with(tmp_path, old, new):
    text = (DATA / f"{JIANG}.toml").read_text()
    assert old in text
    return write(tmp_path, text.replace(old, new, 1))


@pytest.mark.parametrize("code", CODES)
def test_each_plan_has_as_many_boxes_and_projects_as_its_data_file(real_projects, code):
    boxes = data(code).get("box", [])
    assert Box.objects.filter(plan__code=code).count() == len(boxes)
    assert Project.objects.filter(plan__code=code).count() == sum(len(b.get("project", [])) for b in boxes)
    for box in boxes:
        stored = Box.objects.get(plan__code=code, number=box["number"])
        assert stored.title == box["title"] and stored.scope_only == box.get("scope_only", False)
        assert stored.projects.count() == len(box.get("project", []))


@pytest.mark.parametrize("code", [c for c in CODES if data(c).get("box")])
def test_every_project_content_is_printed_in_the_seed_text(real_projects, code):
    seed_text = flat((SOURCES / data(code)["plan"]["source_document"]).read_text())
    projects = Project.objects.filter(plan__code=code).select_related("box")
    assert projects
    for project in projects:
        assert flat(project.content) in seed_text, project.name
        assert flat(project.content) in flat(project.box.text), project.name


def test_scope_only_boxes_keep_their_text_and_hold_no_projects(real_projects):
    box = Box.objects.get(plan__code=JIANG, number="1")
    assert box.title == "两山两河一流域" and box.scope_only
    assert "一泓清水入黄河" in box.text and not box.projects.exists()


def test_a_project_links_the_indicators_it_serves_and_its_extracted_quantity(real_projects):
    project = Project.objects.get(plan__code=JIANG, name="人工造林")
    assert project.content == "人工造林1万亩" and project.group == "构建绿色屏障"
    assert [i.name for i in project.indicators.all()] == ["森林覆盖率"]
    [quantity] = project.quantities.all()
    assert (quantity.measure, quantity.amount, quantity.unit, quantity.manual) == ("人工造林", Decimal("1"), "万亩", False)


def test_county_names_printed_short_are_matched_to_the_citys_counties(real_projects):
    short = Project.objects.filter(plan__code=YUNCHENG, counties__name="永济市").filter(counties__name="闻喜县")
    assert short.exists()
    for project in Project.objects.filter(plan__code=YUNCHENG).prefetch_related("counties"):
        assert all(c.parent.code == "140800" for c in project.counties.all())


def test_loading_twice_duplicates_nothing_and_writes_no_history(real_projects):
    counts = (Box.objects.count(), Project.objects.count(), Quantity.objects.count())
    history = (Project.history.count(), Quantity.history.count())
    results = load_projects()
    assert all(r.written == 0 for r in results)
    assert (Box.objects.count(), Project.objects.count(), Quantity.objects.count()) == counts
    assert (Project.history.count(), Quantity.history.count()) == history


def test_a_second_run_restores_a_changed_content_in_place(real_projects):
    project = Project.objects.get(plan__code=JIANG, name="封育")
    project.content = "封育2万亩"
    project.save()
    load_projects(files=[DATA / f"{JIANG}.toml"])
    project.refresh_from_db()
    assert project.content == "封育1万亩"
    assert [(q.amount, q.unit) for q in project.quantities.all()] == [(Decimal("1"), "万亩")]


def test_an_administrators_quantity_edit_survives_reloading(real_projects):
    quantity = Quantity.objects.get(project__plan__code=JIANG, project__name="人工造林")
    quantity.amount, quantity.manual = Decimal("1.2"), True
    quantity.save()
    load_projects(files=[DATA / f"{JIANG}.toml"], reextract=True)
    quantity.refresh_from_db()
    assert quantity.amount == Decimal("1.2")
    assert Quantity.objects.filter(project=quantity.project).count() == 1


def test_a_renamed_project_is_updated_in_place(real_projects, tmp_path):
    project = Project.objects.get(plan__code=JIANG, name="封育")
    load_project_file(jiang_with(tmp_path, 'name = "封育"', 'name = "封山育林"'))
    renamed = Project.objects.get(pk=project.pk)
    assert renamed.name == "封山育林"
    assert Project.objects.filter(plan__code=JIANG).count() == sum(len(b.get("project", [])) for b in data(JIANG)["box"])


def test_the_responsible_unit_named_in_the_text_becomes_the_reporting_bureau(real_projects, tmp_path):
    path = jiang_with(tmp_path, 'content = "人工造林1万亩"\ncounties = []\nresponsible = ""',
                      'content = "人工造林1万亩"\ncounties = []\nresponsible = "县林业局、县自然资源局"')
    load_project_file(path)
    project = Project.objects.get(plan__code=JIANG, name="人工造林")
    assert project.responsible == "县林业局、县自然资源局"
    assert project.bureau == Bureau.objects.get(region__code="140826", name="林业局")


@pytest.mark.parametrize("old, new, message", [
    ('counties = []\nresponsible = ""\nindicators = ["2"]', 'counties = ["太原"]\nresponsible = ""\nindicators = ["2"]',
     "所在县「太原」不是绛县或其下级行政区划的名称"),
    ('content = "封育1万亩"', 'content = "封育3万亩"', "不是专栏原文 text 的一部分"),
    ('indicators = ["5", "6"]', 'indicators = ["99"]', "没有序号（行键）为「99」的指标"),
    ('name = "封育"', 'name = "封育"\nstart_year = 2026\nend_year = 2024', "开工年份 2026 晚于完工年份 2024"),
    ('name = "封育"', 'name = "封育"\nlocation = "x"', "未知字段：location"),
])
def test_bad_data_is_refused_with_the_file_box_and_project_named_and_nothing_written(real_projects, tmp_path, old, new, message):
    Project.objects.filter(plan__code=JIANG).delete()
    Box.objects.filter(plan__code=JIANG).delete()
    with pytest.raises(ProjectDataError) as raised:
        load_project_file(jiang_with(tmp_path, old, new))
    [error] = raised.value.errors
    assert error.startswith(f"{JIANG}.toml，专栏2「生态保护修复工程」，第") and message in error
    assert not Box.objects.filter(plan__code=JIANG).exists()


def test_a_file_for_a_plan_not_loaded_is_refused(real_projects, tmp_path):
    path = write(tmp_path, '[plan]\ncode = "999999-2021-2025"\n', code="999999-2021-2025")
    with pytest.raises(ProjectDataError, match="规划 999999-2021-2025 尚未载入"):
        load_project_file(path)


def test_a_project_with_reported_progress_is_not_removed_by_a_reload(real_projects, tmp_path):
    project = Project.objects.get(plan__code=JIANG, name="湿地保护")
    ProjectProgress.objects.create(project=project, year=2022, status="in_progress")
    text = (DATA / f"{JIANG}.toml").read_text()
    cut = text.index('[[box.project]]\nname = "湿地保护"')
    with pytest.raises(ProjectDataError, match="湿地保护.*已有进展填报"):
        load_project_file(write(tmp_path, text[:cut]))
    assert Project.objects.filter(pk=project.pk).exists()
    assert Project.objects.filter(plan__code=JIANG).count() == sum(len(b.get("project", [])) for b in data(JIANG)["box"])


def test_the_management_command_reports_counts_and_fails_on_bad_data(real_projects, tmp_path):
    out = StringIO()
    call_command("load_projects", stdout=out)
    assert "140826-2021-2025：专栏 2 个" in out.getvalue()
    bad = write(tmp_path, "[plan]\ncode = ", code="broken")
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("load_projects", str(bad), stdout=StringIO(), stderr=StringIO())
