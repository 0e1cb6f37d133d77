"""Filters and tags for showing values in the active language.

`|label` translates a pure layer's label (core.labels), `|phrase` one of its sentences (core.phrases). `|paren`, `{% colon %}`, `{% sep %}` and
`{% semi %}` are the punctuation that differs between Chinese and English — "已开工（95.6%）" but
"Started (95.6%)", "数据表：" but "Data table: " — so templates need not hard-code full-width marks
around values."""
from django import template
from django.utils.html import format_html
from django.utils.translation import pgettext

from core.figures import format_figure
from core.labels import label as translate_label
from core.labels import phrase as translate_phrase

register = template.Library()


@register.filter(name="label")
def label_filter(text):
    return translate_label(text)


@register.filter(name="phrase")
def phrase_filter(value):
    """A pure layer's sentence (core.phrases: a plan's verdict, a target in plain words) in the active language."""
    return translate_phrase(value)


@register.filter
def paren(value):
    """`value` in brackets: （value） in Chinese, " (value)" in English."""
    if value is None or value == "":
        return ""
    opening, closing = pgettext("punctuation", "（"), pgettext("punctuation", "）")
    return format_html("{}{}{}", opening, value, closing)


@register.simple_tag
def colon():
    return pgettext("punctuation", "：")


@register.simple_tag
def sep():
    return pgettext("punctuation", "、")


@register.simple_tag
def semi():
    return pgettext("punctuation", "；")


@register.filter
def listing(values):
    """Items joined the language's way: 2025、2035 / 2025, 2035."""
    return pgettext("punctuation", "、").join(str(v) for v in values)


@register.filter
def figure(value, places=None):
    """`{{ value|figure }}`, `{{ rate|figure:2 }}` — see format_figure."""
    return format_figure(value, places)
