"""The read path on SQLite: reads never wait for the write lock, and a comments page is an index seek at any depth."""

from __future__ import annotations

import sqlite3
import threading

from sqlalchemy import event
from sqlalchemy.engine import make_url

from engagement.extensions import db
from tests.conftest import sqlite_only


@sqlite_only
def test_article_counters_batch_is_served_while_another_connection_holds_the_write_lock(app, client, make_article):
    articles = [make_article()["id"] for _ in range(3)]
    with app.app_context():
        path = make_url(str(db.engine.url)).database
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        writer.execute("BEGIN IMMEDIATE")  # a long write elsewhere (another worker posting a comment)
        writer.execute("UPDATE articles SET share_count = share_count + 1")
        answered: list = []
        # A POST that only reads: with BEGIN IMMEDIATE it would wait out the busy timeout behind the writer.
        reader = threading.Thread(
            target=lambda: answered.append(client.post("/api/v1/articles/engagement", json={"article_ids": articles}))
        )
        reader.start()
        reader.join(timeout=5)
        assert answered, "the read queued behind the write lock"
        assert answered[0].status_code == 200
        assert [item["share_count"] for item in answered[0].get_json()["items"]] == [0, 0, 0]  # not the uncommitted write
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        reader.join(timeout=30)


@sqlite_only
def test_comment_pages_seek_an_index_first_page_and_deep_alike(app, client, auth, make_comment, make_article):
    article_id = make_article()["id"]
    ids = [make_comment(article_id)["id"] for _ in range(3)]
    client.put(f"/api/v1/comments/{ids[0]}/pin", headers=auth("mia", "moderator"))
    captured: list[tuple[str, tuple]] = []

    def record(_connection, _cursor, statement, parameters, _context, _executemany) -> None:
        if statement.lstrip().startswith("SELECT") and "FROM comments" in statement and "ORDER BY" in statement:
            captured.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        first = client.get(f"/api/v1/articles/{article_id}/comments?limit=1").get_json()
        client.get(f"/api/v1/articles/{article_id}/comments?limit=1&cursor={first['next_cursor']}")
        client.get(f"/api/v1/articles/{article_id}/comments?limit=1", headers=auth("bob"))  # the viewer's held ones too
        client.get(f"/api/v1/articles/{article_id}/comments?sort=oldest&limit=1")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(captured) == 7  # pinned + page, page, pinned + page, pinned + page
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            plans = [[row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {s}", p)] for s, p in captured]
        finally:
            connection.close()
    for plan in plans:
        comments_steps = [step for step in plan if " comments " in f"{step} "]
        # One seek on the page index; no sort of every matching row, no scan of other articles' comments.
        assert comments_steps and all("USING INDEX ix_comments_article_page" in step for step in comments_steps), plan
        assert not any("TEMP B-TREE" in step for step in plan), plan
