"""The onecode command line as a user runs it: real processes, real exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from tests_support_cli import ONECODE, run

from app.cli import cli


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


@pytest.mark.parametrize("path", list(all_commands(cli)), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = run(*path, "--help")
    assert result.returncode == 0, result.stderr
    assert "Example: onecode" in result.stdout or "Example: ONECODE_" in result.stdout


def test_db_upgrade_then_current(tmp_path: Path) -> None:
    env = {"ONECODE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    first = run("db", "upgrade", env=env)
    assert first.returncode == 0, first.stderr
    assert "empty -> " in first.stdout
    again = run("db", "upgrade", env=env)
    assert again.returncode == 0
    current = run("db", "current", env=env)
    head = current.stdout.split("head: ")[1].strip()
    assert f"current: {head}" in current.stdout


@pytest.mark.parametrize(
    ("env", "code", "message"),
    [
        ({"ONECODE_PORT": "eighty"}, 2, "ONECODE_PORT='eighty' is not a TCP port"),
        ({"ONECODE_LOGLEVEL": "DEBUG"}, 2, "unknown setting ONECODE_LOGLEVEL"),
        ({"ONECODE_DATABASE_URL": "mysql://x/y"}, 1, "expected sqlite:/// or postgresql://"),
        (
            {"ONECODE_DATABASE_URL": "postgresql://nobody:hunter2@127.0.0.1:1/db"},
            1,
            "cannot reach the database at postgresql+psycopg://nobody:***@127.0.0.1:1/db",
        ),
    ],
)
def test_bad_configuration_stops_with_one_clear_line(
    env: dict[str, str], code: int, message: str
) -> None:
    result = run("db", "upgrade", env=env)
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr


def test_unknown_command_is_a_usage_error() -> None:
    result = run("frobnicate")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "frobnicate" in result.stderr


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    result = run("serve", env={"ONECODE_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"})
    assert result.returncode == 1
    assert "run onecode db upgrade" in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Accept-Language": "en"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310  loopback only
        return response.status, response.read().decode()


def test_serve_answers_over_http(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "ONECODE_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "ONECODE_PORT": str(port),
        "ONECODE_LOG_FORMAT": "json",
    }
    assert run("db", "upgrade", env=env).returncode == 0
    environ = {**{k: v for k, v in os.environ.items() if not k.startswith("ONECODE_")}, **env}
    server = subprocess.Popen(  # noqa: S603
        [ONECODE, "serve"], env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = get(base + "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        status, home = get(base + "/")
        assert status == 200
        assert 'href="/readyz"' in home
    finally:
        server.terminate()
        out, err = server.communicate(timeout=10)
    assert f"serving on {base}/" in out
    assert f"{base}/healthz" in out  # the banner lists the entry points
    access = [json.loads(line) for line in err.splitlines() if '"onecode.access"' in line]
    assert (access[0]["path"], access[0]["status"]) == ("/healthz", 200)


def test_serve_reports_a_busy_port(tmp_path: Path) -> None:
    env = {"ONECODE_DATABASE_URL": f"sqlite:///{tmp_path / 'busy.db'}"}
    assert run("db", "upgrade", env=env).returncode == 0
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        result = run("serve", env={**env, "ONECODE_PORT": str(sock.getsockname()[1])})
    assert result.returncode == 1
    assert "cannot listen on" in result.stderr
    assert "ONECODE_PORT" in result.stderr
