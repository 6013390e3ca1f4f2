"""gunicorn's configuration for the portal: `gunicorn -c gunicorn.conf.py` (docs/deploy.md).

Every value can be changed through the environment (the same /etc/qms/env the portal reads), so a
server is tuned without editing this file. gunicorn reads this file from the working directory on
its own; passing `-c` keeps it explicit.
"""

from __future__ import annotations

import os


def _env_int(name: str, default: int) -> int:
    """An integer from the environment; a typo stops start-up with the variable's name."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(
            f"{name} bir tamsayı olmalı, '{raw}' verildi. ({name} must be an integer, got '{raw}'.)"
        ) from None


def _cpu_count() -> int:
    """The CPUs this process may run on (a container's or cgroup's limit, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


wsgi_app = "qms.wsgi:application"

# nginx in front talks to a local port; several app servers behind a load balancer bind 0.0.0.0:8001
# (firewalled to the balancer).
bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8001").split(",") if address.strip()]

# gunicorn's rule of thumb, 2 x cores + 1, capped: each worker holds a database connection and the
# whole portal in memory (~150-250 MB), so a big machine must not open more than PostgreSQL allows.
workers = _env_int("GUNICORN_WORKERS", min(2 * _cpu_count() + 1, _env_int("GUNICORN_MAX_WORKERS", 8)))

# Threads > 1 switch to the gthread worker: a worker then keeps serving while one thread builds a
# long PDF. One thread (the sync worker) is the simplest and the default.
threads = _env_int("GUNICORN_THREADS", 1)

# PDF reports, XLSX exports and admin imports of a few tens of MB run inside the request; 120 s lets
# them finish, and a worker stuck longer than that is killed and replaced.
timeout = _env_int("GUNICORN_TIMEOUT", 120)
# On restart or deploy, requests in progress get this long to finish before the worker is stopped.
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# nginx keeps connections to the app server open between requests.
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)

# A worker is replaced after this many requests (plus a random jitter, so that they are not all
# replaced at once): memory that reportlab or openpyxl left fragmented is given back to the system.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Only these addresses may set X-Forwarded-Proto / X-Forwarded-For (nginx on the same machine by
# default; the load balancer's address otherwise). gunicorn reads the same variable itself.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Workers signal that they are alive by touching a file: on tmpfs, so a slow or full disk never makes
# the arbiter think a healthy worker hangs (gunicorn's own advice). Only empty heartbeat files go there.
_SHARED_MEMORY = "/dev/shm"  # noqa: S108 - tmpfs on purpose, see above
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or (
    _SHARED_MEMORY if os.path.isdir(_SHARED_MEMORY) else None
)

# Access log on stdout (journald keeps it). Each line carries the client address nginx saw, the
# duration in milliseconds and the X-Request-ID nginx set, so one request can be followed from
# nginx's log through the portal's log lines to the response.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = os.environ.get(
    "GUNICORN_ACCESS_LOG_FORMAT",
    '%({x-forwarded-for}i)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" request_id=%({x-request-id}i)s',
)

proc_name = os.environ.get("GUNICORN_PROC_NAME", "qms")

# gunicorn 25+ opens a control socket in $HOME by default: two instances on one machine (a second
# site, `make prod-check` beside a running portal) would fight over it. Off unless a path is given.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]


if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):

    def child_exit(server, worker) -> None:
        """Drop a dead worker's live gauges from /metrics/ (prometheus_client multiprocess mode):
        otherwise its last values would be summed in forever."""
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
