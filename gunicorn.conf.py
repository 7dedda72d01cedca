"""gunicorn settings; every value can be overridden with GUNICORN_* style flags or env below."""

import os

from engagement.server import use_json_protocol_errors

# Requests gunicorn rejects itself (URI too long, bad headers) get a JSON error too, never an HTML page.
use_json_protocol_errors()

# One scoring process per machine serves the model to every worker (engagement.moderation.scoring_server):
# a worker holds no model of its own. ENGAGEMENT_MODERATION_SCORING=inline loads one per worker instead.
os.environ.setdefault("ENGAGEMENT_MODERATION_SCORING", "process")
_scoring_process = None

bind = os.environ.get("ENGAGEMENT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ENGAGEMENT_WORKERS", "2"))
# sync workers by default: they take one connection at a time and close it after the answer, so the kernel spreads
# requests over all workers. gthread workers under keep-alive kept each connection on the worker that accepted it
# (one worker did all the work in 6 of 8 bench shapes); in the same bench run sync had the lowest p99 in every
# shape (README, Performance). Slow clients are nginx's job in production (deploy/nginx). ENGAGEMENT_THREADS > 1
# turns the workers into gthread workers.
threads = int(os.environ.get("ENGAGEMENT_THREADS", "1"))
worker_class = "sync" if threads == 1 else "gthread"
timeout = int(os.environ.get("ENGAGEMENT_WORKER_TIMEOUT", "60"))
graceful_timeout = 30
# gthread only: 0 closes each connection after its answer, which spreads connections over the workers (nginx keeps
# the clients' connections alive in front).
keepalive = int(os.environ.get("ENGAGEMENT_KEEPALIVE", "0"))
# No preload: each worker builds its app (and its small models) after the fork, so a worker accepts connections only
# once create_app has finished and /readyz is never early; the toxicity model lives in the scoring process.
preload_app = False
# The app writes one access line per request itself (JSON in production, with the request id); set
# ENGAGEMENT_ACCESSLOG=- to have gunicorn write its own as well.
accesslog = os.environ.get("ENGAGEMENT_ACCESSLOG") or None
errorlog = "-"


def on_starting(server):
    # prometheus_client multiprocess mode: each worker writes its samples to files in this directory; files
    # left by a previous run would be counted again, so start empty (before anything imports the metrics).
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.remove(os.path.join(directory, name))

    from engagement.observability import configure_gunicorn_logging

    configure_gunicorn_logging(server.log)
    _start_scoring_process(server)


def _start_scoring_process(server):
    """Before any worker: the scoring process, answering on its socket (a worker waits for it at boot)."""
    global _scoring_process
    from engagement.config import load_settings

    settings = load_settings()
    if settings["MODERATION_MODE"] != "inline" or settings["MODERATION_SCORING"] != "process":
        return  # queue mode: the API scores nothing; inline scoring: each worker loads the model
    from engagement.moderation.scoring_server import ScoringProcess

    _scoring_process = ScoringProcess.from_settings(settings)
    server.log.info("starting the scoring process at %s", _scoring_process.path)
    _scoring_process.start()
    _scoring_process.supervise()


def on_exit(server):
    if _scoring_process is not None:
        _scoring_process.stop()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
