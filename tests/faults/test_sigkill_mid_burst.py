"""SIGKILL in the middle of a burst of writes on PostgreSQL: nothing acknowledged is lost, nothing is counted twice.

Eight client threads post comments, like comments and send rewards with Idempotency-Keys (a reward whose answer
was lost is retried with the same key) against gunicorn (2 workers x 4 threads) on a PostgreSQL of the test's own.
Mid-burst one worker is SIGKILLed (the master forks another); the long variant then SIGKILLs the master too and
starts a new gunicorn on the same database. Afterwards, read straight from PostgreSQL: every write answered 2xx
is there, every counter equals its rows, every wallet equals its ledger, and no Idempotency-Key moved money twice.
"""

from __future__ import annotations

import http.client

import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from tests.conftest import ON_POSTGRES
from tests.faults.conftest import postgres_server
from tests.production.conftest import HttpResult, Server, gunicorn_server, migrate_database, wait_until

pytestmark = pytest.mark.skipif(
    ON_POSTGRES, reason="runs once, in the SQLite pass of scripts/test-all.sh: it starts a PostgreSQL of its own"
)

CLIENTS = 8
ARTICLES = ("burst-a", "burst-b")
CREDIT = 10_000


@dataclass
class Burst:
    """What the clients sent and what they were told; shared by the client threads."""

    servers: list[Server]
    acknowledged: Counter[str] = field(default_factory=Counter)
    lost_answers: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    comments: dict[int, str] = field(default_factory=dict)  # id -> body, answered 2xx
    likes: set[tuple[int, str]] = field(default_factory=set)  # (comment id, user), answered 2xx
    rewards: dict[str, int] = field(default_factory=dict)  # Idempotency-Key -> reward id, answered 2xx
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, kind: str, *args: Any, **kwargs: Any) -> HttpResult | None:
        try:
            result = self.servers[-1].request(*args, **kwargs)
        except (OSError, http.client.HTTPException):  # the worker died with the request (a cut-off answer
            # is an IncompleteRead), or no server listens for a moment
            with self.lock:
                self.lost_answers[kind] += 1
            return None
        with self.lock:
            self.statuses[result.status] += 1
            if 200 <= result.status < 300:
                self.acknowledged[kind] += 1
        # A killed worker loses its answers, never the others': no 5xx from the survivors or the new worker.
        assert result.status < 500, (kind, result.status, result.body)
        return result


def client_loop(burst: Burst, number: int, rounds: int, seed_comments: list[int]) -> None:
    user = f"burst-user-{number}"
    for i in range(rounds):
        article = ARTICLES[i % 2]
        body = f"Client {number} adds remark {i} about the figures."
        posted = burst.send("comment", "POST", f"/api/v1/articles/{article}/comments", {"body": body}, user)
        if posted is not None and posted.status in (201, 202):
            with burst.lock:
                burst.comments[posted.body["id"]] = body
        comment_id = seed_comments[(number + i) % len(seed_comments)]
        liked = burst.send("like", "PUT", f"/api/v1/comments/{comment_id}/like", None, user)
        if liked is not None and liked.status == 200:
            with burst.lock:
                burst.likes.add((comment_id, user))
        key = f"burst-{number}-{i}"
        give_up = time.monotonic() + 90
        while time.monotonic() < give_up:  # the same key until an answer arrives: a client's retry after a lost answer
            rewarded = burst.send(
                "reward", "POST", f"/api/v1/articles/{article}/rewards", {"amount": 1 + i % 7}, user,
                headers={"Idempotency-Key": key},
            )  # fmt: skip
            if rewarded is not None:
                break
            time.sleep(0.5)
        if rewarded is not None and rewarded.status == 201:
            with burst.lock:
                assert burst.rewards.setdefault(key, rewarded.body["id"]) == rewarded.body["id"]


def rows(engine: Engine, sql: str) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(text(sql)))


def assert_nothing_lost_and_everything_adds_up(engine: Engine, burst: Burst, rounds: int) -> None:
    stored_comments = dict(rows(engine, "SELECT id, body FROM comments"))
    missing = {cid: body for cid, body in burst.comments.items() if stored_comments.get(cid) != body}
    assert not missing, f"acknowledged comments not stored: {missing}"
    stored_likes = set(rows(engine, "SELECT comment_id, user_id FROM comment_likes"))
    assert burst.likes <= stored_likes, burst.likes - stored_likes
    stored_rewards = {row[0] for row in rows(engine, "SELECT id FROM rewards")}
    assert set(burst.rewards.values()) <= stored_rewards
    # One reward per key at most, whatever the retries: each client sent `rounds` distinct keys.
    per_sender = rows(engine, "SELECT from_user_id, count(*) FROM rewards GROUP BY from_user_id")
    assert all(count <= rounds for _, count in per_sender), per_sender

    wrong_comment_counts = rows(engine, """
        SELECT a.id, a.comment_count, count(c.id) FILTER (WHERE c.status = 'published' AND c.deleted_at IS NULL)
        FROM articles a LEFT JOIN comments c ON c.article_id = a.id GROUP BY a.id, a.comment_count
        HAVING a.comment_count <> count(c.id) FILTER (WHERE c.status = 'published' AND c.deleted_at IS NULL)""")
    assert not wrong_comment_counts, wrong_comment_counts
    wrong_like_counts = rows(engine, """
        SELECT c.id, c.like_count, count(l.user_id) FROM comments c LEFT JOIN comment_likes l ON l.comment_id = c.id
        GROUP BY c.id, c.like_count HAVING c.like_count <> count(l.user_id)""")
    assert not wrong_like_counts, wrong_like_counts
    wrong_reward_counts = rows(engine, """
        SELECT a.id, a.reward_count, count(r.id) FROM articles a LEFT JOIN rewards r ON r.article_id = a.id
        GROUP BY a.id, a.reward_count HAVING a.reward_count <> count(r.id)""")
    assert not wrong_reward_counts, wrong_reward_counts
    wallets = rows(engine, """
        SELECT w.user_id, w.currency, w.balance,
               coalesce((SELECT sum(amount) FROM ledger_entries e WHERE e.to_user_id = w.user_id AND e.currency = w.currency), 0)
             - coalesce((SELECT sum(amount) FROM ledger_entries e WHERE e.from_user_id = w.user_id AND e.currency = w.currency), 0)
        FROM wallets w""")
    assert wallets and all(row[2] == row[3] for row in wallets), wallets
    unmatched_rewards = rows(engine, """
        SELECT r.id FROM rewards r LEFT JOIN ledger_entries e ON e.id = r.ledger_entry_id
        WHERE e.id IS NULL OR e.amount <> r.amount OR e.from_user_id <> r.from_user_id""")
    assert not unmatched_rewards, unmatched_rewards
    # Value is neither created nor destroyed: everything credited is still in some wallet.
    credited = rows(engine, "SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE from_user_id IS NULL")[0][0]
    held = rows(engine, "SELECT coalesce(sum(balance), 0) FROM wallets")[0][0]
    assert credited == held == CREDIT * CLIENTS


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    # The master's other child, the scoring process (gunicorn.conf.py), is no web worker.
    return [int(pid) for pid in children if b"scoring_server" not in Path(f"/proc/{pid}/cmdline").read_bytes()]


def run_burst(tmp_path: Path, rounds: int, kill_master: bool) -> None:
    with postgres_server() as postgres, ExitStack() as stack:
        url = migrate_database(postgres.url)
        settings = {"ENGAGEMENT_DATABASE_URL": url, "ENGAGEMENT_RATELIMIT_ENABLED": "false"}
        (tmp_path / "first").mkdir()
        first = stack.enter_context(gunicorn_server(tmp_path / "first", settings, workers=2, threads=4))
        burst = Burst([first])
        for article in ARTICLES:
            body = {"title": "Burst", "url": f"https://news.example/{article}", "author_id": "burst-author"}
            assert first.request("PUT", f"/api/v1/articles/{article}", body, "root", "admin").status == 201
        seed_comments = []
        for i in range(4):
            posted = first.request("POST", f"/api/v1/articles/{ARTICLES[0]}/comments", {"body": f"Seed remark {i}."}, "seeder")
            assert posted.status == 201, posted.body
            seed_comments.append(posted.body["id"])
        for number in range(CLIENTS):
            credited = first.request(
                "POST", f"/api/v1/admin/users/burst-user-{number}/credits", {"amount": CREDIT}, "root", "admin",
                headers={"Idempotency-Key": f"seed-{number}"},
            )  # fmt: skip
            assert credited.status == 201, credited.body

        killed: list[str] = []
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            futures = [pool.submit(client_loop, burst, n, rounds, seed_comments) for n in range(CLIENTS)]
            wait_until(lambda: sum(burst.acknowledged.values()) >= CLIENTS * 6, timeout=120, interval=0.01, message="the burst")
            victim = worker_pids(first.process.pid)[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(f"worker {victim}")
            if kill_master:
                wait_until(lambda: sum(burst.acknowledged.values()) >= CLIENTS * 12, timeout=120, interval=0.01, message="more of the burst")
                orphans = worker_pids(first.process.pid)
                first.process.send_signal(signal.SIGKILL)
                first.process.wait(timeout=10)
                killed.append(f"master {first.process.pid}")
                for pid in orphans:  # what a supervisor's SIGKILL of the unit does to its workers
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                (tmp_path / "second").mkdir()
                burst.servers.append(stack.enter_context(gunicorn_server(tmp_path / "second", settings, workers=2, threads=4)))
            for future in futures:
                future.result(timeout=300)

        engine = create_engine(url, poolclass=NullPool)
        try:
            assert_nothing_lost_and_everything_adds_up(engine, burst, rounds)
        finally:
            engine.dispose()
        sent = sum(burst.statuses.values()) + sum(burst.lost_answers.values())
        print(f"\nSIGKILL mid-burst: {sent} requests, killed {', '.join(killed)}; acknowledged {dict(burst.acknowledged)}, "
              f"no answer (killed with the process, or nothing listening) {dict(burst.lost_answers)}, statuses {dict(sorted(burst.statuses.items()))}; "
              f"every acknowledged write stored, counters and wallets exact")  # fmt: skip
        assert burst.acknowledged["comment"] and burst.acknowledged["like"] and burst.acknowledged["reward"]


def test_a_worker_killed_mid_burst_loses_no_acknowledged_write(tmp_path):
    run_burst(tmp_path, rounds=4, kill_master=False)


@pytest.mark.long_fault
def test_worker_then_master_killed_mid_burst_lose_nothing_after_a_restart(tmp_path):
    run_burst(tmp_path, rounds=10, kill_master=True)
