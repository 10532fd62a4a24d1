"""Real gunicorn, started the way docs/deploy.md says (from the repository's root, which holds
gunicorn.conf.py), refuses several workers in production while rate-limit counters are kept in memory,
however the workers are given, and starts with one."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.startup import check_workers
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
REFUSAL = (
    "Refusing to start in production: 2 gunicorn workers (-w/--workers, WEB_CONCURRENCY or GUNICORN_CMD_ARGS) "
    "cannot share rate-limit counters kept in memory: set RATELIMIT_STORAGE_URI to a shared store, "
    "e.g. redis://127.0.0.1:6379, or run a single worker"
)


def _production_env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RATELIMIT_", "WEB_CONCURRENCY", "GUNICORN"))}
    env.update(
        APP_ENV="production",
        SECRET_KEY="a-long-random-production-secret-for-this-test",
        DATABASE_URL=f"sqlite:///{tmp_path}/prod.sqlite",
        ALLOW_SQLITE="1",
        MAIL_FILE_DIR=str(tmp_path / "mail"),
        **extra,
    )
    return env


def _gunicorn(env, *args, port: int) -> subprocess.Popen:
    command = [str(GUNICORN), "--no-control-socket", "--bind", f"127.0.0.1:{port}", *args, "wsgi:app"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize(
    ("args", "extra"),
    [(["-w", "2"], {}), (["--workers", "2"], {}), ([], {"GUNICORN_CMD_ARGS": "--workers 2"})],
    ids=["-w", "--workers", "GUNICORN_CMD_ARGS"],
)
def test_gunicorn_refuses_two_workers_with_counters_in_memory(tmp_path, args, extra):
    process = _gunicorn(_production_env(tmp_path, **extra), *args, port=free_port())

    _out, err = process.communicate(timeout=60)

    assert process.returncode == 1
    assert f"Error: {REFUSAL}" in err
    assert "Booting worker" not in err


def test_gunicorn_refuses_web_concurrency_2_as_well(tmp_path):
    process = _gunicorn(_production_env(tmp_path, WEB_CONCURRENCY="2"), port=free_port())

    _out, err = process.communicate(timeout=60)

    assert process.returncode == 1
    assert f"Error: {REFUSAL}" in err


def test_gunicorn_starts_with_one_worker_and_counters_in_memory(tmp_path):
    port = free_port()
    process = _gunicorn(_production_env(tmp_path), "-w", "1", port=port)
    try:
        body = _wait_for(f"http://127.0.0.1:{port}/healthz", process)
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=30)

    assert body == '{"status":"ok"}\n'
    assert "Refusing" not in err
    assert err.count("Booting worker") == 1


def test_gunicorn_starts_two_workers_with_a_shared_store(tmp_path):
    port = free_port()
    env = _production_env(tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/14")
    process = _gunicorn(env, "-w", "2", port=port)
    try:
        body = _wait_for(f"http://127.0.0.1:{port}/healthz", process)
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=30)

    assert body == '{"status":"ok"}\n'
    assert "Refusing" not in err


def test_check_workers_leaves_development_and_one_worker_alone():
    memory = {"ENV_NAME": "production", "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_ENABLED": True}

    check_workers({**memory, "ENV_NAME": "development"}, 4)
    check_workers(memory, 1)
    check_workers({**memory, "RATELIMIT_ENABLED": False}, 4)
    with pytest.raises(RuntimeError, match="4 gunicorn workers"):
        check_workers(memory, 4)


def _wait_for(url: str, process: subprocess.Popen) -> str:
    """The body of the first answer, waiting while gunicorn boots (it fails the test if gunicorn exits)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")
