"""The English catalog: complete, compiled, and actually used when a user picks English.

Chinese is the source language (LANGUAGE_CODE zh-hans); English comes from
locale/en/LC_MESSAGES/django.po, compiled into the committed django.mo.
"""
import ast
import io
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import Role

from tests.report_support import freeze_final_report
from tests.factories import user_with_role

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


def _unquote(quoted):
    # A .po string literal uses C escapes, which a Python string literal reads the same way.
    return ast.literal_eval(quoted)


def parse_po(path):
    """The .po's entries as dicts: msgid, msgid_plural, msgstr (list), flags, obsolete. Header excluded."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}, "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, quoted = match.groups()
            if keyword.startswith("msgstr"):
                field = ("msgstr", int(index or 0))
                entry["msgstr"][field[1]] = _unquote(quoted)
            else:
                field = (keyword, None)
                entry[keyword] = _unquote(quoted)
        elif line.startswith('"') and field is not None:
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += _unquote(line)
            else:
                entry[field[0]] += _unquote(line)
        else:
            raise AssertionError(f"unparsable line in {path.name}: {raw!r}")
    return [
        {**e, "msgstr": [e["msgstr"][i] for i in sorted(e["msgstr"])]}
        for e in entries
        if e["msgid"] != "" and not e["obsolete"]
    ]


def _label(entry):
    return entry["msgid"][:60]


@pytest.fixture(scope="module")
def po_entries():
    assert PO_FILE.exists(), "run: manage.py makemessages -l en --ignore=.venv --ignore=benchmarks"
    entries = parse_po(PO_FILE)
    assert len(entries) > 100, "the English catalog looks truncated"
    return entries


@pytest.fixture(autouse=True)
def _restore_language():
    """Requests in English must not leave English active for the next test in this thread."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_header_is_not_fuzzy_and_declares_english():
    header = PO_FILE.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "#, fuzzy" not in header
    assert '"Language: en\\n"' in header
    assert "charset=UTF-8" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header


def test_every_message_is_translated_and_none_is_fuzzy(po_entries):
    fuzzy = [_label(e) for e in po_entries if "fuzzy" in e["flags"]]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    untranslated = [_label(e) for e in po_entries if not e["msgstr"] or any(not s.strip() for s in e["msgstr"])]
    assert not untranslated, f"untranslated entries: {untranslated}"
    plurals_incomplete = [_label(e) for e in po_entries if "msgid_plural" in e and len(e["msgstr"]) != 2]
    assert not plurals_incomplete, f"plural entries without both English forms: {plurals_incomplete}"


def test_translations_keep_their_placeholders(po_entries):
    """`%(year)s` renamed or dropped in a translation raises KeyError or loses data at run time."""
    broken = []
    for e in po_entries:
        wanted = sorted(_PLACEHOLDER.findall(e["msgid"]))
        for msgstr in e["msgstr"]:
            if sorted(_PLACEHOLDER.findall(msgstr)) != wanted:
                broken.append((_label(e), msgstr))
    assert not broken, f"placeholders differ: {broken}"


def test_translations_are_english(po_entries):
    """Chinese may stay only where it quotes the source (“约”) or is a proper name kept as is."""
    cjk = re.compile(r"[\u4e00-\u9fff]")
    suspicious = [
        (_label(e), s) for e in po_entries for s in e["msgstr"]
        if s != e["msgid"] and cjk.search(re.sub(r"“[^”]*”", "", s))
    ]
    assert not suspicious, f"translations still in Chinese: {suspicious}"


def test_compiled_catalog_matches_the_po(po_entries):
    """The committed .mo is what Django loads; it must hold exactly the .po's translations."""
    assert MO_FILE.exists(), "run: manage.py compilemessages --ignore=.venv"
    with MO_FILE.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    assert catalog.info().get("language") == "en"
    stale = []
    for e in po_entries:
        if "msgid_plural" in e:
            got = [catalog.ngettext(e["msgid"], e["msgid_plural"], n) for n in (1, 2)]
        elif "msgctxt" in e:
            got = [catalog.pgettext(e["msgctxt"], e["msgid"])]
        else:
            got = [catalog.gettext(e["msgid"])]
        if got != e["msgstr"]:
            stale.append((_label(e), got, e["msgstr"]))
    assert not stale, f"django.mo is out of date — run compilemessages: {stale[:10]}"


def test_django_translates_with_the_catalog():
    with translation.override("en"):
        assert translation.gettext("规划") == "Plans"
        assert translation.ngettext("%(counter)s 项待审核", "%(counter)s 项待审核", 1) == "%(counter)s item awaiting review"
        assert translation.ngettext("%(counter)s 项待审核", "%(counter)s 项待审核", 3) == "%(counter)s items awaiting review"
    with translation.override("zh-hans"):
        assert translation.gettext("规划") == "规划"


def _nav_link(html, url_name):
    match = re.search(rf'<a href="{re.escape(reverse(url_name))}">([^<]*)</a>', html)
    assert match, f"no navigation link to {url_name}"
    return match.group(1).strip()


@pytest.fixture
def admin_client(client, db):
    client.force_login(user_with_role(Role.ADMIN))
    return client


def test_home_is_chinese_by_default(admin_client):
    response = admin_client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert _nav_link(html, "plan_list") == "规划"
    assert _nav_link(html, "project_list") == "重点工程"


def test_home_follows_accept_language(admin_client):
    response = admin_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert _nav_link(html, "plan_list") == "Plans"
    assert _nav_link(html, "project_list") == "Key projects"
    assert _nav_link(html, "notification_list") == "Notifications"
    assert "规划" not in re.search(r"<nav.*?</nav>", html, re.S).group(0)


def test_language_switcher_sets_english(admin_client):
    response = admin_client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    html = admin_client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html
    assert _nav_link(html, "plan_list") == "Plans"
    # …and back to Chinese.
    admin_client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    html = admin_client.get(reverse("home")).content.decode()
    assert _nav_link(html, "plan_list") == "规划"


@pytest.mark.django_db
def test_main_pages_in_english_show_no_chinese_outside_plan_data(client):
    """Each role's main pages over the real plans and the demo data, rendered in English: every
    Chinese character left is plan data (names, raw cells, bureaus, what people typed). The
    "why this status" steps, the plan's verdict and the target readings are checked like the rest."""
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from tests.i18n_pages import english_pages, leftover_chinese, plan_data_strings

    for command in ("load_seed_data", "create_demo_users", "open_demo_periods", "generate_demo_values",
                    "generate_demo_progress"):
        call_command(command, stdout=io.StringIO())
    data = plan_data_strings()
    pages = english_pages()
    assert len(pages) > 40
    leftovers = {}
    for username, url in pages:
        client.force_login(User.objects.get(username=username))
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="en">' in html, url
        left = leftover_chinese(html, data)
        if left:
            leftovers[url] = sorted(set(left))[:10]
    assert not leftovers, leftovers


def test_leftover_chinese_finds_interface_text_and_skips_plan_data():
    from tests.i18n_pages import leftover_chinese

    page = '<p>Status: 已完成</p><td>森林覆盖率</td>'
    assert leftover_chinese(page, ["森林覆盖率"]) == ["已完成"]


def test_text_marked_chinese_is_still_checked():
    """Nothing is exempt for its lang="zh-hans": the "why this status" steps, the verdict, the
    target readings and the evaluation settings are all shown in the reader's language."""
    from tests.i18n_pages import leftover_chinese

    page = ('<ol class="small" lang="zh-hans"><li>序时进度：1</li></ol><p lang="zh-hans">预评：合格</p>'
            '<ul class="small settings" lang="zh-hans"><li>合格线</li></ul>')
    assert leftover_chinese(page, []) == ["序时进度：", "预评：合格", "合格线"]


def test_punctuation_follows_the_language():
    from django.template import Context, Template

    template = Template('{% load display %}{% translate "已开工" %}{{ share|paren }}{% colon %}{{ years|listing }}'
                        .replace("{% translate", "{% load i18n %}{% translate"))
    context = Context({"share": "95.6%", "years": [2025, 2035]})
    with translation.override("en"):
        assert template.render(context) == "Started (95.6%): 2025, 2035"
    with translation.override("zh-hans"):
        assert template.render(context) == "已开工（95.6%）：2025、2035"


# --- the plan import pages, the API token page, set-up refusals and the report pages -------------

JIANG = "140826-2021-2025"


def _plan_data_file(code):
    import tomllib

    from indicators.plans.seed import PLANS_DIR

    with open(PLANS_DIR / f"{code}.toml", "rb") as handle:
        return tomllib.load(handle)


def _english_leftovers(response, data):
    from tests.i18n_pages import leftover_chinese

    html = response.content.decode()
    assert '<html lang="en">' in html
    return sorted(set(leftover_chinese(html, data)))


def _assert_no_chinese_outside_plan_data(pages, data):
    """Every page answered (200, or 400 for a refused upload) in English with no Chinese left."""
    leftovers = {}
    for name, response in pages.items():
        assert response.status_code in (200, 400), name
        left = _english_leftovers(response, data)
        if left:
            leftovers[name] = left[:10]
    assert not leftovers, leftovers


@pytest.mark.django_db
def test_plan_import_pages_and_previews_in_english_show_no_chinese_outside_plan_data(client, real_plans):
    """Every real plan uploaded as its Word document (with a 专栏 box and a row split across a page
    break) and as the .xlsx template, the next plan of 绛县 (matched to its predecessor) with an
    error, a recheck with a plan-level error, and a file of the wrong kind — all read in English."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from indicators.models import Plan
    from indicators.plans.services import plan_table_from_db
    from indicators.plans.xlsx import write_plan_table
    from tests.docx_builder import BOX_PROJECT, BOX_TITLE, build_docx
    from tests.i18n_pages import plan_data_strings

    client.force_login(user_with_role(Role.ADMIN))
    next_title = "绛县“十五五”生态保护规划（示例数据）"
    # What the uploaded documents print beyond the stored plans (示例数据 of tests/docx_builder.py).
    printed = [next_title, *BOX_TITLE.split(), *BOX_PROJECT]
    data = sorted(set(plan_data_strings()) | set(printed), key=len, reverse=True)
    en = {"HTTP_ACCEPT_LANGUAGE": "en"}

    def upload(name, content):
        return client.post(reverse("plan_import"), {"file": SimpleUploadedFile(name, content)}, **en)

    pages = {"form": client.get(reverse("plan_import"), **en), "wrong kind": upload("plan.txt", b"not a plan")}
    assert pages["form"].status_code == 200 and pages["wrong kind"].status_code == 400
    assert "Only the .xlsx template or the plan&#x27;s Word document can be imported" in pages["wrong kind"].content.decode()
    for plan in Plan.objects.filter(synthetic=False):
        document = build_docx(_plan_data_file(plan.code), box_before=True, split_row=True)
        pages[f"{plan.code}.docx"] = upload("plan.docx", document)
        pages[f"{plan.code}.xlsx"] = upload("plan.xlsx", write_plan_table(plan_table_from_db(plan)))
    following = _plan_data_file(JIANG)
    following["plan"].update(title=next_title, base_year=2025, milestone_years=[2030])
    for item in following["indicator"]:
        item["targets"] = {"2030": text for text in item["targets"].values()}
    following["indicator"][3]["name"] = ""
    pages["next plan"] = upload("plan.docx", build_docx(following))
    pages["recheck"] = client.post(reverse("plan_import"), {
        "action": "recheck", "token": client.session["plan_import"]["token"], "base_year": "1900"}, **en)
    _assert_no_chinese_outside_plan_data(pages, data)
    # …and the pages say what they are about, in English.
    jiang = pages[f"{JIANG}.docx"].content.decode()
    assert "Import preview" in jiang and f"Plan {JIANG} already exists; confirming updates it." in jiang
    assert "existing bureau" in jiang and "Boxes in the document (key projects)" in jiang
    assert "(no number) is the second half of this row, split across a page break" in jiang
    following_page = pages["next plan"].content.decode()
    assert "Matches" in following_page and "Indicator, Indicator: The indicator name must not be empty." not in following_page
    assert re.search(r"Row \d+, Indicator: The indicator name must not be empty\.", following_page)
    assert "Plan details, Baseline year: Must be a year from 1949 to 2100." in pages["recheck"].content.decode()


@pytest.mark.django_db
def test_a_readers_warning_for_a_row_reads_in_the_pages_language_with_its_row_number(client, real_plans):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.docx_builder import build_docx

    client.force_login(user_with_role(Role.ADMIN))
    data = _plan_data_file(JIANG)
    data["plan"]["title"] = data["plan"]["title"].replace("绛县", "临猗县") + "（示例数据）"
    data["indicator"][1]["targets"] = {"2025": "明显改善（示例数据）"}  # no number to read: judged by hand
    content = build_docx(data)

    def preview(language):
        response = client.post(reverse("plan_import"), {"file": SimpleUploadedFile("plan.docx", content)},
                               HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        item = next(i for i in response.context["preview"].rows if i.row.name == data["indicator"][1]["name"])
        return response.content.decode(), item

    html, item = preview("en")
    row = item.row.source_row
    warning = f"Row {row}, Target 2025: “明显改善（示例数据）” cannot be read automatically and needs judging by hand."
    assert item.warnings == [warning] and warning in html
    html, item = preview("zh-hans")
    assert item.warnings == [f"第 {row} 行「2025年目标」：「明显改善（示例数据）」无法自动识别，需人工判断。"]


def test_the_dry_run_json_keeps_its_chinese_messages_whatever_language_is_active():
    """`manage.py import_plan --json` is read by programs: its messages do not follow the language."""
    from indicators.plans.importing import describe_import, row_warnings
    from indicators.plans.table import IndicatorRow, PlanTable, validate

    table = PlanTable(code="x", region_code="1", title="", base_year=2020, milestone_years=[2025],
                      rows=[IndicatorRow(key="1", name="", targets={2025: "明显改善（示例数据）"}, source_row=4)])
    with translation.override("en"):
        payload = describe_import(table, validate(table) + row_warnings(table))
        problem = validate(table)[0]
    assert {"row": None, "field": "规划名称", "message": "不能为空。"} in payload["errors"]
    assert {"row": 4, "field": "指标", "message": "指标名称不能为空。"} in payload["errors"]
    assert {"row": 4, "field": "2025年目标", "message": "「明显改善（示例数据）」无法自动识别，需人工判断。"} in payload["errors"]
    assert str(problem).startswith("规划信息「规划编码」：")


@pytest.mark.django_db
def test_token_set_up_period_and_report_pages_in_english_show_no_chinese_outside_plan_data(
        client, real_plans, settings, tmp_path, django_capture_on_commit_callbacks):
    """The states a quick look misses: tokens issued and refused, set-up fixes refused, a final
    report asking for confirmation, and a frozen report as its reviewer and its leader see it (the
    report's own text is the Chinese document, marked lang="zh-hans")."""
    from indicators.models import Region
    from tests.i18n_pages import plan_data_strings

    settings.MEDIA_ROOT = tmp_path
    data = plan_data_strings()
    en = {"HTTP_ACCEPT_LANGUAGE": "en"}
    token, setup, periods = reverse("api_token"), reverse("plan_setup", args=[JIANG]), reverse("period_list", args=[JIANG])
    client.force_login(user_with_role(Role.ADMIN))
    pages = {
        "no token": client.get(token, **en),
        "read-only token": client.post(token, {"action": "create", "name": "sync", "read_only": "1"}, **en),
        "second token": client.post(token, {"action": "create", "name": "backup"}, **en),
        "unknown token action": client.post(token, {"action": "rename"}, **en),
        "tokens revoked": client.post(token, {"action": "revoke"}, follow=True, **en),
        "nothing to revoke": client.post(token, {"action": "revoke"}, follow=True, **en),
        "set-up, nothing ticked": client.post(setup, {"action": "bureau", "bureau": Region.objects.get(code="140826").bureaus.first().pk},
                                              follow=True, **en),
        "set-up, year outside": client.post(setup, {"action": "periods", "year": ["2021", "2030"]}, follow=True, **en),
        "set-up, period opened": client.post(setup, {"action": "periods", "year": ["2021"]}, follow=True, **en),
        "periods, year outside": client.post(periods, {"year": "2040"}, **en),
    }
    assert "Tick at least one indicator." in pages["set-up, nothing ticked"].content.decode()
    assert "Years 2030 are outside the plan period 2021–2025." in pages["set-up, year outside"].content.decode()
    client.force_login(user_with_role(Role.REVIEWER, region=Region.objects.get(code="140800")))
    pages["final report, confirm"] = client.post(reverse("report_list", args=[JIANG]), {"kind": "final"}, **en)
    report = freeze_final_report(client, JIANG, django_capture_on_commit_callbacks)
    pages["report, reviewer"] = client.get(reverse("report_detail", args=[JIANG, report.pk]), **en)
    pages["reports, reviewer"] = client.get(reverse("report_list", args=[JIANG]), **en)
    client.force_login(user_with_role(Role.LEADER, region=Region.objects.get(code="140800")))
    pages["report, leader"] = client.get(reverse("report_detail", args=[JIANG, report.pk]), **en)
    _assert_no_chinese_outside_plan_data(pages, data)
    assert "I. Overview" in pages["report, reviewer"].content.decode()
    assert "Conclusion: Fail" in pages["report, leader"].content.decode()
