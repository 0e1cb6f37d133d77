"""Links to many rows of a list from one `reverse()`.

A list page links every row (a province's review queue, its project list, a reviewer's couple of
hundred plan-years); `reverse()` walks the URL resolver for each. `reverser` reverses once with
sample arguments, cuts the URL there, and then writes each row's link by joining the pieces
around its arguments, quoted as `reverse()` quotes them. Made per request, so the script prefix
of the request is in the pieces."""
from urllib.parse import quote

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse() leaves unquoted in a path


def reverser(view_name, *kinds):
    """A function (*args) → the URL of `view_name`, equal to `reverse(view_name, args=args)`.
    `kinds`: `int` or `str` for each argument, what its path converter takes (`<int:…>`, `<str:…>`)."""
    samples = [str(9_876_543_210 + n) if kind is int else f"~argument{n}~" for n, kind in enumerate(kinds)]
    url = reverse(view_name, args=samples)
    pieces, rest = [], url
    for sample in samples:
        head, found, rest = rest.partition(sample)
        if not found:
            raise ImproperlyConfigured(f"{view_name} does not take its arguments as plain path segments: {url}")
        pieces.append(head)
    pieces.append(rest)
    first, tails = pieces[0], list(zip(kinds, pieces[1:]))

    def link(*args):
        parts = [first]
        for (kind, tail), arg in zip(tails, args):
            parts.append(str(int(arg)) if kind is int else quote(str(arg), safe=SAFE))
            parts.append(tail)
        return "".join(parts)

    return link
