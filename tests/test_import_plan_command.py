"""`manage.py import_plan FILE --dry-run --json`: one JSON object, nothing saved, for .xlsx and .docx."""
import json
import tomllib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.models import Plan
from indicators.plans.seed import PLANS_DIR
from indicators.plans.services import plan_table_from_db
from indicators.plans.targets import TARGET_KINDS, VALUE_KINDS
from indicators.plans.xlsx import write_plan_table

from tests.docx_builder import build_docx

YANHU = "140802-2021-2025"


def data_file(code):
    with open(PLANS_DIR / f"{code}.toml", "rb") as handle:
        return tomllib.load(handle)


def dry_run(path, capsys):
    call_command("import_plan", str(path), "--dry-run", "--json")
    return json.loads(capsys.readouterr().out)


@pytest.mark.django_db
def test_a_dry_run_of_a_word_document_prints_the_contract_and_saves_nothing(real_plans, tmp_path, capsys):
    data = data_file(YANHU)
    data["plan"]["title"] = "盐湖区规划（改过的标题，示例数据）"
    path = tmp_path / "plan.docx"
    path.write_bytes(build_docx(data))
    before = plan_table_from_db(Plan.objects.get(code=YANHU))
    payload = dry_run(path, capsys)
    assert set(payload) == {"plan", "rows", "errors"}
    assert payload["errors"] == []
    assert payload["plan"]["code"] == YANHU and payload["plan"]["title"].startswith("盐湖区规划（改过")
    assert len(payload["rows"]) == 30
    row = next(r for r in payload["rows"] if r["name"] == "氨氮排放总量减少")
    assert set(row) == {"number", "name", "unit", "baseline", "targets", "attribute", "responsible", "parent"}
    assert row["parent"] == "16" and row["number"] == "" and row["responsible"] == ["生态环境局"]
    assert row["baseline"] == {"raw": "4.13万吨*", "kind": "number", "number": 4.13}
    forest = next(r for r in payload["rows"] if r["targets"]["2025"]["raw"] == "8-10")
    assert forest["targets"]["2025"] == {"raw": "8-10", "kind": "range", "number": None, "low": 8.0, "high": 10.0}
    assert all(r["attribute"] in ("binding", "expected", None) for r in payload["rows"])
    assert {t["kind"] for r in payload["rows"] for t in r["targets"].values()} <= set(TARGET_KINDS)
    assert {r["baseline"]["kind"] for r in payload["rows"]} <= set(VALUE_KINDS)
    assert plan_table_from_db(Plan.objects.get(code=YANHU)) == before


@pytest.mark.django_db
def test_the_xlsx_template_and_the_word_document_of_a_plan_give_the_same_dry_run_rows(real_plans, tmp_path, capsys):
    code = "140826-2021-2025"
    xlsx = tmp_path / "plan.xlsx"
    xlsx.write_bytes(write_plan_table(plan_table_from_db(Plan.objects.get(code=code))))
    document = tmp_path / "plan.docx"
    document.write_bytes(build_docx(data_file(code)))
    from_xlsx, from_docx = dry_run(xlsx, capsys), dry_run(document, capsys)
    assert from_xlsx["errors"] == [] and from_docx["errors"] == []
    assert from_xlsx["rows"] == from_docx["rows"]
    assert from_xlsx["plan"]["code"] == from_docx["plan"]["code"] == code


@pytest.mark.django_db
def test_a_dry_run_with_errors_prints_them_in_the_json_and_fails(real_plans, tmp_path, capsys):
    data = data_file("140405-2021-2025")
    data["indicator"][3]["name"] = ""
    path = tmp_path / "bad.docx"
    path.write_bytes(build_docx(data))
    with pytest.raises(CommandError, match="未保存任何内容"):
        call_command("import_plan", str(path), "--dry-run", "--json")
    payload = json.loads(capsys.readouterr().out)
    assert any(e["field"] == "指标" and "不能为空" in e["message"] for e in payload["errors"])


@pytest.mark.django_db
def test_a_word_document_of_a_new_plan_is_saved_by_the_command(real_plans, tmp_path):
    data = data_file("140826-2021-2025")
    data["plan"]["title"] = data["plan"]["title"].replace("绛县", "临猗县") + "（示例数据）"
    path = tmp_path / "new.docx"
    path.write_bytes(build_docx(data))
    call_command("import_plan", str(path))
    created = Plan.objects.get(code="140821-2021-2025")
    assert created.region.name == "临猗县" and created.indicators.count() == len(data["indicator"])


def test_a_file_of_another_format_is_refused_in_chinese(tmp_path, db):
    path = tmp_path / "plan.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(CommandError, match="只能导入"):
        call_command("import_plan", str(path), "--dry-run")


@pytest.mark.django_db
def test_a_dry_run_of_a_document_with_a_row_split_across_a_page_break_gives_the_same_rows_and_says_so(real_plans, tmp_path, capsys):
    data = data_file(YANHU)
    whole, split = tmp_path / "whole.docx", tmp_path / "split.docx"
    whole.write_bytes(build_docx(data))
    split.write_bytes(build_docx(data, split_row=True))
    assert dry_run(split, capsys)["rows"] == dry_run(whole, capsys)["rows"]
    call_command("import_plan", str(split), "--dry-run")
    assert "「跨页续行」" in capsys.readouterr().err
