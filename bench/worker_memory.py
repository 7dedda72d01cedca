"""Resident memory of a fresh web worker: create_app() and one scored comment, stage by stage.

    .venv/bin/python bench/worker_memory.py [--scorer fake|onnx|both] [--instance PATH] [--text TEXT]

Each run is a fresh process (as a gunicorn worker is) that loads the parts in the order a worker needs them
and prints VmRSS (resident now) and VmHWM (the peak so far) after each stage, in MB:

- imports: ``from engagement import create_app`` (the factory imports the app's parts itself);
- spam model, multilingual model, language ID (py3langid): the moderation pipeline's own models;
- scorer: ``fake`` is a constant scorer (what a web worker costs without the toxicity model, e.g. once the
  model lives in a scoring process), ``onnx`` the real embedded model (ENGAGEMENT_MODERATION_RUNTIME=onnx)
  loaded with load_scorer from ``--instance`` (its exported ONNX files; the export runs there if absent);
- app: create_app() with that scorer injected (Flask, SQLAlchemy, the blueprints; the models above are
  loaded once per process, so the app reuses them);
- one post: a comment posted through the test client and moderated inline by the whole pipeline.

It also says whether scikit-learn, SciPy and torch ended up imported. The database is a migrated SQLite file
in a temporary folder (migrated by another process, so Alembic's cost is not counted).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]

_MIGRATE = textwrap.dedent(
    """
    import sys
    from flask_migrate import upgrade
    from engagement import create_app
    from engagement.extensions import db

    class FakeConstantScorer:
        name, version, labels = "fake-constant", "1", ("toxicity",)
        def score(self, texts):
            return [{"toxicity": 0.01} for _ in texts]

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": sys.argv[1], "JWT_SECRET": "s" * 40,
                      "MODERATION_SCORER": FakeConstantScorer(), "MODERATION_LOAD": "on_demand"})
    with app.app_context():
        upgrade()
    """
)

_WORKER = textwrap.dedent(
    """
    import json, sys, time
    stages = []
    def stage(name):
        fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
        stages.append((name, *(int(fields[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM"))))

    which, database, instance, text = sys.argv[1:5]
    stage("interpreter")
    from engagement import create_app
    from engagement.auth import issue_token
    stage("imports")
    from engagement.moderation.spam import load_spam_model
    load_spam_model()
    stage("spam model")
    from engagement.moderation.multilingual import get_multilingual_scorer
    get_multilingual_scorer()
    stage("multilingual model")
    from engagement.moderation.language import load_detector
    load_detector()
    stage("language ID (py3langid)")

    class FakeConstantScorer:
        # Stands in for the toxicity model: what a worker costs without it.
        name, version = "fake-constant", "1"
        labels = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")
        def score(self, texts):
            return [dict.fromkeys(self.labels, 0.01) for _ in texts]

    if which == "fake":
        scorer = FakeConstantScorer()
    else:
        from engagement.moderation.scoring import load_scorer
        scorer = load_scorer({"MODERATION_RUNTIME": "onnx"}, instance)
    stage(f"scorer ({which})")
    secret = "s" * 40
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "JWT_SECRET": secret, "RATELIMIT_ENABLED": False,
                      "MODERATION_SCORER": scorer, "MODERATION_BATCH_WAIT_MS": 0})
    stage("app")
    client = app.test_client()
    admin = {"Authorization": "Bearer " + issue_token(secret, "root", "admin")}
    article = {"title": "A headline", "url": "https://news.example/a1", "author_id": "author-1"}
    assert client.put("/api/v1/articles/a1", json=article, headers=admin).status_code == 201
    headers = {"Authorization": "Bearer " + issue_token(secret, "alice")}
    response = client.post("/api/v1/articles/a1/comments", json={"body": text}, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    stage("one post")
    print(json.dumps({"stages": stages, "status": response.get_json()["status"],
                      "modules": {name: name in sys.modules for name in ("sklearn", "scipy", "torch")}}))
    """
)


def measure(which: str, instance: Path, text: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{folder}/bench.db"
        env_python = [sys.executable, "-c"]
        subprocess.run([*env_python, _MIGRATE, database], cwd=REPOSITORY, check=True, capture_output=True)
        done = subprocess.run(
            [*env_python, _WORKER, which, database, str(instance), text], cwd=REPOSITORY, capture_output=True, text=True
        )
        if done.returncode:
            sys.exit(f"the {which} worker failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scorer", choices=("fake", "onnx", "both"), default="both")
    parser.add_argument("--instance", type=Path, default=REPOSITORY / "instance", help="holds models/ (the ONNX export)")
    parser.add_argument("--text", default="Спасибо за статью, очень интересно. Thanks for the article!")
    args = parser.parse_args()
    for which in ("fake", "onnx") if args.scorer == "both" else (args.scorer,):
        result = measure(which, args.instance, args.text)
        print(f"\n{which} scorer (comment {result['status']}); MB      VmRSS   +stage    VmHWM")
        previous = 0.0
        for name, rss, hwm in result["stages"]:
            print(f"  {name:<30} {rss:8.1f} {rss - previous:+8.1f} {hwm:8.1f}")
            previous = rss
        print("  imported: " + ", ".join(f"{name} {'yes' if loaded else 'no'}" for name, loaded in result["modules"].items()))


if __name__ == "__main__":
    main()
