"""How `choujian run` serves (gunicorn `-c python:choujian.gunicorn_conf`): 2 × cores + 1 processes, each with a few
threads for requests that wait on the database or the disk; workers are recycled now and then so no leak grows.
The application is loaded once, before the workers fork (no database connection is open then), so a new or recycled
worker answers its first request as fast as its hundredth.
The request log is written by the platform itself (one line per request, with its id), not by gunicorn."""

import os

cores = os.cpu_count() or 1
workers = int(os.environ.get("CHOUJIAN_WEB_WORKERS") or 2 * cores + 1)
worker_class = "gthread"
preload_app = True
threads = int(os.environ.get("CHOUJIAN_WEB_THREADS") or 4)
timeout = 120  # a 10,000-row import or a bulletin PDF may take a while; a stuck worker is still replaced
graceful_timeout = 30
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
accesslog = None
errorlog = "-"
