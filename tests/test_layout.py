"""Layout at any width: every main page fits a 1366 px desktop and a 390 px phone without the
page itself scrolling sideways (wide tables scroll inside their own box). Real Chromium."""
import io

import pytest
from django.core.management import call_command

from tests.conftest import skip_unless_available
from tests.i18n_pages import english_pages
from tests.test_browser import CHROMIUM, browser_page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = (1366, 390)
# Which user opens which page (the same list the English test renders), in both languages.
OVERFLOW = "() => ({doc: document.documentElement.scrollWidth, inner: window.innerWidth})"


@pytest.fixture
def demo_world(db):
    for command in ("load_seed_data", "create_demo_users", "open_demo_periods", "generate_demo_values",
                    "generate_demo_progress"):
        call_command(command, stdout=io.StringIO())
    from demo.accounts import demo_password

    return demo_password()


def _login(page, base, username, password):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/accounts/login/" not in page.url, page.text_content("main")


def _overflowing_pages(page, base, password, pages):
    too_wide, user = [], None
    for username, url in pages:
        if username != user:
            _login(page, base, username, password)
            user = username
        page.goto(base + url)
        page.wait_for_load_state("load")
        size = page.evaluate(OVERFLOW)
        if size["doc"] > size["inner"]:
            too_wide.append((url, size["doc"]))
    return too_wide


@pytest.mark.parametrize("width", WIDTHS)
def test_no_main_page_scrolls_sideways(browser_page, demo_world, width):  # noqa: F811
    page, base = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    pages = sorted(english_pages(), key=lambda p: p[0])
    assert len(pages) > 40
    assert _overflowing_pages(page, base, demo_world, pages) == []


def test_english_pages_fit_a_phone_too(browser_page, demo_world):  # noqa: F811
    page, base = browser_page
    page.set_viewport_size({"width": 390, "height": 900})
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    pages = [p for p in sorted(english_pages(), key=lambda p: p[0]) if p[0] in ("admin", "jiang_forestry")]
    too_wide = []
    user = None
    for username, url in pages:
        if username != user:
            _login(page, base, username, demo_world)
            page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
            user = username
        page.goto(base + url)
        assert page.evaluate("document.documentElement.lang") == "en"
        size = page.evaluate(OVERFLOW)
        if size["doc"] > size["inner"]:
            too_wide.append((url, size["doc"]))
    assert too_wide == []


def test_the_timeline_keeps_its_year_axis_in_view_and_aligned_with_the_bars(browser_page, demo_world):  # noqa: F811
    page, base = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    _login(page, base, "admin", demo_world)
    page.goto(f"{base}/projects/timeline/")
    page.wait_for_selector(".timeline-axis .xtick")
    page.wait_for_selector(".chart .xtick")
    page.mouse.wheel(0, 2500)
    page.wait_for_timeout(300)
    axis_top = page.evaluate("document.querySelector('.timeline-axis').getBoundingClientRect().top")
    assert abs(axis_top) <= 1
    # the first year tick of the axis sits above the first year tick of the bars
    xs = page.evaluate("""() => ['.timeline-axis', '.chart'].map(
        s => document.querySelector(s + ' .xtick').getBoundingClientRect().x)""")
    assert abs(xs[0] - xs[1]) <= 2, xs
