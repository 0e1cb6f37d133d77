"""Option lists of choice fields read as plain rows instead of model instances.

A province's filter lists hold hundreds of regions, bureaus and 专栏 boxes; building a model
instance (with its related rows) for every option cost more than the rest of the page. A
`RowChoiceFilter` reads only the columns its label needs, with `QuerySet.values()`, and
validates a submitted choice against the same scoped queryset as `ModelChoiceFilter` does."""
import django_filters
from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.choices import BaseChoiceIterator


class RowChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        key = field.to_field_name or "pk"
        for row in self.queryset.values(key, *field.row_fields):
            yield (row[key], field.row_label(row))


class RowChoiceField(forms.ModelChoiceField):
    """`row_fields`: the lookups the label needs; `row_label(row)`: the option's text from them."""

    iterator = RowChoiceIterator

    def __init__(self, queryset, *, row_fields, row_label, **kwargs):
        self.row_fields, self.row_label = tuple(row_fields), row_label
        super().__init__(queryset, **kwargs)


class RowChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = RowChoiceField


def cached_choices(filterset, querysets, scope):
    """Give choice fields of `filterset` their options from the summaries cache
    (`core.generations`): read once per data generation for each `scope` (plain values naming
    whose options these are), as the region summaries are.

    `querysets()` gives {field name: the scoped queryset of its choices}. It is called only when
    it is needed: to read the options (once per generation) and, for a submitted form, to check
    the choices against the live querysets — so an option list one generation old can only show,
    never admit. An unsubmitted list page builds none of them."""
    from core import generations

    from core.widgets import options_html

    fields = filterset.form.fields
    scoped = {}

    def scope_fields():
        if not scoped:
            scoped.update(querysets())
            for name, queryset in scoped.items():
                fields[name].queryset = queryset
        return scoped

    def read():
        # iter: no COUNT for a length hint. str: the labels in this language (the cache is per
        # language) — a lazy label (全部…) costs a new proxy class each time it is unpickled.
        lists = {name: [(value, str(label)) for value, label in iter(fields[name].choices)] for name in scope_fields()}
        return {name: (choices, options_html(choices)) for name, choices in lists.items()}

    options = generations.cached(("filter-choices", type(filterset).__name__, *scope), read)
    if filterset.is_bound:
        scope_fields()
    for name, (choices, html) in options.items():
        fields[name].choices = _Ready(choices, html)


class _Ready(BaseChoiceIterator):
    """Options already in (value, label) form, and as HTML (`core.widgets.FastSelect` marks the
    chosen one in it instead of writing hundreds of <option>s per page). Django normalizes a
    plain list given as choices — item by item, twice (field and widget), ~5 ms for a province's
    800 options — but takes a choice iterator as it is."""

    def __init__(self, options, html=None):
        self.options = options
        self.html = html

    def __iter__(self):
        return iter(self.options)

    def __len__(self):
        return len(self.options)
