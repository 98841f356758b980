"""Gunicorn's settings for `make run`, the load bench and production alike:
`gunicorn --config python:microcred.gunicorn_config microcred.wsgi` (a --bind on the command line wins).

Threads rather than more processes: a request mostly waits on the database, and each process holds its own
copy of the app. Two processes keep both cores of a small machine busy (and one serves while the other
restarts); four threads in each serve eight requests at once, enough to keep the database busy without
piling up connections or lock waiters. WEB_CONCURRENCY and WEB_THREADS change them per machine.
"""

from __future__ import annotations

from typing import Any

from microcred.env import env_int

# Loopback unless --bind says otherwise: gunicorn alone would listen on every interface whenever PORT is set.
bind = [f"127.0.0.1:{env_int('PORT', 8000, minimum=1, maximum=65535)}"]
worker_class = "gthread"
workers = env_int("WEB_CONCURRENCY", 2, minimum=1)
threads = env_int("WEB_THREADS", 4, minimum=1)
# A request that has not answered in this long is stuck; its worker is replaced.
timeout = 30
# Ctrl-C and deploys should not wait long for idle keep-alive connections.
graceful_timeout = 10
keepalive = 5
# No access log: the load balancer's is the one to read, and locally one line per request (static files
# included) buries the demo logins and any error. Errors still go to stderr.
accesslog = None
errorlog = "-"
loglevel = "warning"
# gunicorn's control socket has one path per user (~/.gunicorn/gunicorn.ctl): a second server on the host (the
# load bench beside `make run`, two checkouts) would take over the first one's. Nothing here uses it.
control_socket_disable = True


def post_worker_init(worker: Any) -> None:
    """Import the URLconf (every view, the API and its schemas) before the worker takes its first request.

    Django imports it lazily, on the first request a process serves: about two seconds on a small machine, paid
    by whoever comes first to each new worker after every start, deploy or restart, and by every request queued
    behind theirs. Nothing here touches the database."""
    from importlib import import_module

    from django.conf import settings

    import_module(settings.ROOT_URLCONF)
