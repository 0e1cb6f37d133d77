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


def cached_choices(filterset, names, scope):
    """Give the named choice fields of `filterset` their options from the summaries cache
    (`core.generations`): read once per data generation for each `scope` (plain values naming
    whose options these are), as the region summaries are. A submitted choice is still checked
    against the live queryset, so an option list one generation old can only show, never admit."""
    from core import generations

    fields = filterset.form.fields
    options = generations.cached(("filter-choices", type(filterset).__name__, *scope),
                                 lambda: {name: list(iter(fields[name].choices)) for name in names})  # iter: no COUNT for a length hint
    for name, choices in options.items():
        fields[name].choices = _Ready(choices)


class _Ready(BaseChoiceIterator):
    """Options already in (value, label) form. Django normalizes a plain list given as choices —
    item by item, twice (field and widget), ~5 ms for a province's 800 options — but takes a
    choice iterator as it is."""

    def __init__(self, options):
        self.options = options

    def __iter__(self):
        return iter(self.options)

    def __len__(self):
        return len(self.options)
