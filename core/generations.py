"""Region-wide summaries (领导摘要, 重点工程汇总) cached until the data under them changes.

A leader's summary of a province or the nation aggregates every plan below it; computing it
per request grows with the country. Instead it is computed once per data generation: a
counter raised (after commit) by the write services of what the summaries read — plans,
indicators, values and stored results (`indicators`), key projects and their progress
(`projects`). Each service calls `bump()` itself: `recompute()` of the stored results (so every
approval, plan import, assigned number and admin change of a target), value entry, project
progress, the admin of those apps (`core.admin.RenewsSummaries`), synthetic and demo data,
restore. No signal receiver does it, so Django's fast delete stays available. Readers that see
the new counter also see the committed data; a summary computed from older data is stored under
the older number and never read again. Who sees what is part of each cache key
(`accounts.roles.scope_key`), so profile changes need no raise.

The cache is per process (LocMem) unless CACHES["summaries"] says otherwise; entries also
expire after SUMMARY_TTL as a safety net for a write path that forgot to raise."""
import hashlib
from contextvars import ContextVar

from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language

NAME = "summaries"
SUMMARY_TTL = 600


# Within one request the number is read once (`one_read_per_request`, a middleware): a page with
# a cached summary and cached filter options asked for it twice. A raise in the request forgets it.
_request_memo = ContextVar("data_generation_of_this_request", default=None)


def current():
    """The current generation number (one indexed read, once a request)."""
    from core.models import DataGeneration

    memo = _request_memo.get()
    if memo:
        return memo[0]
    # One fixed statement on every page that shows a cached summary or filter list: written out
    # rather than compiled by the ORM each time (the compiling cost more than the read).
    meta = DataGeneration._meta
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(meta.get_field('number').column)} "
                       f"FROM {connection.ops.quote_name(meta.db_table)} "
                       f"WHERE {connection.ops.quote_name(meta.pk.column)} = %s", [NAME])
        row = cursor.fetchone()
    number = row[0] if row else 0
    if memo is not None:
        memo.append(number)
    return number


def one_read_per_request(get_response):
    """Middleware: `current()` reads the generation at most once per request (until a raise)."""
    def middleware(request):
        token = _request_memo.set([])
        try:
            return get_response(request)
        finally:
            _request_memo.reset(token)

    return middleware


def _raise_now():
    from core.models import DataGeneration

    memo = _request_memo.get()
    if memo:
        memo.clear()  # this request reads the raised number from now on
    if not DataGeneration.objects.filter(pk=NAME).update(number=F("number") + 1, changed_at=timezone.now()):
        DataGeneration.objects.get_or_create(pk=NAME, defaults={"number": 1})


def bump():
    """Raise the generation once the current transaction commits (at once outside one).

    One raise per transaction however many rows it saved: a batch of a hundred values costs
    one UPDATE, and concurrent submitters do not queue on the counter's row lock inside
    their transactions. A rolled-back transaction drops its pending raise with it."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _raise_now()
    elif not any(entry[1] is _raise_now for entry in connection.run_on_commit):
        transaction.on_commit(_raise_now)


def cached(parts, compute):
    """compute() — or its stored result for `parts` (plain values naming what is computed,
    including whatever scopes it to a user) at the current generation."""
    # The language is part of the key: a summary holds translated labels (chart titles, statuses).
    key = hashlib.sha256(repr((current(), get_language(), *parts)).encode()).hexdigest()
    cache = caches[NAME]
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, SUMMARY_TTL)
    return found
