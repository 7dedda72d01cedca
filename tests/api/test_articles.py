"""Articles through HTTP: the engagement summary of many articles at once."""


class TestSummary:
    def test_batch_summaries_keep_order_and_list_missing(self, client, auth, make_article):
        a, b = make_article()["id"], make_article()["id"]
        client.put(f"/api/v1/articles/{b}/repost", json={}, headers=auth("alice"))
        response = client.post("/api/v1/articles/engagement", json={"article_ids": [b, "ghost", a]}, headers=auth("alice"))
        assert response.status_code == 200
        body = response.get_json()
        assert [item["id"] for item in body["items"]] == [b, a]
        assert body["missing"] == ["ghost"]
        assert body["items"][0]["viewer"] == {"reposted": True, "rewarded": False}
        assert client.post("/api/v1/articles/engagement", json={"article_ids": [a]}).get_json()["items"][0].get("viewer") is None

    def test_batch_is_bounded(self, client):
        response = client.post("/api/v1/articles/engagement", json={"article_ids": [f"a{i}" for i in range(101)]})
        assert response.status_code == 422

    def test_batch_summary_costs_a_fixed_number_of_queries(self, app, client, auth, make_article):
        from sqlalchemy import event

        from engagement.extensions import db

        ids = [make_article()["id"] for _ in range(30)]
        statements = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            small = client.post("/api/v1/articles/engagement", json={"article_ids": ids[:3]}, headers=auth("alice"))
            few = len(statements)
            statements.clear()
            large = client.post("/api/v1/articles/engagement", json={"article_ids": ids}, headers=auth("alice"))
            many = len(statements)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        # Both answered in full (a refused or empty answer costs no queries and would pass the comparison).
        assert small.status_code == 200 and [item["id"] for item in small.get_json()["items"]] == ids[:3]
        assert large.status_code == 200 and [item["id"] for item in large.get_json()["items"]] == ids
        assert all("viewer" in item for item in large.get_json()["items"])
        assert few > 0
        assert many == few, "summary queries must not grow with the number of articles"
