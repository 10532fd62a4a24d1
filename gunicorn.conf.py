"""gunicorn's settings file: gunicorn reads ./gunicorn.conf.py by default when started from this directory
(as docs/deploy.md does). Its hooks run in the master process, before any worker starts.

Production refuses more than one worker while the rate-limit counters are kept in memory, however the
number of workers was given (`-w/--workers`, `WEB_CONCURRENCY`, `GUNICORN_CMD_ARGS`): each worker would
count on its own and every limit would be multiplied. A file given with `-c` must call the same check.
"""

import os


def _app_config() -> dict:
    # The config classes read the environment, as the app does; imported here, not at gunicorn's start.
    from config import CONFIGS

    config_class = CONFIGS.get(os.environ.get("APP_ENV", "development"), CONFIGS["development"])
    return {name: getattr(config_class, name) for name in dir(config_class) if name.isupper()}


def on_starting(server):
    """Before the first worker forks: a RuntimeError here makes gunicorn print it and exit with status 1."""
    from app.startup import check_workers

    check_workers(_app_config(), server.cfg.workers)


def nworkers_changed(server, new_value, old_value):
    """`kill -TTIN` or a reload with more workers, at run time: refused the same way, keeping the workers
    there were. (At start-up, when old_value is None, on_starting decides.)"""
    from app.startup import check_workers

    if old_value is None:
        return
    try:
        check_workers(_app_config(), new_value)
    except RuntimeError as error:
        server.log.error("%s", error)
        server.num_workers = old_value
