"""Rewards: a ledger that never creates or destroys value, with idempotent money-moving requests."""

import itertools

import pytest

keys = (f"key-{n}" for n in itertools.count())


def credit(client, auth, user, amount, key=None, **extra):
    headers = {**auth("root", "admin"), "Idempotency-Key": key or next(keys)}
    return client.post(f"/api/v1/admin/users/{user}/credits", json={"amount": amount, **extra}, headers=headers)


def reward(client, auth, article_id, user, amount, key=None, **extra):
    headers = {**auth(user), "Idempotency-Key": key or next(keys)}
    return client.post(f"/api/v1/articles/{article_id}/rewards", json={"amount": amount, **extra}, headers=headers)


def balance(client, auth, user, currency="PTS"):
    return client.get("/api/v1/me/wallet", headers=auth(user)).get_json()["balances"][currency]


def test_reward_moves_value_from_reader_to_author(client, auth, make_article):
    article = make_article(author_id="writer")
    assert credit(client, auth, "alice", 100).status_code == 201
    response = reward(client, auth, article["id"], "alice", 30, message="Thanks for this!")
    assert response.status_code == 201
    tip = response.get_json()
    assert tip["amount"] == 30 and tip["currency"] == "PTS" and tip["message"] == "Thanks for this!"
    assert balance(client, auth, "alice") == 70
    assert balance(client, auth, "writer") == 30
    summary = client.get(f"/api/v1/articles/{article['id']}", headers=auth("alice")).get_json()
    assert summary["reward_count"] == 1 and summary["reward_total"] == {"PTS": 30}
    assert summary["viewer"]["rewarded"] is True
    wallet = client.get("/api/v1/me/wallet", headers=auth("alice")).get_json()
    assert [(e["kind"], e["amount"]) for e in wallet["entries"]] == [("reward", -30), ("credit", 100)]


def test_same_key_and_body_replays_without_moving_value(client, auth, make_article):
    article = make_article(author_id="writer")
    credit(client, auth, "alice", 50)
    first = reward(client, auth, article["id"], "alice", 20, key="tip-1")
    again = reward(client, auth, article["id"], "alice", 20, key="tip-1")
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert balance(client, auth, "alice") == 30
    assert client.get(f"/api/v1/articles/{article['id']}").get_json()["reward_count"] == 1


def test_same_key_with_a_different_body_is_422_and_moves_nothing(client, auth, make_article):
    article = make_article(author_id="writer")
    credit(client, auth, "alice", 50)
    reward(client, auth, article["id"], "alice", 20, key="tip-1")
    response = reward(client, auth, article["id"], "alice", 25, key="tip-1")
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["errors"]
    assert balance(client, auth, "alice") == 30


def test_credit_replay_and_missing_key(client, auth):
    assert credit(client, auth, "alice", 10, key="deposit-7").status_code == 201
    assert credit(client, auth, "alice", 10, key="deposit-7").status_code == 201
    assert balance(client, auth, "alice") == 10
    missing = client.post("/api/v1/admin/users/alice/credits", json={"amount": 10}, headers=auth("root", "admin"))
    assert missing.status_code == 428
    assert balance(client, auth, "alice") == 10


def test_missing_key_on_reward_is_428(client, auth, make_article):
    article = make_article(author_id="writer")
    credit(client, auth, "alice", 10)
    response = client.post(f"/api/v1/articles/{article['id']}/rewards", json={"amount": 5}, headers=auth("alice"))
    assert response.status_code == 428
    assert balance(client, auth, "alice") == 10


def test_insufficient_balance_is_409_and_nothing_moves(client, auth, make_article):
    article = make_article(author_id="writer")
    credit(client, auth, "alice", 10)
    response = reward(client, auth, article["id"], "alice", 11, key="too-much")
    assert response.status_code == 409
    assert balance(client, auth, "alice") == 10 and balance(client, auth, "writer") == 0
    assert client.get(f"/api/v1/articles/{article['id']}").get_json()["reward_count"] == 0
    # The failed attempt did not burn the key: after a top-up the same key works.
    credit(client, auth, "alice", 5)
    assert reward(client, auth, article["id"], "alice", 11, key="too-much").status_code == 201


def test_cannot_reward_own_article(client, auth, make_article):
    article = make_article(author_id="alice")
    credit(client, auth, "alice", 10)
    assert reward(client, auth, article["id"], "alice", 5).status_code == 422
    assert balance(client, auth, "alice") == 10


@pytest.mark.parametrize(("extra", "field"), [({"currency": "USD"}, "currency"), ({"amount": 10**9}, "amount")])
def test_unknown_currency_or_amount_over_the_bound_is_422(client, auth, make_article, extra, field):
    article = make_article(author_id="writer")
    credit(client, auth, "alice", 100)
    body = {"amount": 5, **extra}
    response = client.post(
        f"/api/v1/articles/{article['id']}/rewards", json=body, headers={**auth("alice"), "Idempotency-Key": "k"}
    )
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_held_message_is_hidden_from_others(client, auth, make_article):
    article = make_article(author_id="writer")
    credit(client, auth, "alice", 100)
    tip = reward(client, auth, article["id"], "alice", 5, message="you insult-word").get_json()
    assert tip["message_status"] == "pending_review" and tip["moderation"]["labels"]
    public = client.get(f"/api/v1/articles/{article['id']}/rewards").get_json()
    assert public["items"][0]["message"] is None and public["items"][0]["amount"] == 5
    own = client.get(f"/api/v1/articles/{article['id']}/rewards", headers=auth("alice")).get_json()
    assert own["items"][0]["message"] == "you insult-word"
    queue = client.get("/api/v1/moderation/queue?kind=reward", headers=auth("mod", "moderator")).get_json()
    assert [item["id"] for item in queue["items"]] == [tip["id"]]
    decided = client.post(
        f"/api/v1/moderation/rewards/{tip['id']}/decision", json={"action": "approve"}, headers=auth("mod", "moderator")
    )
    assert decided.status_code == 200
    assert client.get(f"/api/v1/articles/{article['id']}/rewards").get_json()["items"][0]["message"] == "you insult-word"


def test_rewards_list_paginates_and_ranks_top_supporters(client, auth, make_article):
    article = make_article(author_id="writer")
    for user, amounts in (("alice", [5, 5]), ("bob", [20]), ("carol", [1])):
        credit(client, auth, user, 100)
        for amount in amounts:
            reward(client, auth, article["id"], user, amount)
    first = client.get(f"/api/v1/articles/{article['id']}/rewards?limit=2").get_json()
    second = client.get(f"/api/v1/articles/{article['id']}/rewards?limit=2&cursor={first['next_cursor']}").get_json()
    assert len(first["items"]) == 2 and len(second["items"]) == 2 and second["next_cursor"] is None
    assert [(s["user_id"], s["total"], s["count"]) for s in first["top_supporters"]] == [
        ("bob", 20, 1), ("alice", 10, 2), ("carol", 1, 1)
    ]


def test_no_value_is_created_or_destroyed(app, client, auth, make_article):
    """After any sequence of credits and rewards, the wallets hold exactly what was credited."""
    import random

    rng = random.Random(7)
    users = ["alice", "bob", "carol", "dave"]
    articles = [make_article(author_id=author)["id"] for author in users]
    credited = 0
    expected = dict.fromkeys(users, 0)  # the balances a correct ledger must end with
    for user in users:
        amount = rng.randint(0, 50)
        if amount:
            assert credit(client, auth, user, amount).status_code == 201
            credited += amount
            expected[user] += amount
    outcomes = []
    for _ in range(60):
        sender, author = rng.choice(users), rng.choice(users)
        amount = rng.randint(1, 30)
        # Each answer is the one the rules give: own article 422, not enough money 409, else the tip moves.
        should = 422 if sender == author else 409 if expected[sender] < amount else 201
        status = reward(client, auth, articles[users.index(author)], sender, amount).status_code
        assert status == should, (sender, author, amount, expected)
        if status == 201:
            expected[sender] -= amount
            expected[author] += amount
        outcomes.append(status)
    # Refusing every reward would also create and destroy nothing: enough of them must have moved value.
    assert outcomes.count(201) >= 10, outcomes
    assert {user: balance(client, auth, user) for user in users} == expected
    with app.app_context():
        from sqlalchemy import func, select

        from engagement.extensions import db
        from engagement.models import LedgerEntry, Wallet

        assert db.session.scalar(select(func.coalesce(func.sum(Wallet.balance), 0))) == credited
        assert db.session.scalar(select(func.min(Wallet.balance))) >= 0
        credits = db.session.scalar(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.kind == "credit"))
        assert credits == credited
        # Each wallet equals what its ledger entries say.
        for wallet in db.session.scalars(select(Wallet)):
            received = db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(LedgerEntry.to_user_id == wallet.user_id))
            given = db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(LedgerEntry.from_user_id == wallet.user_id))
            assert wallet.balance == received - given


def test_balance_cannot_go_negative_even_bypassing_the_service(app):
    from sqlalchemy.exc import IntegrityError

    from engagement.extensions import db
    from engagement.models import User, Wallet

    with app.app_context():
        db.session.add(User(id="x"))
        db.session.add(Wallet(user_id="x", currency="PTS", balance=-1))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


@pytest.mark.parametrize("decision", [None, "reject"], ids=["held", "rejected"])
def test_others_never_learn_a_messages_status(client, auth, make_article, decision):
    article = make_article(author_id="writer")
    credit(client, auth, "alice", 100)
    tip = reward(client, auth, article["id"], "alice", 5, message="you insult-word").get_json()
    reward(client, auth, article["id"], "alice", 5)  # no message at all: others must not tell the two apart
    if decision:
        client.post(f"/api/v1/moderation/rewards/{tip['id']}/decision", json={"action": decision}, headers=auth("mod", "moderator"))
    status = "rejected" if decision else "pending_review"
    url = f"/api/v1/articles/{article['id']}/rewards"
    for headers in ({}, auth("bob"), auth("writer")):
        listing = client.get(url, headers=headers)
        items = listing.get_json()["items"]
        assert [(i["message"], i["message_status"], i["moderation"]) for i in items] == [(None, None, None)] * 2
        assert "insult-word" not in listing.get_data(as_text=True) and status not in listing.get_data(as_text=True)
    for headers in (auth("alice"), auth("mod", "moderator")):
        mine = client.get(url, headers=headers).get_json()["items"][1]
        assert (mine["message"], mine["message_status"]) == ("you insult-word", status)
