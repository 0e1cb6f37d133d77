"""django-tables2 tables rendered in Python.

django-tables2 renders each cell through its row machinery: per cell it inspects the render
method's signature (`call_with_appropriate`), recomputes the column's attributes and goes
through two template nodes; its header and page links are a template loop with a query string
tag per link. For the working lists of a province (25–100 rows × 10–14 columns) that was most of
the page's time. `RowsInPython` keeps django-tables2's columns, ordering and pagination and
writes the table's HTML itself (`table_html`): what to call for each column is worked out once
per table, then each row is one string join.

The HTML is the same as django-tables2's own template gives, up to whitespace
(`tests/test_fast_rendering.py` compares the two), so a table can switch either way.
Supported: plain and `render_<name>` cells (any of the arguments django-tables2 passes),
`linkify`, `empty_values`/`default`, `get_FOO_display` of choice fields, static `td`
attributes and the even/odd row class. A column with computed (callable) `td`
attributes or a table with `row_attrs` is rendered by django-tables2's own path.

`configure` is RequestConfig with the page sizes a reader may choose (25, 50, 100) and, where the
caller knows it, the row count without a COUNT query.
"""
import functools
import inspect
import operator
from urllib.parse import urlencode

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.utils import A

TEMPLATE = "includes/table.html"  # `table_html`, or django-tables2's table.html where that declines


def _parameters(function):
    return _parameters_of(getattr(function, "__func__", function), hasattr(function, "__self__"))


@functools.lru_cache(maxsize=None)
def _parameters_of(function, bound):
    """The argument names a render method takes (its signature read once per function)."""
    parameters = list(inspect.signature(function).parameters.values())[1 if bound else 0:]
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None  # takes everything
    return [p.name for p in parameters]


class _Cell:
    """How one column's cells are made: resolved once per table."""

    def __init__(self, table, bound_column):
        column = bound_column.column
        self.bound_column = bound_column
        self.column = column
        self.table = table
        self.accessor = A(bound_column.accessor)
        self.render = bound_column.render
        self.parameters = _parameters(self.render)
        self.link = bound_column.link
        self.default = bound_column.default
        self.many = isinstance(column, ManyToManyColumn)
        self.choice_display = None  # checked on the first row: a model choice field shows its label
        # A cell that can't be empty and whose render method doesn't take the value needs no lookup.
        self.needs_value = bool(column.empty_values) or self.many or self.parameters is None or "value" in self.parameters
        self.call = self._caller()
        self.attribute_path = operator.attrgetter(str(self.accessor).replace("__", ".")) if self.accessor else None
        attrs = bound_column.attrs["td"]
        self.td = format_html("<td {}>", attrs.as_html()) if attrs else mark_safe("<td >")
        self.static = not any(callable(v) for v in dict(table.attrs).get("td", {}).values()) and not any(
            callable(v) for v in column.attrs.get("td", {}).values())

    def _caller(self):
        """(value, record, row) → the render method's result, passing it just the arguments it
        takes; worked out here once instead of per cell."""
        render, names = self.render, self.parameters
        fixed = {"column": self.column, "bound_column": self.bound_column, "table": self.table}
        if names is None:
            return lambda value, record, row: render(value=value, record=record, bound_row=row, **fixed)
        if any(name not in ("value", "record", "bound_row", *fixed) for name in names):
            return lambda value, record, row: None  # as django-tables2: a method wanting more renders nothing
        if names == ["record"]:
            return lambda value, record, row: render(record=record)
        if names == ["value"]:
            return lambda value, record, row: render(value=value)
        if sorted(names) == ["record", "value"]:
            return lambda value, record, row: render(record=record, value=value)
        def call(value, record, row):
            given = {"value": value, "record": record, "bound_row": row, **fixed}
            return render(**{name: given[name] for name in names})

        return call

    def _resolve(self, record):
        """accessor.resolve(record, quiet=True), by plain attribute lookups where they reach a
        non-callable value (model fields and relations, as the list columns are)."""
        if self.attribute_path is not None:
            try:
                value = self.attribute_path(record)
            except Exception:  # whatever went wrong, resolve() below answers as django-tables2 does
                pass
            else:
                if not callable(value):
                    return value
        return self.accessor.resolve(record, quiet=True)

    def _value(self, record):
        if self.choice_display is None:
            self.choice_display = False
            penultimate, remainder = self.accessor.penultimate(record)
            if isinstance(penultimate, models.Model):
                try:
                    field = self.accessor.get_field(record)
                except FieldDoesNotExist:
                    field = None
                if getattr(field, "choices", ()) and hasattr(penultimate, f"get_{remainder}_display"):
                    self.choice_display = remainder
        if self.choice_display:
            penultimate, _ = self.accessor.penultimate(record)
            return getattr(penultimate, f"get_{self.choice_display}_display")()
        return self._resolve(record)

    def html(self, record, row):
        value = self._value(record) if self.needs_value else None
        if self.needs_value and (value in self.column.empty_values or (self.many and not value.exists())):
            content = self.default
        else:
            content = self.call(value, record, row)
            if self.link:
                content = self.link(content, value=value, record=record, column=self.column,
                                    bound_column=self.bound_column, bound_row=row, table=self.table)
        # as the template's {{ cell }} would: local time, localized numbers, escaped unless safe
        if not isinstance(content, str):
            content = localize(template_localtime(content))
        return f"{self.td}{conditional_escape(content)}</td>"  # plain str: the row is marked safe once, whole


def _attrs(attrs):
    return attrs.as_html() if attrs else ""


class RowsInPython:
    """Mixin for a `django_tables2.Table`: render it in Python (see the module)."""

    def table_html(self):
        """The whole table as django-tables2's table.html writes it, or None where `rows_html`
        declines (the template then renders django-tables2's own)."""
        rows = self.rows_html()
        if rows is None or self.has_footer():
            return None
        attrs = self.attrs
        if not rows and self.empty_text:
            rows = format_html('<tr><td colspan="{}">{}</td></tr>', len(self.columns), self.empty_text)
        return mark_safe(f'<div class="table-container"><table {_attrs(attrs)}>{self.head_html()}'
                         f'<tbody {_attrs(attrs.get("tbody"))}>{rows}</tbody></table>{self.pagination_html()}</div>')

    def _query(self, **updates):
        """The current query string with `updates`, as django-tables2's {% querystring_replace %}."""
        params = dict(self.request.GET) if getattr(self, "request", None) is not None else {}
        params.update(updates)
        return escape("?" + urlencode(params, doseq=True))

    def head_html(self):
        if not self.show_header:
            return ""
        cells = []
        field = self.prefixed_order_by_field
        for column in self.columns:
            header = conditional_escape(column.header)
            if column.orderable:
                header = f'<a href="{self._query(**{field: column.order_by_alias.next})}">{header}</a>'
            cells.append(f'<th {column.attrs["th"].as_html()}>{header}</th>')
        return f'<thead {_attrs(self.attrs.get("thead"))}><tr>{"".join(cells)}</tr></thead>'

    def pagination_html(self):
        from django_tables2.templatetags.django_tables2 import table_page_range

        page = getattr(self, "page", None)
        if not page or self.paginator.num_pages <= 1:
            return ""
        field = self.prefixed_page_field
        items = []
        if page.has_previous():
            items.append(f'<li class="previous"><a href="{self._query(**{field: page.previous_page_number()})}">'
                         f'{escape(gettext("previous"))}</a></li>')
        for number in table_page_range(page, self.paginator):
            active = ' class="active"' if number == page.number else ""
            href = "#" if number == "..." else self._query(**{field: number})
            items.append(f'<li{active}><a href="{href}">{number}</a></li>')
        if page.has_next():
            items.append(f'<li class="next"><a href="{self._query(**{field: page.next_page_number()})}">'
                         f'{escape(gettext("next"))}</a></li>')
        return f'<ul class="pagination">{"".join(items)}</ul>'

    def rows_html(self):
        """The <tbody> rows, or None for a table this module cannot render (computed `td`
        attributes, `row_attrs`)."""
        cells = [_Cell(self, column) for column in self.columns]
        if self.row_attrs or not all(cell.static for cell in cells):
            return None  # the template falls back to django-tables2's own rows
        parts = []
        rows = self.page.object_list if getattr(self, "page", None) else self.rows
        for counter, row in enumerate(rows):
            parts.append('<tr class="odd">' if counter % 2 else '<tr class="even">')
            record = row.record
            parts.extend(cell.html(record, row) for cell in cells)
            parts.append("</tr>")
        return mark_safe("".join(parts))


PAGE_SIZES = (25, 50, 100)


class _WithQuery:
    """`request` as RequestConfig reads it, with another query string."""

    def __init__(self, request, query):
        self._request, self.GET = request, query

    def __getattr__(self, name):
        return getattr(self._request, name)


class _CountedPaginator(Paginator):
    """A Paginator told its row count by the caller instead of asking the database."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = count  # Paginator.count is a cached_property


def configure(request, table, per_page=PAGE_SIZES[0], count=None):
    """django-tables2's RequestConfig (ordering and page from the query string) with the page size a
    reader may choose limited to `PAGE_SIZES` (`?per_page=50`); any other value gets `per_page`.
    RequestConfig alone takes any number: `?per_page=1000000` rendered a whole province in one page,
    and `?per_page=0` divided by zero. `count`: the number of rows when the caller already knows
    it exactly (an aggregate it read anyway); the paginator then runs no COUNT query."""
    from django_tables2 import RequestConfig

    from core.security import int_or

    field = table.prefixed_per_page_field
    requested = int_or(request.GET.get(field))
    size = requested if requested in PAGE_SIZES else per_page
    query = request.GET.copy()
    query[field] = str(size)
    paginate = {"per_page": size}
    if count is not None:
        paginate.update(paginator_class=_CountedPaginator, count=count)
    RequestConfig(_WithQuery(request, query), paginate=paginate).configure(table)
    table.request = request
    table.page_sizes = [(n, n == size) for n in PAGE_SIZES]
    return table
