from django import forms

from core.widgets import FastSelect

CHOICES = [("", "全部"), ("1", "绛县 <林业局>"), ("2", "盐湖区 & 水务局"),
           ("分组", [("3", "运城市\"生态环境局\""), ("4", "屯留区")])]


def _normalised(html):
    return " ".join(str(html).split()).replace("> <", "><").replace(" >", ">")


def test_the_fast_select_renders_the_same_html_as_djangos_select():
    for value in (None, "", "2", "3", "no-such"):
        plain = forms.Select(choices=CHOICES).render("bureau", value, attrs={"id": "id_bureau"})
        fast = FastSelect(choices=CHOICES).render("bureau", value, attrs={"id": "id_bureau"})
        assert _normalised(fast) == _normalised(plain)


def test_the_fast_select_escapes_labels_and_marks_the_chosen_option():
    html = FastSelect(choices=CHOICES).render("bureau", "2")
    assert "&lt;林业局&gt;" in html and "盐湖区 &amp; 水务局" in html
    assert '<option value="2" selected>' in html and html.count("selected") == 1


def test_options_written_once_give_the_same_select_with_the_chosen_option_marked():
    from core.choices import _Ready
    from core.widgets import mark_selected, options_html

    flat = [("", "全部"), ("1", "绛县 <林业局>"), ("2", "盐湖区 & 水务局"), ("12", "运城市\"生态环境局\""), (3, "屯留区")]
    written = _Ready(flat, options_html(flat))
    assert FastSelect(choices=written).choices.html  # the widget keeps the written options
    for value in (None, "", "1", "12", "3", "no-such"):
        plain = FastSelect(choices=flat).render("bureau", value, attrs={"id": "id_bureau"})
        fast = FastSelect(choices=written).render("bureau", value, attrs={"id": "id_bureau"})
        assert fast == plain
    assert mark_selected(options_html(flat), {"1"}).count(" selected") == 1  # "1", not "12"
    assert options_html(CHOICES) is None  # groups are written per render
