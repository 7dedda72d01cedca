"""Schema-driven fuzzing: schemathesis reads the app's own OpenAPI document and sends every operation inputs
drawn from it (valid ones and, in its negative mode, ones that break the schema), as every role.

Checks on every answer: no 5xx; the status is one the operation documents (its own list, not only the
``default`` catch-all); the body matches the schema documented for that status. Derandomized and bounded
(``ENGAGEMENT_SCHEMATHESIS_EXAMPLES`` per operation and mode, 10 by default; each example is sent as anonymous,
user, moderator, admin and service), so CI sees the same requests each run.
The fake keyword scorer stands in for the model: this is about the HTTP contract, not moderation.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from engagement.auth import issue_token
from tests.conftest import TEST_SECRET

EXAMPLES = int(os.environ.get("ENGAGEMENT_SCHEMATHESIS_EXAMPLES", "10"))
ROLES = [None, "user", "moderator", "admin", "service"]
# Statuses any operation may answer without listing them: the error handler's JSON for malformed JSON bodies
# (400), a body over the size limit (413) and a method the route does not have (405); all share the documented
# `default` error schema, which response_schema_conformance checks.
GLOBAL_STATUSES = {400, 405, 413}


@schemathesis.check
def status_is_listed(ctx, response, case) -> bool | None:
    """status_code_conformance accepts anything when `default` is documented: require the operation's own list."""
    listed = {int(code) for code in case.operation.definition.raw.get("responses", {}) if code.isdigit()}
    status = response.status_code
    if status not in listed and status not in GLOBAL_STATUSES:
        raise AssertionError(f"{case.operation.label} answered {status}, which it does not document ({sorted(listed)})")
    return None


@pytest.fixture
def api_schema(app, client, auth, make_article, make_comment):
    # Something for the generated ids to hit: articles, comments (ids 1..3), a wallet with credit.
    article = make_article("a", author_id="author-1")["id"]
    make_article("b", author_id="alice")
    for _ in range(3):
        make_comment(article)
    credited = client.post(
        "/api/v1/admin/users/user/credits",
        json={"amount": 1000},
        headers={**auth("root", "admin"), "Idempotency-Key": "seed-credit"},
    )
    assert credited.status_code == 201, credited.get_json()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_documented_for_every_role(api_schema, mode):
    failures: dict[str, str] = {}
    sent = 0
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 30  # the whole API, not an empty document

    for operation in operations:
        checks = [not_a_server_error, status_code_conformance, response_schema_conformance, status_is_listed]

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],  # no shrinking: the failure is reported as drawn
        )
        def run(case):
            nonlocal sent
            for role in ROLES:
                if case.headers:  # the token is ours to choose, per role
                    case.headers = {k: v for k, v in case.headers.items() if k.lower() != "authorization"}
                headers = {"Authorization": f"Bearer {issue_token(TEST_SECRET, role, role)}"} if role else None
                sent += 1
                case.call_and_validate(headers=headers, checks=checks)

        try:
            run()
        except Unsatisfiable:
            # Negative mode on an operation without parameters or body: no input can break its schema.
            assert mode is GenerationMode.NEGATIVE, operation.label
        except Exception as error:  # noqa: BLE001 - every operation is tried; all failures are reported together
            failures[operation.label] = str(error)[:1500]
    print(f"\nschemathesis {mode.value}: {len(operations)} operations, {sent} requests, {len(failures)} failing")
    assert not failures, "\n\n".join(f"{label}:\n{message}" for label, message in failures.items())
