"""Load benchmark: collab under gunicorn (production settings, 2 sync workers) on
127.0.0.1, against a data set made by `flask demo scale`, driven by locust.

    .venv/bin/python bench/run.py --instance /tmp/collab-scale          # SQLite
    DATABASE_URL=postgresql://… .venv/bin/python bench/run.py --instance /tmp/x
    .venv/bin/python bench/run.py --instance /tmp/small --quick         # CI: seconds

See bench/README.md. It prints, for a mixed load (80 % reads, 15 % posts and
replies, 5 % uploads and downloads): requests per second, client and server
p50/p95/p99 per page, errors; then each read page alone against the same gunicorn
serving a static file of the thread page's size (the ceiling), as a ratio; and the
workers' peak memory. Timings are reported, never asserted.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from locust.env import Environment  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from bench import load  # noqa: E402

# p95 server time (ms) and share of the static ceiling from issue 10 / DESIGN.md.
P95_BUDGET_MS = {
    "group home": 50,
    "thread": 50,
    "document list": 50,
    "meeting": 50,
    "search": 100,
}
RATIO_BUDGET = {"thread": 0.06, "meeting": 0.04}
MEMORY_BUDGET_MB = 300
CSRF_RE2 = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)
ROUTES = [
    ("static", "GET", re.compile(r"^/__bench__/")),
    ("dashboard", "GET", re.compile(r"^/$")),
    ("group home", "GET", re.compile(r"^/groups/[^/]+/$")),
    ("thread", "GET", re.compile(r"^/groups/[^/]+/threads/\d+$")),
    ("document list", "GET", re.compile(r"^/groups/[^/]+/documents/$")),
    ("meeting", "GET", re.compile(r"^/groups/[^/]+/meetings/\d+$")),
    ("search", "GET", re.compile(r"^/search$")),
    ("download", "GET", re.compile(r"^/groups/[^/]+/documents/\d+/download$")),
    ("reply", "POST", re.compile(r"^/groups/[^/]+/threads/\d+/reply$")),
    ("new thread", "POST", re.compile(r"^/groups/[^/]+/threads/new$")),
    ("upload", "POST", re.compile(r"^/groups/[^/]+/documents/upload$")),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--instance",
        default=os.environ.get("COLLAB_INSTANCE_PATH", "/tmp/collab-scale"),
        help="instance folder of the scale data set (SQLite file and files/)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="PostgreSQL instead of the instance's SQLite (default: $DATABASE_URL)",
    )
    parser.add_argument("--duration", type=float, default=60, help="mixed load, s")
    parser.add_argument(
        "--phase", type=float, default=10, help="seconds of each page-alone run"
    )
    parser.add_argument("--users", type=int, default=8, help="concurrent users")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--seed", type=int, default=1, help="who signs in, what pages")
    parser.add_argument("--json", default="", help="also write the report here")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a few seconds in all (CI): 4 s mixed, 1.5 s per page",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.phase = min(args.duration, 4), min(args.phase, 1.5)
    return args


def database_url(args) -> str:
    url = args.database_url
    if not url:
        path = os.path.join(args.instance, "collab.sqlite3")
        if not os.path.exists(path):
            sys.exit(
                f"No data set at {path}: make one with\n"
                f"  COLLAB_INSTANCE_PATH={args.instance} flask --app wsgi db upgrade\n"
                f"  COLLAB_INSTANCE_PATH={args.instance} flask --app wsgi demo scale"
            )
        return "sqlite:///" + path
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


# --- what to visit -----------------------------------------------------------------


def discover(url: str, people: int, seed: int) -> dict:
    """Generated people who can write in a group, and per group some threads,
    meetings and documents to visit; common words to search for."""
    rng = random.Random(seed)
    engine = create_engine(url)
    with engine.connect() as conn:
        flags = {"t": True, "f": False}
        rows = conn.execute(
            text(
                "SELECT m.user_id, u.email, g.id, g.slug FROM memberships m "
                "JOIN users u ON u.id = m.user_id JOIN groups g ON g.id = m.group_id "
                "WHERE m.status = 'active' AND m.role IN ('member', 'chair') "
                "AND u.is_active = :t AND u.is_secretariat = :f "
                "AND g.is_archived = :f ORDER BY m.user_id, g.id"
            ),
            flags,
        ).all()
        by_user: dict[int, dict] = {}
        for user_id, email, group_id, slug in rows:
            by_user.setdefault(user_id, {"email": email, "groups": []})
            by_user[user_id]["groups"].append((group_id, slug))
        chosen = rng.sample(sorted(by_user), min(people, len(by_user)))
        found = []
        for user_id in chosen:
            groups = []
            for group_id, slug in by_user[user_id]["groups"]:
                threads = conn.execute(
                    text(
                        "SELECT id, post_count FROM threads WHERE group_id = :g "
                        "AND is_locked = :f ORDER BY id"
                    ),
                    {"g": group_id, **flags},
                ).all()
                if not threads:
                    continue
                meetings = conn.scalars(
                    text(
                        "SELECT id FROM meetings WHERE group_id = :g "
                        "AND status != 'draft' ORDER BY id"
                    ),
                    {"g": group_id},
                ).all()
                documents = conn.scalars(
                    text(
                        "SELECT id FROM documents WHERE group_id = :g "
                        "AND deleted_at IS NULL ORDER BY id"
                    ),
                    {"g": group_id},
                ).all()
                groups.append(
                    {
                        "slug": slug,
                        "threads": [
                            [t, max(1, (n + 19) // 20)]
                            for t, n in rng.sample(threads, min(40, len(threads)))
                        ],
                        "meetings": rng.sample(meetings, min(20, len(meetings))),
                        "documents": rng.sample(documents, min(40, len(documents))),
                    }
                )
            if groups:
                found.append({"email": by_user[user_id]["email"], "groups": groups})
        if not found:
            sys.exit("No generated member with a thread to read: run flask demo scale")
        top = conn.scalar(text("SELECT MAX(id) FROM posts")) or 0
        ids = [rng.randint(1, top) for _ in range(400)] if top else []
        words: Counter = Counter()
        for start in range(0, len(ids), 100):
            chunk = ",".join(map(str, ids[start : start + 100]))
            bodies = conn.scalars(text(f"SELECT body FROM posts WHERE id IN ({chunk})"))
            for body in bodies:
                words.update(
                    w.lower() for w in re.findall(r"[^\W\d_]{6,}", body) if w.isalpha()
                )
        size = {
            name: conn.scalar(text(f"SELECT COUNT(*) FROM {name}"))
            for name in ("users", "groups", "threads", "documents", "meetings")
        }
        size["posts"] = top
    engine.dispose()
    return {
        "people": found,
        "search_words": [w for w, _n in words.most_common(12)] or ["digital"],
        "size": size,
    }


# --- the server --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(args, port: int, static_dir: str, logs: str):
    env = dict(os.environ)
    env.update(
        COLLAB_CONFIG="production",
        SECRET_KEY=secrets.token_hex(32),
        BASE_URL=f"http://127.0.0.1:{port}",
        COLLAB_INSTANCE_PATH=os.path.abspath(args.instance),
        BENCH_STATIC_DIR=static_dir,
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        env.pop("DATABASE_URL", None)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(args.workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        os.path.join(logs, "access.log"),
        # method, path, status, request time in microseconds
        "--access-logformat",
        "%(m)s %(U)s %(s)s %(D)s",
        "--error-logfile",
        os.path.join(logs, "error.log"),
        "bench.wsgi:application",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped at start; see {logs}/error.log")
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return process, base
        except requests.RequestException:
            pass
        gevent.sleep(0.2)
    process.kill()
    sys.exit("gunicorn did not answer /healthz within 90 s")


def workers_of(master: int) -> list[int]:
    try:
        with open(f"/proc/{master}/task/{master}/children") as f:
            return [int(pid) for pid in f.read().split()]
    except OSError:
        return []


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class MemorySampler:
    def __init__(self, master: int):
        self.master, self.phase, self.samples = master, "start", []
        self.greenlet = gevent.spawn(self._run)

    def _run(self):
        while True:
            for pid in workers_of(self.master):
                value = rss_mb(pid)
                if value is not None:
                    self.samples.append((time.monotonic(), self.phase, pid, value))
            gevent.sleep(0.2)

    def stop(self):
        self.greenlet.kill()


def sign_in(base: str, email: str, password: str) -> tuple[str, str]:
    """(session cookie, CSRF token) of a fresh sign-in. The cookie is marked Secure
    (production settings), which requests would not send back over http: it is
    handed over by hand, as the TLS proxy in front would."""
    page = requests.get(base + "/auth/sign-in", timeout=30)
    cookies = {"session": page.cookies["session"]} if "session" in page.cookies else {}
    answer = requests.post(
        base + "/auth/sign-in",
        data={
            "email": email,
            "password": password,
            "next": "",
            "csrf_token": csrf_of(page.text),
        },
        cookies=cookies,
        allow_redirects=False,
        timeout=60,
    )
    location = answer.headers.get("Location", "")
    if answer.status_code != 302 or "/auth/" in location:
        sys.exit(f"could not sign in as {email}: {answer.status_code} {location}")
    return answer.cookies["session"], ""


def csrf_of(html: str) -> str:
    match = CSRF_RE2.search(html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1) or match.group(2)


def prepare_people(base: str, targets: dict, password: str) -> list[int]:
    """Sign everyone in; load a thread page each so the session holds its CSRF
    token. Returns the sizes of the thread pages seen."""
    sizes = []
    for person in targets["people"]:
        cookie, _ = sign_in(base, person["email"], password)
        group = person["groups"][0]
        for thread_id, _pages in group["threads"][:3]:
            page = requests.get(
                f"{base}/groups/{group['slug']}/threads/{thread_id}",
                cookies={"session": cookie},
                allow_redirects=False,
                timeout=60,
            )
            if page.status_code != 200:
                sys.exit(
                    f"thread page answered {page.status_code} to {person['email']}"
                )
            cookie = page.cookies.get("session", cookie)
            sizes.append(len(page.content))
        person["cookie"], person["csrf"] = cookie, csrf_of(page.text)
    return sizes


def write_static(folder: str, size: int) -> str:
    """An HTML page of ``size`` bytes: the ceiling the pages are compared with."""
    rng = random.Random(size)
    words = "the of group thread reply meeting agenda digital service member".split()
    head = b"<!doctype html><html><head><title>ceiling</title></head><body><p>"
    body = bytearray(head)
    while len(body) < size - 20:
        body += (" ".join(rng.choice(words) for _ in range(12)) + "</p>\n<p>").encode()
    body = body[: size - 16] + b"</p></body></html"
    body += b">" * (size - len(body))
    with open(os.path.join(folder, "thread-size.html"), "wb") as f:
        f.write(bytes(body))
    return "/__bench__/thread-size.html"


# --- running the load --------------------------------------------------------------


def run_phase(base, targets, mode, seconds, users, sampler, log_path) -> dict:
    load.configure(targets, mode)
    sampler.phase = mode
    environment = Environment(user_classes=[load.Delegate], host=base)
    runner = environment.create_local_runner()
    offset = os.path.getsize(log_path)
    started = time.monotonic()
    runner.start(users, spawn_rate=100)
    gevent.sleep(seconds)
    runner.quit()
    elapsed = time.monotonic() - started
    gevent.sleep(0.3)  # let the last access-log lines land
    stats = {}
    for (name, method), entry in environment.stats.entries.items():
        if entry.num_requests == 0:
            continue
        stats[name] = {
            "method": method,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.num_requests / elapsed,
            "client_p50": entry.get_response_time_percentile(0.5),
            "client_p95": entry.get_response_time_percentile(0.95),
            "client_p99": entry.get_response_time_percentile(0.99),
        }
    errors = [
        f"{e.method} {e.name}: {e.error} ×{e.occurrences}"
        for e in environment.stats.errors.values()
    ]
    server = server_times(log_path, offset)
    for name, values in server.items():
        stats.setdefault(name, {"requests": 0, "failures": 0, "rps": 0})
        stats[name].update(values)
    total = sum(s["requests"] for s in stats.values())
    return {
        "mode": mode,
        "seconds": elapsed,
        "requests": total,
        "rps": total / elapsed,
        "failures": sum(s["failures"] for s in stats.values()),
        "errors": errors,
        "pages": stats,
    }


def server_times(log_path: str, offset: int) -> dict:
    """p50/p95/p99 of gunicorn's own request time per page, from the access log
    lines written since ``offset``, and server errors (5xx)."""
    times: dict[str, list[float]] = {}
    server_errors: Counter = Counter()
    with open(log_path, encoding="utf-8", errors="replace") as f:
        f.seek(offset)
        for line in f:
            parts = line.split()
            if len(parts) != 4:
                continue
            method, path, status, micros = parts
            name = next(
                (n for n, m, rx in ROUTES if m == method and rx.match(path)), None
            )
            if name is None:
                continue
            times.setdefault(name, []).append(int(micros) / 1000)
            if status.startswith("5"):
                server_errors[name] += 1
    out = {}
    for name, values in times.items():
        values.sort()
        out[name] = {
            "server_p50": percentile(values, 0.5),
            "server_p95": percentile(values, 0.95),
            "server_p99": percentile(values, 0.99),
            "server_mean": statistics.fmean(values),
            "server_5xx": server_errors[name],
        }
    return out


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, max(0, round(q * len(values) + 0.5) - 1))]


# --- the report --------------------------------------------------------------------


def memory_report(sampler: MemorySampler) -> dict:
    by_pid: dict[int, list[tuple[float, str, float]]] = {}
    for moment, phase, pid, value in sampler.samples:
        by_pid.setdefault(pid, []).append((moment, phase, value))
    workers = {}
    for pid, samples in by_pid.items():
        mix = [v for _t, phase, v in samples if phase == "mix"]
        workers[pid] = {
            "peak_mb": max(v for _t, _p, v in samples),
            "mix_first_mb": mix[0] if mix else None,
            "mix_last_mb": mix[-1] if mix else None,
            "last_mb": samples[-1][2],
        }
    return workers


def print_report(result: dict) -> None:
    out = print
    size = result["size"]
    out("")
    out(
        f"collab benchmark · {result['database']} · {result['workers']} sync workers, "
        f"{result['users']} users"
    )
    out(
        "data: "
        + ", ".join(f"{v:,} {k}" for k, v in size.items())
        + f" · thread page {result['thread_page_bytes']:,} bytes"
    )
    mix = result["mix"]
    out("")
    out(
        f"Mixed load, {mix['seconds']:.0f} s: {mix['requests']:,} requests, "
        f"{mix['rps']:.1f} req/s, errors: {mix['failures']}"
    )
    header = (
        f"{'page':<14}{'req':>6}{'req/s':>8}  {'client p50/p95/p99 ms':>22}  "
        f"{'server p50/p95/p99 ms':>22}  {'budget p95':>10}"
    )
    out(header)
    out("-" * len(header))
    order = list(load.MIX)
    for name in sorted(
        mix["pages"], key=lambda n: order.index(n) if n in order else 99
    ):
        s = mix["pages"][name]
        client = "/".join(
            f"{s.get(k, 0):.0f}" for k in ("client_p50", "client_p95", "client_p99")
        )
        server = "/".join(
            f"{s.get(k, 0):.1f}" for k in ("server_p50", "server_p95", "server_p99")
        )
        budget = P95_BUDGET_MS.get(name)
        verdict = ""
        if budget:
            ok = s.get("server_p95", 0) < budget
            verdict = f"< {budget} {'ok' if ok else 'MISS'}"
        failures = f"  {s['failures']} errors" if s["failures"] else ""
        out(
            f"{name:<14}{s['requests']:>6}{s['rps']:>8.1f}  {client:>22}  "
            f"{server:>22}  {verdict:>10}{failures}"
        )
    for error in mix["errors"][:10]:
        out(f"  error: {error}")
    out("")
    ceiling = result["throughput"].get("static", {}).get("rps", 0)
    out(
        f"Each page alone, {result['users']} users, {result['phase_seconds']:.0f} s "
        f"each; ceiling = static file of the thread page's size: {ceiling:,.0f} req/s"
    )
    header = (
        f"{'page':<14}{'req/s':>9}{'of ceiling':>12}  {'server p50/p95 ms':>18}  "
        f"{'budget':>12}"
    )
    out(header)
    out("-" * len(header))
    for name, phase in result["throughput"].items():
        page = phase["pages"].get(name, {})
        ratio = phase["rps"] / ceiling if ceiling else 0
        budget = RATIO_BUDGET.get(name)
        verdict = (
            f"≥ {budget:.0%} {'ok' if ratio >= budget else 'MISS'}" if budget else ""
        )
        server = f"{page.get('server_p50', 0):.1f}/{page.get('server_p95', 0):.1f}"
        errors = f"  {phase['failures']} errors" if phase["failures"] else ""
        out(
            f"{name:<14}{phase['rps']:>9.1f}{ratio:>11.1%}  {server:>18}  "
            f"{verdict:>12}{errors}"
        )
    out("")
    memory = result["memory"]
    peak = max((w["peak_mb"] for w in memory.values()), default=0)
    verdict = "ok" if peak < MEMORY_BUDGET_MB else "MISS"
    out(
        f"Worker memory (RSS): peak {peak:.0f} MB "
        f"(budget < {MEMORY_BUDGET_MB} MB {verdict})"
    )
    for pid, w in sorted(memory.items()):
        during = ""
        if w["mix_first_mb"] is not None:
            first, last = w["mix_first_mb"], w["mix_last_mb"]
            during = f", mixed load {first:.0f} → {last:.0f} MB"
        end = w["last_mb"]
        out(f"  worker {pid}: peak {w['peak_mb']:.0f} MB{during}, end {end:.0f} MB")
    out("")
    out(f"errors: {result['errors']}")


def main(argv=None) -> int:
    args = parse_args(argv)
    url = database_url(args)
    from collab.demo.scale import PASSWORD

    print(f"Reading the data set ({url.split('@')[-1]}) …", flush=True)
    targets = discover(url, args.users, args.seed)
    port = args.port or free_port()
    with tempfile.TemporaryDirectory(prefix="collab-bench-") as work:
        static_dir = os.path.join(work, "static")
        os.makedirs(static_dir)
        process, base = start_gunicorn(args, port, static_dir, work)
        sampler = MemorySampler(process.pid)
        try:
            print(
                f"gunicorn on {base}; signing in {len(targets['people'])} people …",
                flush=True,
            )
            sizes = prepare_people(base, targets, PASSWORD)
            page_bytes = int(statistics.median(sizes))
            targets["static_path"] = write_static(static_dir, page_bytes)
            targets["host"] = "127.0.0.1"
            log_path = os.path.join(work, "access.log")
            print(f"mixed load for {args.duration:.0f} s …", flush=True)
            mix = run_phase(
                base, targets, "mix", args.duration, args.users, sampler, log_path
            )
            throughput = {}
            for mode in ("static", *load.READS):
                print(f"{mode} alone for {args.phase:.0f} s …", flush=True)
                throughput[mode] = run_phase(
                    base, targets, mode, args.phase, args.users, sampler, log_path
                )
        finally:
            sampler.stop()
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        error_log = open(os.path.join(work, "error.log"), errors="replace").read()
    errors = mix["failures"] + sum(p["failures"] for p in throughput.values())
    result = {
        "database": "PostgreSQL" if args.database_url else f"SQLite {url[10:]}",
        "workers": args.workers,
        "users": args.users,
        "size": targets["size"],
        "search_words": targets["search_words"],
        "thread_page_bytes": page_bytes,
        "phase_seconds": args.phase,
        "mix": mix,
        "throughput": throughput,
        "memory": memory_report(sampler),
        "errors": errors,
    }
    print_report(result)
    if errors:
        tracebacks = [line for line in error_log.splitlines() if "Error" in line]
        for line in tracebacks[-10:]:
            print(f"  gunicorn: {line}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
