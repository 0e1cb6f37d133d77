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
