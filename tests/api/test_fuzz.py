"""Random requests to every API route, as every role: never a 500, never anything but a JSON answer.

Hypothesis draws the route, the method, the path values, the query string and a JSON body mixing the
fields the API knows with junk (huge and negative numbers, far dates, NUL, lone surrogates, deep nesting).
Derandomized, so a run is reproducible and CI sees the same examples each time. The fake keyword scorer
stands in for the model: this test is about the HTTP layer, not about moderation.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import AnyConverter, IntegerConverter

# A deeper run: ENGAGEMENT_FUZZ_EXAMPLES=5000 pytest tests/api/test_fuzz.py
EXAMPLES = int(os.environ.get("ENGAGEMENT_FUZZ_EXAMPLES", "400"))
ROLES = [None, "user", "moderator", "admin", "service"]
FIELDS = [
    "body", "parent_id", "reason", "action", "until", "amount", "currency", "note", "message", "quote",
    "channel", "position", "expires_at", "title", "url", "author_id", "article_ids",
]  # fmt: skip
QUERY_KEYS = ["limit", "cursor", "sort", "parent_id", "status", "kind", "subject_id", "action"]
ODD_VALUES = [
    0, 1, -1, 2**31, 2**63, 10**30, 1e308, "", " ", "\x00", "a\x00b", "\ud800", "\u202e", "😀" * 401,
    "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "2030-01-01T00:00:00", "approve", "x", "PTS",
    "https://news.example/a", "javascript:alert(1)",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**25), max_value=10**25),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(ODD_VALUES),
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12
)
bodies = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values, max_size=5),
    json_values,
)
query_strings = st.dictionaries(
    st.sampled_from(QUERY_KEYS) | st.text(min_size=1, max_size=6),
    st.text(max_size=40) | st.integers(min_value=-(10**20), max_value=10**20).map(str) | st.sampled_from(["%00", "%ff", "top"]),
    max_size=3,
)


def _api_routes(app) -> list[tuple[str, str, object]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.startswith("/api/v1/docs") or rule.endpoint.startswith("api-docs."):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, rule.rule, rule))
    return routes


def _path_value(converter, existing: dict[str, object]):
    if isinstance(converter, AnyConverter):
        return st.sampled_from(list(converter.items))
    if isinstance(converter, IntegerConverter):
        return st.sampled_from([existing["comment_id"], 1]) | st.integers(min_value=-5, max_value=2**40)
    return st.sampled_from([existing["article_id"], "alice", "root"]) | st.text(min_size=1, max_size=20)


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_request_gets_a_500_or_a_non_json_answer(app, client, auth, make_comment, data):
    existing = getattr(app, "_fuzz_existing", None)
    if existing is None:  # once per test run, not per example: the rows accumulate like a real database
        comment = make_comment(author="alice")
        existing = app._fuzz_existing = {"article_id": comment["article_id"], "comment_id": comment["id"]}
    method, rule_text, rule = data.draw(st.sampled_from(_api_routes(app)), label="route")
    path = rule_text
    for name, converter in rule._converters.items():
        value = data.draw(_path_value(converter, existing), label=name)
        # The whole placeholder, converter and its arguments included: "<any(comments, reposts):collection>".
        path = re.sub(rf"<(?:[^<>]*:)?{re.escape(name)}>", lambda _: quote(str(value), safe=""), path)
    query = data.draw(query_strings, label="query")
    role = data.draw(st.sampled_from(ROLES), label="role")
    headers = auth("fuzzer", role) if role else {}
    headers["Idempotency-Key"] = data.draw(st.sampled_from(["k1", "k2", "x" * 300, "é"]), label="idempotency key")
    body = data.draw(bodies, label="body") if method in {"POST", "PUT", "PATCH"} else None

    response = client.open(path, method=method, query_string=query, json=body, headers=headers)

    assert response.status_code < 500, (method, path, query, body, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json", (method, path, response.status_code, response.mimetype)
    if response.status_code >= 400:
        assert response.get_json()["code"] == response.status_code
