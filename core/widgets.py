"""Form widgets."""
from html import escape  # what django.utils.html.escape calls, without its lazy-string wrapper per option

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A <select> whose options are formatted in Python straight from its choices, instead of
    one template render (and one option dict) per <option>. The filter lists of a province hold
    hundreds of regions and bureaus, and the template path spent more time on them than the rest
    of the page. Same HTML as forms.Select (tests/test_widgets.py)."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {"" if v is None else str(v) for v in self.format_value(value)}
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        start = format_html('<select name="{}"{}>', name, flatatt(final_attrs))
        rendered = getattr(self.choices, "html", None)  # options written once (core.choices.cached_choices)
        if rendered is not None:
            return mark_safe(f"{start}{mark_selected(rendered, selected)}</select>")
        parts = [start]
        for option_value, option_label in self.choices:
            if isinstance(option_label, (list, tuple)):
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts.extend(self._option(v, label, selected) for v, label in option_label)
                parts.append("</optgroup>")
            else:
                parts.append(self._option(option_value, option_label, selected))
        parts.append("</select>")
        return mark_safe("".join(parts))

    @staticmethod
    def _option(value, label, selected):
        value = "" if value is None else str(value)
        return f'<option value="{escape(value)}"{" selected" if value in selected else ""}>{escape(str(label))}</option>'


def options_html(choices):
    """The <option> elements of flat `choices`, none selected (as `FastSelect` writes them), or
    None for choices with groups."""
    if any(isinstance(label, (list, tuple)) for _value, label in choices):
        return None
    return "".join(FastSelect._option(value, label, ()) for value, label in choices)


def mark_selected(options, selected):
    """`options` (from `options_html`) with the options whose values are in `selected` marked."""
    for value in selected:
        tag = f'<option value="{escape(value)}">'
        options = options.replace(tag, f'<option value="{escape(value)}" selected>', 1)
    return options
