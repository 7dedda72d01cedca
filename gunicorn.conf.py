"""gunicorn settings; every value can be overridden with GUNICORN_* style flags or env below."""

import os

bind = os.environ.get("ENGAGEMENT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ENGAGEMENT_WORKERS", "2"))
# Threads let one worker gather concurrent comments into one model batch.
threads = int(os.environ.get("ENGAGEMENT_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("ENGAGEMENT_WORKER_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# No preload: torch's thread pools do not survive a fork, so each worker loads the model after it.
preload_app = False
accesslog = "-"
errorlog = "-"
