"""HTTP benchmark: the API served the way `make run` serves it, driven by wrk, with one table of figures.

    .venv/bin/python bench/http_bench.py [--duration 10] [--connections 16] [--worker-class gthread,sync]
                                         [--peer isso] [--postgres] [--deep 1000000] [--shapes page20,like]

For each server variant: a fresh database in a temp dir (SQLite, or with --postgres a throwaway PostgreSQL
cluster started like scripts/test-all.sh does), `flask db upgrade`, gunicorn with gunicorn.conf.py (worker
options from the command line), rate limits raised through the environment. It seeds articles, users with
credits (through the API) and comments with replies (SQL executemany), then runs wrk against each shape at
fixed concurrency for a fixed time, with Lua scripts (written into the temp dir) that give every request its
own token, comment and Idempotency-Key. CPU seconds come from /proc of the gunicorn workers and the scoring process, so CPU per
request counts the server only (wrk and this script run on the same machine and take their share of it).

--peer isso installs Isso 0.14 into .bench/isso-venv (git-ignored) and runs the shapes it has on a fresh
SQLite of its own in the same run (2 sync gunicorn workers), then prints our figures over Isso's.
--deep N bulk-inserts N comments into one article and compares the first page with a page N comments deep.
Every server listens on 127.0.0.1 only; every wait is bounded; everything started is stopped at the end,
also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ISSO_VERSION = "0.14.0"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
RAISED_LIMIT = "1000000/minute"
RATE_LIMIT_SETTINGS = (
    "COMMENTS", "LIKES", "WRITES", "WRITES_PER_ADDRESS", "REPORTS", "READS", "MODERATION", "ADMIN", "REWARDS", "REPOSTS",
    "SHARES", "PINS",
)
SAMPLES = [
    "Thanks for the clear explanation of the budget, this helped a lot.",
    "I disagree with the author: the numbers in the second chart do not add up.",
    "You are an idiot and so is everyone who voted for this.",
    "Great reporting as always. Looking forward to the follow-up piece.",
    "Shut up, nobody cares about your stupid opinion.",
    "Could you add a source for the unemployment figure?",
    "This city council is a joke, honestly.",
    "Finally someone says it out loud. Well written.",
]
N_ARTICLES = 20
N_USERS = 64
ROOTS = 200  # root comments of the article whose pages are read (the 200-comment thread)
REPLIES = 100

DEEP_PROBES: list[str] = []
ALL_SHAPES = ("page20", "page100", "article", "counts10", "like", "post", "share", "reward")
SHAPE_TITLES = {
    "page20": "comments page, limit 20",
    "page100": "comments page, limit 100",
    "article": "one article's counters",
    "counts10": "10 articles' counters",
    "like": "like",
    "post": "post a comment (moderated)",
    "share": "share",
    "reward": "reward",
    "deep_first": "page 20, first of the deep article",
    "deep_last": "page 20, cursor at the deep end",
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- processes --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack(contextlib.ExitStack):
    """Everything started is registered here and stopped in reverse order, whatever happens."""


def terminate(process: subprocess.Popen, name: str, grace: float = 20.0) -> None:
    if process.poll() is not None:
        return
    log(f"stopping {name} (pid {process.pid})")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def start(stack: Stack, name: str, command: list[str], env: dict[str, str], log_path: Path, cwd: Path = ROOT):
    log_file = open(log_path, "ab")
    stack.callback(log_file.close)
    # Its own process group: Ctrl-C reaches this script only, which then stops the group in order.
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    stack.callback(terminate, process, name)
    return process


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def is_scoring_process(pid: int) -> bool:
    """The master's other child (engagement.moderation.scoring_server): it works for the workers' posts."""
    try:
        return b"scoring_server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False


def web_workers(master: int) -> list[int]:
    return [pid for pid in children(master) if not is_scoring_process(pid)]


def scoring_processes(master: int) -> list[int]:
    return [pid for pid in children(master) if is_scoring_process(pid)]


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def memory_mb(pid: int) -> tuple[float, float]:
    """(peak resident, resident) in MB."""
    values = {}
    with contextlib.suppress(FileNotFoundError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0]) / 1024
    return values.get("VmHWM", 0.0), values.get("VmRSS", 0.0)


def http(method: str, url: str, body=None, headers: dict[str, str] | None = None, timeout: float = 30.0):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read()[:300]


def wait_ready(process: subprocess.Popen, url: str, workers: int, timeout: float = 240.0) -> list[int]:
    """Until `url` answers 200 and every worker is up and idle (each loads the model after the fork)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see its log")
        with contextlib.suppress(OSError):
            if http("GET", url, timeout=5)[0] == 200:
                break
        time.sleep(0.5)
    else:
        raise RuntimeError(f"{url} not ready in {timeout:.0f} s")
    pids = settle(process.pid, workers, deadline - time.monotonic())
    if pids is None:
        raise RuntimeError("workers did not settle")
    return pids


def settle(master: int, workers: int, timeout: float) -> list[int] | None:
    """Wait until the master has `workers` children and none of them uses CPU (requests wrk left in flight
    would otherwise be counted against the next shape). Returns their pids, or None at the timeout."""
    deadline = time.monotonic() + timeout
    previous: dict[int, float] = {}
    while time.monotonic() < deadline:
        pids = web_workers(master)
        now = {pid: cpu_seconds(pid) for pid in pids}
        if len(pids) == workers and previous.keys() == now.keys() and all(now[p] - previous[p] < 0.05 for p in pids):
            return pids
        previous = now
        time.sleep(0.5)
    return None


def probe_ms(url: str, times: int = 3, timeout: float = 120.0) -> float:
    """Median latency of sequential requests on an idle server."""
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        status, _ = http("GET", url, timeout=timeout)
        assert status == 200, status
        spent.append(1000 * (time.perf_counter() - started))
    return sorted(spent)[len(spent) // 2]


# --- wrk -------------------------------------------------------------------------------------------------

LUA_COMMON = r"""
local thread_count = 0
function setup(thread)
  thread:set("thread_id", thread_count)
  thread_count = thread_count + 1
end
counter = 0
function next_index()
  counter = counter + 1
  return counter * 16 + thread_id
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def lua_list(values) -> str:
    return "{" + ",".join(json.dumps(v) for v in values) + "}"


@dataclass
class Shape:
    name: str
    path: str
    lua: str = ""  # a request() body, or static wrk.* settings
    items_per_response: int = 0  # comments per page response, for comments/s


@dataclass
class Result:
    system: str
    shape: str
    requests: int = 0
    seconds: float = 0.0
    status_errors: int = 0
    socket_errors: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    cpu_per_request_ms: float = 0.0
    cpu_split: list[float] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    scorer_rss_mb: float = 0.0
    items_per_response: int = 0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(
    workdir: Path, base_url: str, shape: Shape, duration: float, connections: int, workers: list[int], system: str,
    scorers: list[int] = (),
) -> Result:
    """``scorers``: the scoring process, whose CPU counts in CPU per request (not in the workers' split)."""
    script = workdir / f"{system}-{shape.name}.lua".replace(" ", "_")
    script.write_text(LUA_COMMON + shape.lua)
    before = {pid: cpu_seconds(pid) for pid in [*workers, *scorers]}
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration:g}s", "--timeout", "10s", "-s", str(script), base_url + shape.path]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    after = {pid: cpu_seconds(pid) for pid in [*workers, *scorers]}
    line = next((l for l in completed.stdout.splitlines() if l.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary for {shape.name}: {completed.stdout[-500:]} {completed.stderr[-500:]}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    spent = {pid: after[pid] - before[pid] for pid in after}
    total = sum(spent[pid] for pid in workers)
    scoring = sum(spent[pid] for pid in scorers)
    result = Result(
        system=system,
        shape=shape.name,
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        status_errors=raw["status_errors"],
        socket_errors=raw["socket_errors"],
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        cpu_per_request_ms=1000 * (total + scoring) / raw["requests"] if raw["requests"] else 0.0,
        cpu_split=[100 * spent[pid] / total if total else 0.0 for pid in workers],
        peak_rss_mb=max(memory_mb(pid)[0] for pid in workers),
        scorer_rss_mb=sum(memory_mb(pid)[0] for pid in scorers),
        items_per_response=shape.items_per_response,
    )
    log(f"{system} {shape.name}: {result.rate:,.0f} req/s, p99 {result.p99_ms:.1f} ms, errors {result.status_errors + result.socket_errors}")
    return result


def count_items(body) -> int:
    """Comments in one page response: ours {"items": [...]}, Isso {"replies": [... nested "replies"]}."""
    if isinstance(body, dict) and "items" in body:
        return len(body["items"])
    if isinstance(body, dict) and "replies" in body:
        return sum(1 + count_items(reply) for reply in body["replies"])
    return 0


# --- engagement ------------------------------------------------------------------------------------------


def token(secret: str, sub: str, role: str = "user") -> str:
    import jwt

    now = datetime.now(timezone.utc)
    return jwt.encode({"sub": sub, "role": role, "iat": now, "exp": now + timedelta(hours=6)}, secret, algorithm="HS256")


def seed_comments(database_url: str, article_id: str, roots: int, replies: int, users: list[str], chunk: int = 20_000) -> list[int]:
    """Published comments inserted with executemany (not the API: a million posts through the model would
    take hours); counters set to match. Returns the root ids, oldest first."""
    from sqlalchemy import create_engine, insert, text

    sys.path.insert(0, str(ROOT))  # this checkout's models, not whichever the virtualenv installed
    from engagement.models import Comment

    engine = create_engine(database_url)
    table = Comment.__table__
    start = datetime.now(timezone.utc) - timedelta(days=30)
    scores = {"toxicity": 0.01}

    def row(i: int, parent: int | None) -> dict:
        return {
            "article_id": article_id, "author_id": users[i % len(users)], "parent_id": parent,
            "body": f"{SAMPLES[i % len(SAMPLES)]} ({i})", "status": "published",
            "created_at": start + timedelta(milliseconds=i), "like_count": i % 7, "reply_count": 0,
            "report_count": 0, "open_report_count": 0, "moderation_scores": scores, "moderation_labels": [],
            "moderation_model": "bench-seed", "moderation_reason": "clean",
        }

    for offset in range(0, roots, chunk):
        with engine.begin() as connection:
            connection.execute(insert(table), [row(i, None) for i in range(offset, min(roots, offset + chunk))])
    with engine.begin() as connection:
        root_ids = list(connection.execute(
            text("SELECT id FROM comments WHERE article_id = :a AND parent_id IS NULL ORDER BY id"), {"a": article_id}
        ).scalars())
        if replies:
            connection.execute(insert(table), [row(roots + i, root_ids[i % roots]) for i in range(replies)])
        connection.execute(
            text("UPDATE comments SET reply_count = (SELECT count(*) FROM comments r WHERE r.parent_id = comments.id) "
                 "WHERE article_id = :a AND parent_id IS NULL"),
            {"a": article_id},
        )
        connection.execute(
            text("UPDATE articles SET comment_count = (SELECT count(*) FROM comments c WHERE c.article_id = articles.id "
                 "AND c.status = 'published' AND c.deleted_at IS NULL) WHERE id = :a"),
            {"a": article_id},
        )
    engine.dispose()
    return root_ids


def engagement_shapes(secret: str, root_ids: list[int], users: list[str], page_items: dict[str, int], deep: dict | None) -> list[Shape]:
    tokens = lua_list(token(secret, u) for u in users)
    articles = [f"article-{i}" for i in range(N_ARTICLES)]
    shapes = [
        Shape("page20", "/api/v1/articles/article-0/comments?limit=20", items_per_response=page_items["page20"]),
        Shape("page100", "/api/v1/articles/article-0/comments?limit=100", items_per_response=page_items["page100"]),
        Shape("article", "/api/v1/articles/article-0"),
        Shape(
            "counts10",
            "/api/v1/articles/engagement",
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = {json.dumps(json.dumps({'article_ids': articles[:10]}))}\n",
        ),
        Shape(
            "like",
            "/",
            f"tokens = {tokens}\ncomments = {lua_list(root_ids)}\n"
            "function request()\n  local i = next_index()\n"
            "  local path = '/api/v1/comments/' .. comments[(math.floor(i / #tokens) % #comments) + 1] .. '/like'\n"
            "  return wrk.format('PUT', path, {Authorization = 'Bearer ' .. tokens[(i % #tokens) + 1]}, nil)\nend\n",
        ),
        Shape(
            "post",
            "/",
            f"tokens = {tokens}\nsamples = {lua_list(SAMPLES)}\n"
            "function request()\n  local i = next_index()\n"
            "  local body = '{\"body\": \"' .. samples[(i % #samples) + 1] .. ' (' .. i .. ')\"}'\n"
            "  return wrk.format('POST', '/api/v1/articles/article-1/comments',\n"
            "    {Authorization = 'Bearer ' .. tokens[(i % #tokens) + 1], ['Content-Type'] = 'application/json'}, body)\nend\n",
        ),
        Shape(
            "share",
            "/",
            f"articles = {lua_list(articles)}\n"
            "function request()\n  local i = next_index()\n"
            "  return wrk.format('POST', '/api/v1/articles/' .. articles[(i % #articles) + 1] .. '/shares',\n"
            "    {['Content-Type'] = 'application/json'}, '{\"channel\": \"x\"}')\nend\n",
        ),
        Shape(
            "reward",
            "/",
            f"tokens = {tokens}\narticles = {lua_list(articles)}\nrun = {json.dumps(secrets.token_hex(4))}\n"
            "function request()\n  local i = next_index()\n"
            "  return wrk.format('POST', '/api/v1/articles/' .. articles[(i % #articles) + 1] .. '/rewards',\n"
            "    {Authorization = 'Bearer ' .. tokens[(i % #tokens) + 1], ['Content-Type'] = 'application/json',\n"
            "     ['Idempotency-Key'] = 'bench-' .. run .. '-' .. i}, '{\"amount\": 1}')\nend\n",
        ),
    ]
    if deep:
        shapes += [
            Shape("deep_first", "/api/v1/articles/deep/comments?limit=20", items_per_response=20),
            Shape("deep_last", f"/api/v1/articles/deep/comments?limit=20&cursor={deep['cursor']}", items_per_response=20),
        ]
    return shapes


def start_postgres(stack: Stack, workdir: Path) -> str:
    """A throwaway cluster on a free loopback port, files in workdir, stopped and removed at the end."""
    pg_bin = next(
        (Path(p) for p in [os.path.dirname(shutil.which("initdb") or "")] + sorted(
            (str(d) for d in Path("/usr/lib/postgresql").glob("*/bin")), reverse=True) if p and Path(p, "initdb").exists()),
        None,
    )
    if pg_bin is None:
        raise SystemExit("--postgres needs PostgreSQL's initdb (apt-get install postgresql)")
    run_as: list[str] = []
    pg_dir = workdir / "pg"
    pg_dir.mkdir()
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        user = "postgres" if subprocess.run(["id", "postgres"], capture_output=True).returncode == 0 else None
        if user is None:
            raise SystemExit("--postgres as root needs the postgres user (apt's postgresql package creates it)")
        shutil.chown(pg_dir, user)
        run_as = ["runuser", "-u", user, "--"]
    port = free_port()
    subprocess.run(run_as + [str(pg_bin / "initdb"), "-D", str(pg_dir / "data"), "-U", "postgres", "--auth=trust",
                             "--no-locale", "-E", "UTF8", "--no-sync"], check=True, capture_output=True, timeout=120)
    subprocess.run(run_as + [str(pg_bin / "pg_ctl"), "-D", str(pg_dir / "data"), "-l", str(pg_dir / "log"), "-w", "-t", "60",
                             "start", "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {pg_dir}"],
                   check=True, capture_output=True, timeout=90)
    stack.callback(subprocess.run, run_as + [str(pg_bin / "pg_ctl"), "-D", str(pg_dir / "data"), "-m", "fast", "-w", "stop"],
                   capture_output=True, timeout=60)
    log(f"PostgreSQL on 127.0.0.1:{port}")
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def run_engagement(stack: Stack, args, workdir: Path, variant: str, root: Path = ROOT, label: str = "") -> list[Result]:
    # A variant is a worker class, optionally with gunicorn options after a colon: "gthread:--keep-alive=0".
    worker_class, _, options = variant.partition(":")
    system = f"engagement{label} {worker_class}{' ' + options if options else ''}" + (" pg" if args.postgres else "")
    variant_dir = workdir / "".join(c if c.isalnum() else "-" for c in f"{variant}{label}")
    variant_dir.mkdir(mode=0o711)
    database_url = start_postgres(stack, variant_dir) if args.postgres else f"sqlite:///{variant_dir}/engagement.db"
    secret = secrets.token_hex(32)
    port = free_port()
    env = {
        **os.environ,
        "ENGAGEMENT_DATABASE_URL": database_url,
        "ENGAGEMENT_JWT_SECRET": secret,
        "ENGAGEMENT_BIND": f"127.0.0.1:{port}",
        "ENGAGEMENT_WORKERS": str(args.workers),
        **{f"ENGAGEMENT_RATELIMIT_{name}": RAISED_LIMIT for name in RATE_LIMIT_SETTINGS},
    }
    log(f"{system}: flask db upgrade on {database_url}")
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=root, env=env, check=True,
                   capture_output=True, timeout=300)
    command = [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--worker-class", worker_class, "--workers", str(args.workers)]
    # gunicorn turns a sync worker with more than one thread into gthread, and gunicorn.conf.py asks for 4.
    command += ["--threads", str(args.threads if worker_class == "gthread" else 1)]
    command += args.gunicorn_arg + options.split() + ["wsgi:app"]
    server = start(stack, system, command, env, variant_dir / "server.log", cwd=root)
    base = f"http://127.0.0.1:{port}"
    workers = wait_ready(server, base + "/readyz", args.workers)

    admin = {"Authorization": f"Bearer {token(secret, 'bench-admin', 'admin')}"}
    for i in range(N_ARTICLES):
        status, body = http("PUT", f"{base}/api/v1/articles/article-{i}", {"title": f"Article {i}", "url": f"https://news.example/{i}", "author_id": "writer-0"}, admin)
        assert status in (200, 201), (status, body)
    users = [f"reader-{i}" for i in range(N_USERS)]
    for user in users:
        status, body = http("POST", f"{base}/api/v1/admin/users/{user}/credits", {"amount": 100000}, {**admin, "Idempotency-Key": f"seed-{user}"})
        assert status == 201, (status, body)
    root_ids = seed_comments(database_url, "article-0", ROOTS, REPLIES, users)
    deep = None
    if args.deep:
        status, body = http("PUT", f"{base}/api/v1/articles/deep", {"title": "Deep", "url": "https://news.example/deep", "author_id": "writer-0"}, admin)
        assert status in (200, 201), (status, body)
        log(f"inserting {args.deep:,} comments into one article")
        started = time.monotonic()
        deep_ids = seed_comments(database_url, "deep", args.deep, 0, users)
        log(f"inserted in {time.monotonic() - started:.0f} s")
        # Newest first: a cursor just above the oldest comments lands a page at the far end of the list.
        cursor = base64.urlsafe_b64encode(json.dumps([deep_ids[21]]).encode()).decode().rstrip("=")
        deep = {"cursor": cursor}
        first_ms = probe_ms(f"{base}/api/v1/articles/deep/comments?limit=20")
        last_ms = probe_ms(f"{base}/api/v1/articles/deep/comments?limit=20&cursor={cursor}")
        other_ms = probe_ms(f"{base}/api/v1/articles/article-0/comments?limit=20")
        DEEP_PROBES.append(f"{system}: one request at a time, median of 3: first page {first_ms:.1f} ms, "
                           f"page {args.deep:,} comments deep {last_ms:.1f} ms, another article's first page {other_ms:.1f} ms")
        log(DEEP_PROBES[-1])
    page_items = {
        name: count_items(http("GET", f"{base}/api/v1/articles/article-0/comments?limit={n}")[1])
        for name, n in (("page20", 20), ("page100", 100))
    }
    shapes = [s for s in engagement_shapes(secret, root_ids, users, page_items, deep) if s.name in args.shapes or s.name.startswith("deep")]
    results = []
    for shape in shapes:
        with profiled(args, shape.name, workers, variant_dir.name):
            results.append(run_wrk(variant_dir, base, shape, args.duration, args.connections, workers, system, scoring_processes(server.pid)))
        settle(server.pid, args.workers, 60)
    terminate(server, system)
    if args.keep_logs:
        args.keep_logs.mkdir(parents=True, exist_ok=True)
        shutil.copy(variant_dir / "server.log", args.keep_logs / f"{variant_dir.name}.log")
    return results


@contextlib.contextmanager
def profiled(args, shape: str, workers: list[int], label: str):
    """With --profile SHAPE: py-spy samples every worker while that shape runs; prints where the time went."""
    if args.profile != shape:
        yield
        return
    out_dir = ROOT / ".bench"
    out_dir.mkdir(exist_ok=True)
    spies = []
    for pid in workers:
        path = out_dir / f"profile-{label}-{shape}-{pid}.txt"
        command = [str(BIN / "py-spy"), "record", "--pid", str(pid), "--duration", f"{max(1, int(args.duration))}",
                   "--rate", "250", "--format", "raw", "--output", str(path), "--nonblocking"]
        spies.append((subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), path))
    try:
        yield
    finally:
        for spy, _ in spies:
            try:
                spy.wait(timeout=args.duration + 30)
            except subprocess.TimeoutExpired:
                spy.kill()
        summarize_profile([path for _, path in spies if path.exists()])


def summarize_profile(paths: list[Path], top: int = 30) -> None:
    """Inclusive and self share of samples per function, from py-spy's collapsed stacks."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for path in paths:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            frames = stack.split(";")
            # Idle threads (gthread's pool waiting for work, the batcher waiting for texts) are not CPU.
            if any(marker in frames[-1] for marker in ("wait (threading.py", "select (selectors.py", "_worker (concurrent")):
                continue
            n = int(count)
            total += n
            for frame in set(frames):
                inclusive[frame] = inclusive.get(frame, 0) + n
            own[frames[-1]] = own.get(frames[-1], 0) + n
    if not total:
        log("profile: no samples")
        return
    print(f"\npy-spy: {total} busy samples over {len(paths)} workers ({', '.join(str(p) for p in paths)})")
    print("inclusive %  self %  function")
    for frame, n in sorted(inclusive.items(), key=lambda item: -item[1])[:top]:
        print(f"{100 * n / total:10.1f}  {100 * own.get(frame, 0) / total:6.1f}  {frame}")


# --- Isso ------------------------------------------------------------------------------------------------


def isso_python() -> Path:
    venv = ROOT / ".bench" / "isso-venv"
    python = venv / "bin" / "python"
    marker = venv / f".isso-{ISSO_VERSION}"
    if not marker.exists():
        log(f"installing Isso {ISSO_VERSION} into {venv}")
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, timeout=300)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"isso=={ISSO_VERSION}", "gunicorn>=23"], check=True, timeout=900)
        marker.touch()
    return python


def run_isso(stack: Stack, args, workdir: Path) -> list[Result]:
    system = "isso 2 sync"
    python = isso_python()
    isso_dir = workdir / "isso"
    isso_dir.mkdir()
    port = free_port()
    config = isso_dir / "isso.cfg"
    # Isso's defaults, with the guard (2 posts per minute per address) and moderation off, like our raised limits.
    config.write_text(
        f"[general]\ndbpath = {isso_dir}/comments.db\nhost = http://127.0.0.1:{port}/\n"
        f"[server]\nlisten = http://127.0.0.1:{port}/\n[moderation]\nenabled = false\n[guard]\nenabled = false\n"
    )
    env = {**os.environ, "ISSO_SETTINGS": str(config)}
    command = [str(python), "-m", "gunicorn", "--workers", str(args.workers), "--worker-class", "sync",
               "--bind", f"127.0.0.1:{port}", "isso.run:application"]
    server = start(stack, system, command, env, isso_dir / "server.log", cwd=isso_dir)
    base = f"http://127.0.0.1:{port}"
    workers = wait_ready(server, base + "/config", args.workers, timeout=60)
    for i in range(N_ARTICLES):
        status, _ = http("POST", f"{base}/new?uri=/article-{i}", {"text": "First.", "title": f"Article {i}"})
        assert status == 201, status
    root_ids = [1]
    for i in range(ROOTS - 1):
        status, body = http("POST", f"{base}/new?uri=/article-0", {"text": f"{SAMPLES[i % len(SAMPLES)]} ({i})", "author": f"reader-{i % N_USERS}"})
        assert status == 201, (status, body)
        root_ids.append(body["id"])
    for i in range(REPLIES):
        status, body = http("POST", f"{base}/new?uri=/article-0", {"text": f"A reply ({i})", "parent": root_ids[i % ROOTS]})
        assert status == 201, (status, body)
    page_items = {
        name: count_items(http("GET", f"{base}/?uri=/article-0&limit={n}&nested_limit=0")[1])
        for name, n in (("page20", 20), ("page100", 100))
    }
    uris = [f"/article-{i}" for i in range(10)]
    shapes = [
        Shape("page20", "/?uri=/article-0&limit=20&nested_limit=0", items_per_response=page_items["page20"]),
        Shape("page100", "/?uri=/article-0&limit=100&nested_limit=0", items_per_response=page_items["page100"]),
        Shape("article", "/count", 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
              f'wrk.body = {json.dumps(json.dumps(uris[:1]))}\n'),
        Shape("counts10", "/count", 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
              f'wrk.body = {json.dumps(json.dumps(uris))}\n'),
        # Isso keeps one vote per address: after the first, a like from 127.0.0.1 reads and answers.
        Shape("like", "/", f"comments = {lua_list(root_ids)}\nfunction request()\n  local i = next_index()\n"
              "  return wrk.format('POST', '/id/' .. comments[(i % #comments) + 1] .. '/like',\n"
              "    {['Content-Type'] = 'application/json'}, nil)\nend\n"),
        Shape("post", "/", f"samples = {lua_list(SAMPLES)}\nfunction request()\n  local i = next_index()\n"
              "  local body = '{\"text\": \"' .. samples[(i % #samples) + 1] .. ' (' .. i .. ')\"}'\n"
              "  return wrk.format('POST', '/new?uri=/article-1', {['Content-Type'] = 'application/json'}, body)\nend\n"),
    ]
    shapes = [s for s in shapes if s.name in args.shapes]
    results = [run_wrk(isso_dir, base, shape, args.duration, args.connections, workers, system) for shape in shapes]
    terminate(server, system)
    return results


# --- report ----------------------------------------------------------------------------------------------


def print_table(results: list[Result]) -> None:
    header = ["system", "shape", "req/s", "comments/s", "p50 ms", "p99 ms", "errors", "CPU ms/req", "peak RSS MB/worker", "scoring process MB", "CPU split %"]
    rows = []
    for r in results:
        rows.append([
            r.system, SHAPE_TITLES.get(r.shape, r.shape), f"{r.rate:,.0f}",
            f"{r.rate * r.items_per_response:,.0f}" if r.items_per_response else "",
            f"{r.p50_ms:.1f}", f"{r.p99_ms:.1f}", f"{r.status_errors + r.socket_errors}",
            f"{r.cpu_per_request_ms:.2f}", f"{r.peak_rss_mb:.0f}", f"{r.scorer_rss_mb:.0f}" if r.scorer_rss_mb else "", "/".join(f"{s:.0f}" for s in r.cpu_split),
        ])
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i < 2 else "---:" for i in range(len(header))) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def print_ratios(results: list[Result]) -> None:
    peer = {r.shape: r for r in results if r.system.startswith("isso")}
    ours = [r for r in results if not r.system.startswith("isso")]
    if not peer or not ours:
        return
    print("\nOurs over Isso (comments/s for pages, req/s otherwise; p99 and memory: Isso's over ours)")
    print("| system | shape | throughput x | p99 Isso/ours | peak RSS ours/Isso |")
    print("|---|---|---:|---:|---:|")
    for r in ours:
        p = peer.get(r.shape)
        if p is None or not p.rate:
            continue
        mine = r.rate * (r.items_per_response or 1)
        theirs = p.rate * (p.items_per_response or 1)
        print(f"| {r.system} | {SHAPE_TITLES[r.shape]} | {mine / theirs:.2f} | {p.p99_ms / r.p99_ms if r.p99_ms else 0:.2f} "
              f"| {r.peak_rss_mb / p.peak_rss_mb if p.peak_rss_mb else 0:.1f} |")


def interrupted(*_) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per shape")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per worker")
    parser.add_argument("--worker-class", default="sync", help="comma-separated variants to compare: a worker class, optionally with gunicorn options, e.g. gthread,sync,gthread:--keep-alive=0")
    parser.add_argument("--gunicorn-arg", action="append", default=[], help="extra gunicorn option, e.g. --gunicorn-arg=--keep-alive=0")
    parser.add_argument("--shapes", default=",".join(ALL_SHAPES))
    parser.add_argument("--peer", choices=["isso"], help="also run the same shapes against Isso, in this run")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL cluster instead of SQLite")
    parser.add_argument("--deep", type=int, default=0, help="bulk-insert this many comments into one article and page it")
    parser.add_argument("--baseline-root", type=Path, help="also run this checkout of the project (e.g. git worktree of main), for before/after in one run")
    parser.add_argument("--keep-logs", type=Path, metavar="DIR", help="copy each server's log here before the temp dir goes")
    parser.add_argument("--profile", metavar="SHAPE", help="sample the workers with py-spy while SHAPE runs and print the top functions")
    args = parser.parse_args()
    args.shapes = set(args.shapes.split(","))
    if not shutil.which("wrk"):
        if os.geteuid() == 0 and shutil.which("apt-get"):
            log("wrk not found: installing it with apt")
            subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=600)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, timeout=600)
        else:
            raise SystemExit("wrk is needed (apt-get install wrk)")

    # SIGTERM unwinds like Ctrl-C, so the ExitStack stops every server and cluster.
    signal.signal(signal.SIGTERM, interrupted)
    results: list[Result] = []
    started = time.monotonic()
    with Stack() as stack:
        # Entered first, so removed last: after every server and cluster using it has stopped.
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="engagement-bench-")))
        workdir.chmod(0o711)  # PostgreSQL runs as its own user and must reach its directory
        try:
            variants = args.worker_class.split(",")
            if args.baseline_root:  # the first variant only: before/after on the same server settings
                results += run_engagement(stack, args, workdir, variants[0], args.baseline_root.resolve(), " (baseline)")
            for variant in variants:
                results += run_engagement(stack, args, workdir, variant)
            if args.peer == "isso":
                results += run_isso(stack, args, workdir)
        except KeyboardInterrupt:
            log("interrupted: stopping everything")
            return 130
        finally:
            stack.close()
    print(f"\n{os.uname().nodename}, {os.cpu_count()} CPUs, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; "
          f"wrk 2 threads, {args.connections} connections, {args.duration:g} s per shape; {args.workers} workers; "
          f"{'PostgreSQL' if args.postgres else 'SQLite'}; {time.monotonic() - started:.0f} s in all\n")
    print_table(results)
    for line in DEEP_PROBES:
        print(f"\n{line}")
    print_ratios(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
