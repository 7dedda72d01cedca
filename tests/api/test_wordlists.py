"""The word lists through HTTP: who may read and change them, validation, the audit, the shipped defaults."""

from __future__ import annotations

import pytest

TERMS = "/api/v1/moderation/terms"


def add(client, auth, term, word_list="banned", language=None, who=("root", "admin")):
    body = {"list": word_list, "term": term}
    if language is not None:
        body["language"] = language
    return client.post(TERMS, json=body, headers=auth(*who))


def test_ships_an_empty_banned_list_and_a_vetted_suspect_list(client, auth):
    mod = auth("mia", "moderator")
    assert client.get(f"{TERMS}?list=banned", headers=mod).get_json()["items"] == []
    suspect = client.get(f"{TERMS}?list=suspect&limit=500", headers=mod).get_json()["items"]
    assert len(suspect) > 50
    assert {"term": "白痴", "language": "zh"} in [{"term": t["term"], "language": t["language"]} for t in suspect]
    assert all(t["created_by_id"] is None for t in suspect)
    spanish = client.get(f"{TERMS}?language=es", headers=mod).get_json()["items"]
    assert spanish and {t["language"] for t in spanish} == {"es"}


def test_admin_adds_and_removes_terms_and_both_are_audited(client, auth):
    response = add(client, auth, "rugpullcoin", language="en")
    assert response.status_code == 201
    created = response.get_json()
    assert (created["list"], created["term"], created["language"], created["created_by_id"]) == (
        "banned", "rugpullcoin", "en", "root",
    )
    assert add(client, auth, "rugpullcoin", language="en").status_code == 409
    assert add(client, auth, "rugpullcoin").status_code == 201  # every language is another entry

    assert client.delete(f"{TERMS}/{created['id']}", headers=auth("root", "admin")).status_code == 204
    assert client.delete(f"{TERMS}/{created['id']}", headers=auth("root", "admin")).status_code == 404
    log = client.get(f"/api/v1/moderation/log?subject_id={created['id']}", headers=auth("mia", "moderator")).get_json()
    assert [(e["action"], e["actor_id"], e["details"]["term"]) for e in log["items"]] == [
        ("term_removed", "root", "rugpullcoin"),
        ("term_added", "root", "rugpullcoin"),
    ]


@pytest.mark.parametrize("role, read, write", [("user", 403, 403), ("moderator", 200, 403), ("service", 403, 403), ("admin", 200, 201)])
def test_roles(client, auth, role, read, write):
    assert client.get(TERMS, headers=auth("someone", role)).status_code == read
    assert add(client, auth, "scamword", who=("someone", role)).status_code == write
    assert client.get(TERMS).status_code == 401


@pytest.mark.parametrize(
    "body, field",
    [
        ({"list": "blocked", "term": "x"}, "list"),
        ({"list": "banned", "term": ""}, "term"),
        ({"list": "banned", "term": "x" * 101}, "term"),
        ({"list": "banned", "term": "bad\x00term"}, "term"),
        ({"list": "banned", "term": "x", "language": "english"}, "language"),
        ({"list": "banned", "term": "x", "extra": 1}, "extra"),
        ({"list": "banned", "term": "!!!"}, "term"),
    ],
)
def test_bad_terms_are_422_and_change_nothing(client, auth, body, field):
    before = client.get(f"{TERMS}?limit=500", headers=auth("root", "admin")).get_json()["items"]
    response = client.post(TERMS, json=body, headers=auth("root", "admin"))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert client.get(f"{TERMS}?limit=500", headers=auth("root", "admin")).get_json()["items"] == before
