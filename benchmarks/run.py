"""Benchmarks at province or national scale: `python -m benchmarks.run --scale province|national`.

One run, against PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/tracker_bench):

1. setup — creates the database if missing, migrates, loads the real seed data, collects static
   files into a temporary directory, generates the synthetic data of the scale;
2. query counts — every main page in-process (Django test client + CaptureQueriesContext), for
   the real plans and for the synthetic scale;
3. latency — gunicorn on 127.0.0.1 with several workers, DEBUG off, static files via whitenoise;
   every page over real HTTP with a logged-in session cookie, interleaved with the trivial view,
   median and p95 as a ratio to the trivial view's;
4. deadline — 200 concurrent bureau clients (threads) submitting their year's form (half the
   entry form with its CSRF token, half the write API with a token) at the same moment, then
   spread over a window; throughput, latency, errors, lost updates;
5. re-evaluation — every indicator-year of the database through the pure `evaluation.evaluate`
   (in a child process: indicator-years per second, peak RSS);
6. export — a province's evaluation to .xlsx through `evaluation_xlsx.write_evaluation` from a
   generator, 1× and 4× the rows (time, peak traced memory);

then writes benchmarks/results/<scale>.json and regenerates benchmarks/RESULTS.md from every
results file present. See benchmarks/README.md.
"""
import argparse
import http.client
import json
import os
import platform
import random
import re
import resource
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import datetime, timezone as dt_timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
RESULTS_MD = Path(__file__).resolve().parent / "RESULTS.md"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tracker_bench"
BUDGET = 20
PASSWORD = "benchmark-synthetic-password"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ----- environment ----------------------------------------------------------------------------

def configure(args):
    """Environment for this process and for gunicorn: DEBUG off, loopback host, PostgreSQL."""
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_BENCHMARK"] = "1"  # serves /bench/trivial/, the yardstick (404 in production)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DJANGO_STATIC_ROOT", tempfile.mkdtemp(prefix="tracker-bench-static-"))
    os.environ.pop("CELERY_BROKER_URL", None)  # tasks run eagerly, as on a single-machine install
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_database(url):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
            return True
    return False


def machine():
    from django.db import connection
    import django

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0]
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total_kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1)) if "MemTotal" in meminfo else 0
    model = ""
    if Path("/proc/cpuinfo").exists():
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        model = found.group(1).strip() if found else ""
    import gunicorn

    return {
        "cpus": os.cpu_count(), "cpu_model": model, "ram_gib": round(total_kib / 1024 / 1024, 1),
        "platform": platform.platform(), "python": platform.python_version(), "django": django.get_version(),
        "postgresql": pg.split(" on ")[0], "gunicorn": gunicorn.__version__, "loadavg_start": os.getloadavg(),
    }


# ----- setup ----------------------------------------------------------------------------------

def setup(args, results):
    from django.core.management import call_command

    created = create_database(args.database_url)
    log(f"database {'created' if created else 'exists'}: {args.database_url}")
    import io

    from indicators.models import IndicatorValue

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_seed_data", stdout=io.StringIO())
    try:
        call_command("load_projects", stdout=io.StringIO())  # the real plans' key projects
    except Exception as exc:  # the projects app is being changed by others
        log(f"load_projects failed ({exc}); the real plans have no key projects in this run")
    if not IndicatorValue.objects.filter(indicator__plan__synthetic=False).exists():
        # demo values (marked synthetic) so the real plans' pages have values to show, as after `make run`
        call_command("generate_demo_values", stdout=io.StringIO())
    submitted_real_values(2024)
    call_command("collectstatic", verbosity=0, interactive=False)
    from demo import synthetic

    for other in synthetic.SCALES:  # the database holds the real plans and this scale only
        if other != args.scale and synthetic.synthetic_regions(other).exists():
            log(f"removing the synthetic data of scale {other} …")
            synthetic.remove(other)
    generation_file = RESULTS_DIR / f"{args.scale}-generation.json"
    if args.reuse:
        log("reusing the synthetic data already in the database")
        if generation_file.exists():
            results["generation"] = json.loads(generation_file.read_text())
        return
    log(f"generating synthetic data at {args.scale} scale …")
    started = time.monotonic()
    generated = synthetic.generate(args.scale, password=PASSWORD, log=lambda m: None)
    results["generation"] = {"seconds": round(time.monotonic() - started, 1), "counts": generated.counts,
                             "rows": sum(generated.counts.values()), "notes": generated.notes,
                             "loadavg": os.getloadavg(),
                             "command": f".venv/bin/python manage.py generate_synthetic --scale {args.scale}"}
    RESULTS_DIR.mkdir(exist_ok=True)
    generation_file.write_text(json.dumps(results["generation"], ensure_ascii=False, indent=1))
    log(f"generated {results['generation']['rows']:,} rows in {results['generation']['seconds']} s")


def submitted_real_values(year):
    """示例数据 awaiting review in the real plans: one value of `year` for every numeric row that has
    none. The review queue of the real plans is then counted and timed with rows, as at the
    synthetic scales; an empty queue runs fewer queries than a full one, which is not what "the
    same query count at every scale" compares."""
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from indicators.models import Indicator, IndicatorValue
    from reporting import workflow

    have = IndicatorValue.objects.filter(year=year, indicator__plan__synthetic=False).values("indicator_id")
    rows = [IndicatorValue(indicator=indicator, year=year, raw="1", number=1, state=workflow.SUBMITTED,
                           submitted_at=timezone.now(), synthetic=True)
            for indicator in Indicator.objects.filter(plan__synthetic=False, value_type="number").exclude(pk__in=have)]
    bulk_create_with_history(rows, IndicatorValue)
    log(f"{len(rows)} 示例数据 values of {year} submitted for review in the real plans")


def real_subjects():
    """Users for the five real plans (marked synthetic, so remove_synthetic takes them away)."""
    from django.contrib.auth import get_user_model

    from accounts.models import Profile, Role
    from demo import synthetic
    from indicators.models import Bureau, Region

    User = get_user_model()
    wanted = [("staff", Role.BUREAU_STAFF, "140826", "林业局"), ("reviewer_city", Role.REVIEWER, "140800", None),
              ("reviewer_province", Role.REVIEWER, "140000", None), ("leader_city", Role.LEADER, "140800", None),
              ("leader_province", Role.LEADER, "140000", None), ("admin", Role.ADMIN, None, None)]
    users = {}
    for role_key, role, code, bureau_name in wanted:
        region = Region.objects.get(code=code) if code else None
        bureau = Bureau.objects.get(region=region, name=bureau_name) if bureau_name else None  # the plan's own bureau
        user, _ = User.objects.get_or_create(username=f"syn-real-{role_key}",
                                             defaults={"password": synthetic.password_hash(PASSWORD)})
        Profile.objects.update_or_create(user=user, defaults={"role": role, "region": region, "bureau": bureau,
                                                              "synthetic": True})
        users[role_key] = user
    return {"scale": "real", "users": users, "county_plan": "140826-2021-2025", "city": "140800", "province": "140000",
            "nation": None, "indicator_key": "2", "year": synthetic.current_year()}


# ----- query counts (in-process) --------------------------------------------------------------

def client():
    from django.test import Client

    return Client(SERVER_NAME="127.0.0.1")


def query_counts(subjects):
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core import generations

    from benchmarks.pages import main_pages

    counts = {}
    browser = client()
    for page in main_pages(subjects):
        browser.force_login(subjects["users"][page.role])
        first = browser.get(page.url)
        caches[generations.NAME].clear()  # count the queries of a cold summary, not a cache hit
        with CaptureQueriesContext(connection) as queries:
            response = browser.get(page.url)
        counts[page.name] = {"queries": len(queries), "status": response.status_code, "first_status": first.status_code,
                             "sql": [re.sub(r"\d+", "N", q["sql"])[:100] for q in queries.captured_queries]}
    return counts


# ----- gunicorn and HTTP ----------------------------------------------------------------------

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, workers):
        self.port = free_port()
        # The production worker model (deploy/gunicorn.conf.py: gthread with threads); only the
        # address, worker count, a generous timeout and the backlog are the benchmark's own.
        self.command = [sys.executable, "-m", "gunicorn", "config.wsgi:application",
                        "--config", str(ROOT / "deploy" / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{self.port}",
                        "--workers", str(workers), "--timeout", "600", "--backlog", "2048", "--log-level", "warning",
                        "--access-logfile", "/dev/null"]
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=os.environ.copy())
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                status, _, _ = request(self.port, "GET", "/robots.txt")
                if status == 200:
                    return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def request(port, method, path, *, headers=None, body=None, timeout=600):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        return response.status, response.getheaders(), data
    finally:
        connection.close()


def session_cookie(user):
    browser = client()
    browser.force_login(user)
    return browser.cookies["sessionid"].value


def percentile(values, share):
    ordered = sorted(values)
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def latencies(port, subjects, rounds, warmup):
    from benchmarks.pages import main_pages

    pages = main_pages(subjects)
    cookies = {role: session_cookie(user) for role, user in subjects["users"].items()}
    timings = {page.name: [] for page in pages}
    failures = {}
    rng = random.Random(7)
    for number in range(warmup + rounds):
        order = pages[:]
        rng.shuffle(order)
        for page in order:
            started = time.perf_counter()
            status, _, body = request(port, "GET", page.url, headers={"Cookie": f"sessionid={cookies[page.role]}"})
            elapsed = time.perf_counter() - started
            if status != 200:
                failures[page.name] = status
            if number >= warmup:
                timings[page.name].append(elapsed)
    trivial = timings["trivial"]
    t_median, t_p95 = statistics.median(trivial), percentile(trivial, 0.95)
    out = {}
    for page in pages:
        values = timings[page.name]
        median, p95 = statistics.median(values), percentile(values, 0.95)
        out[page.name] = {"label": page.label, "url": page.url, "median_ms": round(median * 1000, 2),
                          "p95_ms": round(p95 * 1000, 2), "median_ratio": round(median / t_median, 2),
                          "p95_ratio": round(p95 / t_p95, 2), "samples": len(values),
                          "status": failures.get(page.name, 200)}
    return out, cookies


# ----- the deadline -------------------------------------------------------------------------

EXPLANATION = "基准测试：截止日前集中填报"


def _typed(row, index):
    """What a bureau types for one row: close to last year's figure, different from what is stored."""
    indicator = row.indicator
    if indicator.value_type == "text":
        judgement = "done" if (row.value is None or row.value.judgement != "done") else "mostly_done"
        return "", judgement
    if indicator.value_type == "water_class":
        return ("Ⅱ类" if row.value is None or row.value.raw != "Ⅱ类" else "Ⅲ类"), ""
    base = None
    for source in (row.previous, row.value):
        if source is not None and source.number is not None:
            base = source.number
            break
    if base is None:
        base = indicator.baseline_value if indicator.baseline_value is not None else Decimal("10")
    number = Decimal(base).quantize(Decimal("0.01")) + Decimal(index % 7 + 1) / 100
    if indicator.unit.strip() in ("%", "％") and number > 100:
        number = Decimal("99.9") - Decimal(index % 7) / 100
    if number < 0 and not indicator.is_rate:
        number = Decimal("0.01")
    text = f"{number}"
    if row.value is not None and row.value.raw == text:
        text = f"{number + Decimal('0.01')}"
    return text, ""


def deadline_clients(scale, year, wanted, *, disjoint=True):
    """`wanted` staff users of the scale whose whole form for `year` is still editable; with
    `disjoint`, no two of them share a row (a row with two responsible bureaus goes to one)."""
    from django.contrib.auth import get_user_model

    from demo import synthetic
    from indicators.entry.selectors import entry_grid
    from indicators.models import Plan

    prefix = synthetic.username_prefix(synthetic.get_scale(scale))
    staff = list(get_user_model().objects.filter(username__startswith=prefix, profile__role="staff")
                 .select_related("profile__region").order_by("pk"))
    random.Random(11).shuffle(staff)
    plans = {p.region_id: p for p in Plan.objects.filter(region__in={u.profile.region_id for u in staff})}
    chosen, taken = [], set()
    for user in staff:
        plan = plans.get(user.profile.region_id)
        if plan is None:
            continue
        rows = entry_grid(user, plan, year)
        ids = {row.indicator.pk for row in rows}
        if rows and all(row.editable for row in rows) and not (disjoint and ids & taken):
            chosen.append((user, plan, rows))
            taken |= ids
            if len(chosen) == wanted:
                break
    return chosen


def shared_row_pairs(scale, year, wanted):
    """Pairs of staff users of one plan who are both responsible for some row (统计局、能源局) that
    has no value yet for `year`."""
    from django.contrib.auth import get_user_model

    from demo import synthetic
    from indicators.entry.selectors import entry_grid
    from indicators.models import Plan

    prefix = synthetic.username_prefix(synthetic.get_scale(scale))
    by_region = {}
    for user in get_user_model().objects.filter(username__startswith=prefix, profile__role="staff").order_by("pk"):
        by_region.setdefault(user.profile.region_id, []).append(user)
    plans = {p.region_id: p for p in Plan.objects.filter(region__in=list(by_region))}
    pairs = []
    for region_id, users in by_region.items():
        if region_id not in plans or len(users) < 2:
            continue
        grids = {u: entry_grid(u, plans[region_id], year) for u in users}
        for a in users:
            for b in users:
                if a.pk < b.pk:
                    shared = {r.indicator.pk for r in grids[a]} & {r.indicator.pk for r in grids[b]}
                    if shared and all(r.value is None for r in grids[a] + grids[b] if r.indicator.pk in shared):
                        rows_b = [r for r in grids[b] if r.indicator.pk in shared]
                        pairs.append(((a, plans[region_id], grids[a]), (b, plans[region_id], rows_b), shared))
        if len(pairs) >= wanted:
            break
    return pairs[:wanted]


def _form_payload(rows, csrf, index, action="submit"):
    data = {"csrfmiddlewaretoken": csrf, "action": action}
    sent = {}
    for row in rows:
        if not row.editable:
            continue  # shown read-only on the form; the view ignores it
        raw, judgement = _typed(row, index)
        prefix = f"i{row.indicator.pk}-"
        data.update({prefix + "raw": raw, prefix + "judgement": judgement, prefix + "source": "基准测试",
                     prefix + "note": "", prefix + "explanation": EXPLANATION,
                     prefix + "rate_mode": "cumulative" if row.indicator.is_rate else "",
                     prefix + "version": str(row.version)})
        sent[row.indicator.pk] = (raw, judgement, row.value.version if row.value is not None else 0)
    return urllib.parse.urlencode(data), sent


def _api_payload(rows, year, index):
    items, sent = [], {}
    for row in rows:
        raw, judgement = _typed(row, index)
        items.append({"number": row.indicator.key, "year": year, "value": raw, "judgement": judgement, "source": "基准测试",
                      "explanation": EXPLANATION, "rate_mode": "cumulative" if row.indicator.is_rate else "",
                      "version": row.value.version if row.value is not None else None, "submit": True})
        sent[row.indicator.pk] = (raw, judgement, row.value.version if row.value is not None else 0)
    return json.dumps(items), sent


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Client:
    """One bureau at the deadline: loads its form (entry form: page + CSRF token; API: nothing to
    load), then submits every row of it."""

    def __init__(self, port, user, plan, rows, year, index, via_api, cookies_out, action="submit"):
        from core.models import ApiToken

        self.port, self.rows, self.year, self.index, self.api, self.action = port, rows, year, index, via_api, action
        self.outcome = {"api": via_api, "ok": False, "status": None, "seconds": None, "get_seconds": None}
        if via_api:
            token = ApiToken.issue(user, name="benchmark").key
            self.path = f"/api/v1/plans/{plan.code}/values/"
            self.body, self.sent = _api_payload(rows, year, index)
            self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        else:
            self.cookie = session_cookie(user)
            cookies_out.append(self.cookie)
            self.path = f"/entry/{plan.code}/{year}/"
            self.sent = {}

    def load(self):
        if self.api:
            return True
        started = time.perf_counter()
        status, headers, page = request(self.port, "GET", self.path, headers={"Cookie": f"sessionid={self.cookie}"})
        self.outcome["get_seconds"] = time.perf_counter() - started
        token = _CSRF.search(page.decode("utf-8", "replace"))
        csrf_cookie = next((v.split(";")[0].split("=", 1)[1] for k, v in headers
                            if k.lower() == "set-cookie" and v.startswith("csrftoken=")), None)
        if status != 200 or token is None or csrf_cookie is None:
            self.outcome["status"] = f"GET {status}"
            return False
        self.body, self.sent = _form_payload(self.rows, token.group(1), self.index, self.action)
        self.headers = {"Cookie": f"sessionid={self.cookie}; csrftoken={csrf_cookie}",
                        "Content-Type": "application/x-www-form-urlencoded"}
        return True

    def submit(self):
        started = time.perf_counter()
        try:
            status, _, _ = request(self.port, "POST", self.path, headers=self.headers, body=self.body.encode())
        except Exception as exc:  # a refused connection or a timeout is an error like any other
            self.outcome["status"] = f"{exc.__class__.__name__}: {exc}"
            return
        self.outcome.update(seconds=time.perf_counter() - started, finished=time.perf_counter(), status=status,
                            ok=status == (201 if self.api else 302))


def _stored(indicator_ids, year):
    from indicators.models import IndicatorValue

    stored = {}
    for start in range(0, len(indicator_ids), 5000):
        for value in IndicatorValue.objects.filter(indicator_id__in=indicator_ids[start:start + 5000], year=year):
            stored[value.indicator_id] = value
    return stored


def _check(clients, year):
    """Rows whose save was acknowledged but whose stored value or judgement is not what was sent
    (lost updates); rows stored with another version than sent + 1; submitted rows not 已提交."""
    from reporting import workflow

    stored = _stored([pk for c in clients for pk in c.sent], year)
    lost, not_submitted, versions, samples, rows = 0, 0, 0, [], 0
    for client in clients:
        if not client.outcome["ok"]:
            continue
        for indicator_id, (raw, judgement, version) in client.sent.items():
            rows += 1
            value = stored.get(indicator_id)
            if value is None or value.raw != raw.strip() or value.judgement != judgement:
                lost += 1
                if len(samples) < 5:
                    samples.append({"indicator": indicator_id, "sent": [raw, judgement], "via_api": client.api,
                                    "stored": None if value is None else [value.raw, value.judgement, value.version]})
                continue
            if value.version != (version + 1 if version else 1):
                versions += 1
            if client.action == "submit" and value.state != workflow.SUBMITTED:
                not_submitted += 1
    return rows, lost, not_submitted + versions, samples


def deadline(port, clients, year, mode, cookies_out, window=0.0):
    """`mode` "sequential": one client after another (the cost of one submission on an idle
    server); "burst": all submit at the same instant; "spread": each at a random moment within
    `window` seconds. Half the clients use the entry form, half the write API."""
    bureaus = [Client(port, user, plan, rows, year, index, index % 2 == 1, cookies_out)
               for index, (user, plan, rows) in enumerate(clients)]
    released = time.perf_counter()
    if mode == "sequential":
        for bureau in bureaus:
            if bureau.load():
                bureau.submit()
    else:
        barrier = threading.Barrier(len(bureaus) + 1, timeout=900)
        rng = random.Random(5)
        delays = [rng.uniform(0, window) if mode == "spread" else 0 for _ in bureaus]

        def run(slot):
            bureau = bureaus[slot]
            loaded = False
            try:
                loaded = bureau.load()
            except Exception as exc:
                bureau.outcome["status"] = f"GET {exc.__class__.__name__}: {exc}"
            barrier.wait()
            if loaded:
                time.sleep(delays[slot])
                bureau.submit()

        threads = [threading.Thread(target=run, args=(slot,), daemon=True) for slot in range(len(bureaus))]
        for thread in threads:
            thread.start()
        barrier.wait()
        released = time.perf_counter()
        for thread in threads:
            thread.join()
    outcomes = [b.outcome for b in bureaus]
    finished = max((o.get("finished", released) for o in outcomes), default=released)
    rows, lost, not_submitted, samples = _check(bureaus, year)
    posts = [o["seconds"] for o in outcomes if o["seconds"] is not None]
    errors = [o["status"] for o in outcomes if not o["ok"]]
    wall = max(finished - released, 1e-9)
    gets = [o["get_seconds"] for o in outcomes if o["get_seconds"]]
    return {
        "mode": mode, "clients": len(bureaus), "form_clients": sum(1 for b in bureaus if not b.api),
        "api_clients": sum(1 for b in bureaus if b.api), "window_s": window if mode == "spread" else 0,
        "rows_sent": rows, "errors": len(errors), "error_samples": [str(e) for e in errors[:5]],
        "lost_updates": lost, "lost_samples": samples, "not_submitted_or_version": not_submitted,
        "wall_s": round(wall, 2), "throughput_posts_per_s": round(len(posts) / wall, 2) if posts else 0,
        "rows_per_s": round(rows / wall, 1) if posts else 0,
        "post_median_ms": round(statistics.median(posts) * 1000, 1) if posts else None,
        "post_p95_ms": round(percentile(posts, 0.95) * 1000, 1) if posts else None,
        "get_form_median_ms": round(statistics.median(gets) * 1000, 1) if gets else None,
        "indicator_ids": [pk for b in bureaus for pk in b.sent],
    }


def conflicts(port, pairs, year, cookies_out):
    """Two bureaus responsible for the same row, both working from the same page state: A saves
    a draft first (entry form), then B submits (write API, sending the versions it loaded — None
    for a row that had no value). B's save must be refused (A changed the row since B loaded it);
    an acknowledged save that is not stored is a lost update."""
    results = {"pairs": len(pairs), "second_refused": 0, "second_accepted": 0, "lost_updates": 0, "samples": []}
    for number, ((user_a, plan, rows_a), (user_b, _, rows_b), shared) in enumerate(pairs):
        first = Client(port, user_a, plan, rows_a, year, 2 * number, False, cookies_out, action="save")
        second = Client(port, user_b, plan, rows_b, year, 2 * number + 1, True, cookies_out)
        if first.load():
            first.submit()
        second.submit()
        if not first.outcome["ok"]:
            continue
        if second.outcome["ok"]:
            results["second_accepted"] += 1
        else:
            results["second_refused"] += 1
        _, lost, _, samples = _check([first, second], year)
        results["lost_updates"] += lost
        results["samples"].extend(samples[: 3 - len(results["samples"])])
    return results


def reopen(indicator_ids, year):
    """Put what a deadline round submitted back to 已退回 (editable), for the next round."""
    from indicators.models import IndicatorValue
    from reporting import workflow

    for start in range(0, len(indicator_ids), 5000):
        IndicatorValue.objects.filter(indicator_id__in=indicator_ids[start:start + 5000], year=year,
                                      indicator__plan__synthetic=True, state=workflow.SUBMITTED).update(state=workflow.RETURNED)


# ----- child-process phases -------------------------------------------------------------------

def rss_mib():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def phase_reevaluate(args):
    """Every indicator-year of the dataset (the real plans and this scale's) through the pure
    `evaluate`, 100 plans at a time."""
    from django.db.models import Q

    from core.batches import cyclic_gc_paused
    from reporting import workflow

    from indicators import evaluation
    from indicators.results import services as evaluation_store
    from indicators.models import Indicator, IndicatorValue, Plan

    from demo import synthetic

    baseline_rss = rss_mib()
    plan_ids = list(Plan.objects.filter(Q(synthetic=False) | Q(region__in=synthetic.synthetic_regions(args.scale)))
                    .order_by("pk").values_list("pk", flat=True))
    total = facts_count = 0
    pure = 0.0
    started = time.perf_counter()
    for start in range(0, len(plan_ids), 100):
        chunk = plan_ids[start:start + 100]
        indicators = list(Indicator.objects.filter(plan_id__in=chunk).select_related("plan", "parent")
                          .prefetch_related("targets__assignments"))
        approved = {}
        for indicator_id, *fields in IndicatorValue.objects.filter(indicator__plan_id__in=chunk, state=workflow.APPROVED) \
                .values_list("indicator_id", *evaluation_store._OBSERVED):
            approved.setdefault(indicator_id, []).append(evaluation_store._observation(*fields))
        by_id = {i.pk: i for i in indicators}
        children, work, settings_of, years_of = {}, [], {}, {}
        for indicator in indicators:
            if indicator.parent_id and indicator.shares_parent_target:
                children.setdefault(indicator.parent_id, []).append(indicator.pk)
            plan = indicator.plan
            settings = settings_of.get(plan.pk) or settings_of.setdefault(plan.pk, evaluation_store.plan_settings(plan))
            parent = by_id.get(indicator.parent_id) if indicator.shares_parent_target else None
            facts = {}
            years_of[indicator.pk] = list(evaluation_store.data_years(plan))
            for year in years_of[indicator.pk]:
                milestone = evaluation_store.milestone_for(plan, year)
                if milestone not in facts:
                    facts[milestone] = evaluation_store.indicator_facts(indicator, milestone, approved.get(indicator.pk, ()), parent)
                work.append((indicator.pk, facts[milestone], year, settings))
        facts_count += len(indicators)
        tick = time.perf_counter()
        with cyclic_gc_paused():  # as evaluate_indicators() runs it (core/batches.py)
            results = {(pk, year): evaluation.evaluate(facts, year, settings) for pk, facts, year, settings in work}
            for parent_id, kids in children.items():
                for year in years_of[parent_id]:
                    results[(parent_id, year)] = evaluation.combine_shared_target(
                        results[(parent_id, year)], [results[(k, year)] for k in kids])
        pure += time.perf_counter() - tick
        total += len(results)
    end_to_end = time.perf_counter() - started
    return {"indicator_years": total, "indicators": facts_count, "plans": len(plan_ids),
            "pure_seconds": round(pure, 2), "per_second": round(total / pure) if pure else None,
            "end_to_end_seconds": round(end_to_end, 2), "end_to_end_per_second": round(total / end_to_end) if end_to_end else None,
            "peak_rss_mib": rss_mib(), "baseline_rss_mib": baseline_rss,
            "method": "100 plans at a time: load indicators, targets and approved values, build IndicatorFacts (untimed), "
                      "then time evaluation.evaluate for every data year (cold: each facts' first evaluation prepares it) "
                      "and combine_shared_target for parents of shared-target sub-rows, with the cyclic garbage "
                      "collector paused as evaluate_indicators() runs them (core/batches.py)."}


def phase_store_refresh(args):
    """The store path: evaluation_store.recompute for every plan of the scale's first province."""
    from indicators.results import services as evaluation_store
    from demo import synthetic
    from indicators.models import Plan, Region
    from indicators.models.scoping import region_subtree_q

    province = Region.objects.get(code=synthetic.subjects(args.scale)["province"])
    plans = list(Plan.objects.filter(region_subtree_q(province.pk)))
    started = time.perf_counter()
    stored = evaluation_store.recompute(plans=plans)
    seconds = time.perf_counter() - started
    return {"plans": len(plans), "results": stored, "seconds": round(seconds, 2),
            "per_second": round(stored / seconds) if seconds else None, "peak_rss_mib": rss_mib()}


def phase_export(args):
    """A province's evaluation to .xlsx from a generator: 1× (one year) and 4× (four years) the rows."""
    import tracemalloc

    from demo import synthetic
    from indicators.reports.xlsx_tables import evaluation_row, write_evaluation
    from indicators.models import EvaluationResult, Region
    from indicators.models.scoping import region_subtree_q

    subjects = synthetic.subjects(args.scale)
    province = Region.objects.get(code=subjects["province"])
    year = subjects["year"]
    counter = {"rows": 0}

    def rows(years):
        for y in years:
            results = (EvaluationResult.objects.filter(region_subtree_q(province.pk, prefix="plan__region"), year=y)
                       .select_related("indicator", "plan__region").prefetch_related("indicator__targets")
                       .order_by("plan__region__code", "indicator__order"))
            for result in results.iterator(chunk_size=2000):
                counter["rows"] += 1
                yield evaluation_row(result.plan.region.name, result.indicator, result)

    out = {}
    for label, years in (("1x", [year]), ("4x", [year - 3, year - 2, year - 1, year])):
        with tempfile.TemporaryFile() as target:
            counter["rows"] = 0
            started = time.perf_counter()
            write_evaluation(f"{province.name}评估", year, rows(years), out=target)
            seconds = time.perf_counter() - started
            size = target.tell()
            written = counter["rows"]
        with tempfile.TemporaryFile() as target:
            tracemalloc.start()
            write_evaluation(f"{province.name}评估", year, rows(years), out=target)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        out[label] = {"rows": written, "seconds": round(seconds, 2), "rows_per_second": round(written / seconds),
                      "peak_traced_mib": round(peak / 1024 / 1024, 2), "xlsx_kib": round(size / 1024)}
    out["province"] = f"{province.name} ({province.code})"
    out["peak_rss_mib"] = rss_mib()
    return out


PHASES = {"reevaluate": phase_reevaluate, "export": phase_export, "store_refresh": phase_store_refresh}


def child(phase, args):
    command = [sys.executable, "-m", "benchmarks.run", "--phase", phase, "--scale", args.scale,
               "--database-url", args.database_url]
    log(f"child: {phase}")
    done = subprocess.run(command, cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{phase} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----- report ---------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["province", "national"], default="province")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL)
    parser.add_argument("--workers", type=int, default=max(2, 2 * (os.cpu_count() or 1)))
    parser.add_argument("--rounds", type=int, default=None, help="timed requests per page (default 30 province, 15 national)")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--window", type=float, default=60.0, help="seconds over which the spread deadline round submits")
    parser.add_argument("--reuse", action="store_true", help="keep the synthetic data already generated")
    parser.add_argument("--only-shared-rows", action="store_true",
                        help="rerun only the two-bureaus-one-row check into an existing results file")
    parser.add_argument("--phase", choices=list(PHASES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.database_url.startswith("sqlite") or not args.database_url.startswith("postgres"):
        parser.error("the benchmarks run against PostgreSQL (postgres://…)")
    configure(args)
    if args.phase:
        print(json.dumps(PHASES[args.phase](args), ensure_ascii=False))
        return 0

    if args.only_shared_rows:
        from demo import synthetic

        from django.core.management import call_command

        call_command("collectstatic", verbosity=0, interactive=False)
        path = RESULTS_DIR / f"{args.scale}.json"
        results = json.loads(path.read_text())
        cookies = []
        with Server(args.workers) as server:
            results["deadline"]["shared_rows"] = conflicts(server.port, shared_row_pairs(
                args.scale, synthetic.current_year(), 10), synthetic.current_year(), cookies)
        from django.contrib.sessions.models import Session

        Session.objects.filter(session_key__in=cookies).delete()
        path.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
        from benchmarks.report import write_report

        write_report(RESULTS_DIR, RESULTS_MD)
        log(f"shared rows: {results['deadline']['shared_rows']}")
        return 0
    rounds = args.rounds or (30 if args.scale == "province" else 15)
    results = {"scale": args.scale, "started": datetime.now(dt_timezone.utc).isoformat(timespec="seconds"),
               "command": f".venv/bin/python -m benchmarks.run --scale {args.scale}" + (" --reuse" if args.reuse else ""),
               "argv": " ".join(shlex.quote(a) for a in sys.argv), "workers": args.workers, "rounds": rounds}
    results["machine"] = {}
    setup(args, results)
    results["machine"] = machine()
    partial = RESULTS_DIR / f"{args.scale}.partial.json"

    def checkpoint():
        RESULTS_DIR.mkdir(exist_ok=True)
        partial.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))

    from demo import synthetic

    subjects = {"real": real_subjects(), args.scale: synthetic.subjects(args.scale)}
    log("query counts (in-process) …")
    results["queries"] = {name: query_counts(s) for name, s in subjects.items()}
    checkpoint()

    cookies = []
    with Server(args.workers) as server:
        log(f"gunicorn on 127.0.0.1:{server.port} with {args.workers} workers; latency, {rounds} rounds …")
        # Warm-up: every worker reaches its prepared statements' settled plans (benchmarks/README.md).
        results["latency"], page_cookies = latencies(server.port, subjects[args.scale], rounds, warmup=8 * args.workers)
        cookies.extend(page_cookies.values())
        checkpoint()
        year = subjects[args.scale]["year"]
        runs = {}
        log("deadline: two bureaus saving the same row …")
        runs["shared_rows"] = conflicts(server.port, shared_row_pairs(args.scale, year, 10), year, cookies)
        log("deadline: one bureau after another (baseline) …")
        clients = deadline_clients(args.scale, year, 20)
        runs["sequential"] = deadline(server.port, clients, year, "sequential", cookies)
        reopen(runs["sequential"].pop("indicator_ids"), year)
        for mode in ("burst", "spread"):
            clients = deadline_clients(args.scale, year, args.clients)
            log(f"deadline {mode}: {len(clients)} clients" + (f" within {args.window:.0f} s" if mode == "spread" else " at once"))
            runs[mode] = deadline(server.port, clients, year, mode, cookies, window=args.window)
            reopen(runs[mode].pop("indicator_ids"), year)
        trivial_p95 = results["latency"]["trivial"]["p95_ms"]
        for mode in ("sequential", "burst", "spread"):
            run = runs[mode]
            run["p95_ratio"] = round(run["post_p95_ms"] / trivial_p95, 1) if run["post_p95_ms"] else None
        results["deadline"] = runs

    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=cookies).delete()
    checkpoint()
    results["reevaluation"] = child("reevaluate", args)
    results["store_refresh"] = child("store_refresh", args)
    results["export"] = child("export", args)
    results["machine"]["loadavg_end"] = os.getloadavg()
    results["finished"] = datetime.now(dt_timezone.utc).isoformat(timespec="seconds")
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"{args.scale}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    partial.unlink(missing_ok=True)
    from benchmarks.report import write_report

    write_report(RESULTS_DIR, RESULTS_MD)
    log(f"results: {RESULTS_DIR / (args.scale + '.json')} and {RESULTS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
