"""Soak: gunicorn on a throwaway PostgreSQL under 32 clients for a bounded time, then the books are checked.

    .venv/bin/python bench/soak.py [--minutes 5] [--clients 32] [--workers 2] [--threads 4]

Each client thread (on 127.0.0.1, one keep-alive connection) mixes reads (comment pages, counters, wallets),
comments, likes and unlikes, and rewards with Idempotency-Keys; a fifth of the rewards are sent twice with the
same key (a client retrying), and a reward whose answer was lost is retried with its key. Rate limits are raised
through the environment (32 clients share one address), the limiter still counts every request.
At the end it prints requests made, answers per status, the 5xx count (must be 0), whether every acknowledged
write is stored, whether counters equal their rows and wallets their ledger, and each worker's resident memory at
start, middle and end. Exit status 1 when any 5xx, loss or mismatch is found. Uses bench/http_bench.py's helpers
to start PostgreSQL and gunicorn; everything is stopped at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import http_bench as hb  # noqa: E402  (the bench's process helpers: PostgreSQL, gunicorn, /proc readings)

ARTICLES = [f"soak-{i}" for i in range(4)]
CREDIT = 100_000
TEXTS = [
    "Thanks for the clear explanation, number {n}.",
    "I disagree with the author about point {n}: the chart does not add up.",
    "Could you add a source for figure {n}?",
    "Well written, looking forward to part {n}.",
    "You are an idiot, and so is reader {n}.",  # held or rejected: counters must ignore it
]


@dataclass
class Books:
    """What the clients were told, to compare with the database afterwards."""

    statuses: Counter = field(default_factory=Counter)
    per_kind: Counter = field(default_factory=Counter)
    no_answer: Counter = field(default_factory=Counter)
    comments: dict = field(default_factory=dict)  # id -> body
    liked: dict = field(default_factory=dict)  # (comment id, user) -> last acknowledged state
    rewards: dict = field(default_factory=dict)  # key -> reward id
    replay_mismatches: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    def __init__(self, port: int, secret: str, user: str):
        self.port, self.user = port, user
        self.auth = {"Authorization": f"Bearer {hb.token(secret, user)}"}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body=None, headers=None, auth=True):
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        all_headers = {**(self.auth if auth else {}), **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=data, headers=all_headers)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise OSError("no answer")
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        parsed = json.loads(raw) if raw and response.getheader("Content-Type", "").startswith("application/json") else raw
        return response.status, parsed


def client_loop(number: int, port: int, secret: str, deadline: float, books: Books, seed_comments: list[int]) -> None:
    rng = random.Random(number)
    client = Client(port, secret, f"soak-user-{number}")
    known = list(seed_comments)
    sent = 0

    def send(kind, *args, **kwargs):
        try:
            status, body = client.request(*args, **kwargs)
        except OSError:
            with books.lock:
                books.no_answer[kind] += 1
            return None, None
        with books.lock:
            books.statuses[status] += 1
            books.per_kind[kind] += 1
        return status, body

    while time.monotonic() < deadline:
        sent += 1
        article = rng.choice(ARTICLES)
        roll = rng.random()
        if roll < 0.5:
            path = rng.choice([
                f"/api/v1/articles/{article}/comments?limit=20", f"/api/v1/articles/{article}",
                f"/api/v1/articles/{article}/rewards", "/api/v1/me/wallet", f"/api/v1/comments/{rng.choice(known)}",
            ])  # fmt: skip
            send("read", "GET", path, auth=rng.random() < 0.5)
        elif roll < 0.7:
            body = rng.choice(TEXTS).format(n=f"{number}-{sent}")
            status, answer = send("comment", "POST", f"/api/v1/articles/{article}/comments", {"body": body})
            if status in (201, 202):
                with books.lock:
                    books.comments[answer["id"]] = body
                known.append(answer["id"])
                del known[:-50]
        elif roll < 0.85:
            comment_id = rng.choice(known)
            like = rng.random() < 0.7
            status, answer = send("like", "PUT" if like else "DELETE", f"/api/v1/comments/{comment_id}/like")
            if status == 200:
                with books.lock:
                    books.liked[(comment_id, client.user)] = answer["liked"]
        else:
            key = f"soak-{number}-{sent}-{secrets.token_hex(4)}"
            body = {"amount": rng.randint(1, 50), "message": f"For piece {number}-{sent}"}
            retries = 2 if rng.random() < 0.2 else 1
            give_up = time.monotonic() + 30
            first_id = None
            while retries and time.monotonic() < give_up:
                status, answer = send("reward", "POST", f"/api/v1/articles/{article}/rewards", body,
                                      {"Idempotency-Key": key})
                if status is None:
                    time.sleep(0.2)
                    continue  # the answer was lost: the same key again
                retries -= 1
                if status == 201:
                    with books.lock:
                        if first_id is not None and answer["id"] != first_id:
                            books.replay_mismatches += 1
                        first_id = answer["id"]
                        books.rewards[key] = first_id


def check_books(database_url: str, books: Books) -> dict[str, object]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(database_url, poolclass=NullPool)

    def rows(sql):
        with engine.connect() as connection:
            return list(connection.execute(text(sql)))

    try:
        stored_comments = dict(rows("SELECT id, body FROM comments"))
        likes = set(rows("SELECT comment_id, user_id FROM comment_likes"))
        reward_ids = {row[0] for row in rows("SELECT id FROM rewards")}
        result = {
            "acknowledged comments missing": sum(1 for i, b in books.comments.items() if stored_comments.get(i) != b),
            # The last acknowledged like state per (comment, user) is the stored one (each user sends in order).
            "likes not as last acknowledged": sum(1 for key, liked in books.liked.items() if (key in likes) != liked),
            "acknowledged rewards missing": len(set(books.rewards.values()) - reward_ids),
            "retried keys answered with another reward": books.replay_mismatches,
            "articles whose comment_count is off": len(rows("""
                SELECT a.id FROM articles a LEFT JOIN comments c ON c.article_id = a.id GROUP BY a.id, a.comment_count
                HAVING a.comment_count <> count(c.id) FILTER (WHERE c.status = 'published' AND c.deleted_at IS NULL)""")),
            "comments whose like_count is off": len(rows("""
                SELECT c.id FROM comments c LEFT JOIN comment_likes l ON l.comment_id = c.id
                GROUP BY c.id, c.like_count HAVING c.like_count <> count(l.user_id)""")),
            "comments whose reply_count is off": len(rows("""
                SELECT p.id FROM comments p LEFT JOIN comments r ON r.parent_id = p.id
                GROUP BY p.id, p.reply_count
                HAVING p.reply_count <> count(r.id) FILTER (WHERE r.status = 'published' AND r.deleted_at IS NULL)""")),
            "articles whose reward_count is off": len(rows("""
                SELECT a.id FROM articles a LEFT JOIN rewards r ON r.article_id = a.id
                GROUP BY a.id, a.reward_count HAVING a.reward_count <> count(r.id)""")),
            "wallets that differ from their ledger": len(rows("""
                SELECT w.user_id FROM wallets w WHERE w.balance <>
                    coalesce((SELECT sum(amount) FROM ledger_entries e WHERE e.to_user_id = w.user_id AND e.currency = w.currency), 0)
                  - coalesce((SELECT sum(amount) FROM ledger_entries e WHERE e.from_user_id = w.user_id AND e.currency = w.currency), 0)""")),
            "value created or destroyed": rows("SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE from_user_id IS NULL")[0][0]
            - rows("SELECT coalesce(sum(balance), 0) FROM wallets")[0][0],
        }
        result["stored"] = {
            "comments": len(stored_comments), "likes": len(likes), "rewards": len(reward_ids),
        }  # fmt: skip
        return result
    finally:
        engine.dispose()


def rss(master: int) -> list[float]:
    return [round(hb.memory_mb(pid)[1]) for pid in sorted(hb.web_workers(master))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if not 0 < args.minutes <= 60:
        raise SystemExit("--minutes must be in (0, 60]")
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    with hb.Stack() as stack, tempfile.TemporaryDirectory(prefix="engagement-soak-") as work:
        workdir = Path(work)
        os.chmod(workdir, 0o711)
        database_url = hb.start_postgres(stack, workdir)
        secret, port = secrets.token_hex(32), hb.free_port()
        env = {
            **os.environ,
            "ENGAGEMENT_DATABASE_URL": database_url,
            "ENGAGEMENT_JWT_SECRET": secret,
            "ENGAGEMENT_BIND": f"127.0.0.1:{port}",
            "ENGAGEMENT_WORKERS": str(args.workers),
            "ENGAGEMENT_THREADS": str(args.threads),
            "ENGAGEMENT_RATELIMIT_STORAGE_URI": f"sqlite:///{workdir / 'ratelimits.sqlite3'}",
            **{f"ENGAGEMENT_RATELIMIT_{name}": hb.RAISED_LIMIT for name in hb.RATE_LIMIT_SETTINGS},
        }
        subprocess.run([str(hb.BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=hb.ROOT, env=env, check=True,
                       capture_output=True, timeout=300)  # fmt: skip
        command = [str(hb.BIN / "gunicorn"), "--config", "gunicorn.conf.py", "wsgi:app"]
        server = hb.start(stack, "gunicorn", command, env, workdir / "server.log")
        base = f"http://127.0.0.1:{port}"
        hb.wait_ready(server, base + "/readyz", args.workers)

        admin = {"Authorization": f"Bearer {hb.token(secret, 'soak-admin', 'admin')}"}
        for article in ARTICLES:
            body = {"title": "Soak", "url": f"https://news.example/{article}", "author_id": "soak-writer"}
            assert hb.http("PUT", f"{base}/api/v1/articles/{article}", body, admin)[0] == 201
        for number in range(args.clients):
            status, body = hb.http("POST", f"{base}/api/v1/admin/users/soak-user-{number}/credits", {"amount": CREDIT},
                                   {**admin, "Idempotency-Key": f"seed-{number}"})  # fmt: skip
            assert status == 201, (status, body)
        seed = Client(port, secret, "soak-seeder")
        seed_comments = [seed.request("POST", f"/api/v1/articles/{a}/comments", {"body": f"First remark on {a}."})[1]["id"] for a in ARTICLES]

        books = Books()
        memory = {"start": rss(server.pid)}
        started = time.monotonic()
        deadline = started + args.minutes * 60
        threads = [
            threading.Thread(target=client_loop, args=(n, port, secret, deadline, books, seed_comments), daemon=True)
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        time.sleep(args.minutes * 30)
        memory["middle"] = rss(server.pid)
        for thread in threads:
            thread.join(timeout=args.minutes * 30 + 120)
        elapsed = time.monotonic() - started
        memory["end"] = rss(server.pid)
        hb.log("checking the books")
        checks = check_books(database_url, books)

    requests = sum(books.statuses.values()) + sum(books.no_answer.values())
    errors = sum(n for status, n in books.statuses.items() if status >= 500)
    problems = {name: value for name, value in checks.items() if name != "stored" and value}
    print(f"\nsoak: {args.clients} clients, {elapsed:.0f} s, gunicorn {args.workers} workers x {args.threads} threads, PostgreSQL")
    print(f"requests: {requests} ({requests / elapsed:.0f}/s); per kind {dict(books.per_kind)}")
    print(f"statuses: {dict(sorted(books.statuses.items()))}; no answer: {dict(books.no_answer) or 0}")
    print(f"5xx: {errors}")
    print(f"acknowledged: {len(books.comments)} comments, {len(books.rewards)} rewards, {len(books.liked)} like states; "
          f"stored {checks['stored']}")  # fmt: skip
    print("books: " + ("exact (every acknowledged write stored, counters = rows, wallets = ledger, no value created)"
                       if not problems else f"WRONG {problems}"))  # fmt: skip
    print(f"worker RSS MB (start / middle / end): {memory['start']} / {memory['middle']} / {memory['end']}")
    return 1 if errors or problems or books.no_answer else 0


if __name__ == "__main__":
    sys.exit(main())
