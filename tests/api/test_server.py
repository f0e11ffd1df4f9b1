"""The API as it is run: `python -m genxsop_core serve-api` (a real uvicorn server on 127.0.0.1, in a
subprocess) and the `api-keys` commands (the CLI's `main`, in this process: a subprocess costs seconds)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from genxsop_core.cli import main
from tests.api.conftest import API_SECRET


def _env(database_url: str, **more: str) -> dict[str, str]:
    env = {**os.environ, "GENXSOP_DATABASE_URL": database_url, "GENXSOP_BUCKET": "week", "GENXSOP_DEMO": "0"}
    env.pop("GENXSOP_API_SECRET", None)
    return {**env, **more}


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Ran]:
    """`cli(database_url, *args, **env)`: the CLI's answer as a terminal shows it."""
    def run(database_url: str, *args: str, **env: str) -> Ran:
        for name, value in _env(database_url, **env).items():
            monkeypatch.setenv(name, value)
        if "GENXSOP_API_SECRET" not in env:
            monkeypatch.delenv("GENXSOP_API_SECRET", raising=False)
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return Ran(code, out, err)
    return run


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(env: dict[str, str], log_path: Path, *args: str) -> Iterator[str]:
    """serve-api on a free port of 127.0.0.1; its base URL once /health answers, until the block ends."""
    port = _free_port()
    log = log_path.open("w")
    process = subprocess.Popen([sys.executable, "-m", "genxsop_core", "serve-api", "--port", str(port), *args],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "serve-api did not answer within 60 s"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[str]:
    with serving(_env(database_url, GENXSOP_API_SECRET=API_SECRET), tmp_path / "server.log") as base:
        yield base


def test_a_real_server_answers_health_and_a_keyed_call_with_the_key_from_the_cli(server, database_url, demo,
                                                                                 tmp_path, cli):
    created = cli(database_url, "api-keys", "create", "bi-tool", "--role", "viewer", "--client-id", "powerbi",
                  "--expires", "2099-12-31")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]  # the key, alone on the last line
    assert key.startswith("gxk_") and " " not in key
    health = httpx.get(f"{server}/api/v1/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    page = httpx.get(f"{server}/api/v1/products", params={"limit": 2}, headers={"X-API-Key": key,
                                                                                "X-Request-ID": "bi-1"})
    assert page.status_code == 200 and page.json()["total"] == 128 and page.headers["x-request-id"] == "bi-1"
    refused = httpx.post(f"{server}/api/v1/demand/actuals", json={"rows": [{"sku": "x"}]}, headers={"X-API-Key": key})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    listing = cli(database_url, "api-keys", "list").stdout
    assert "bi-tool" in listing and "viewer" in listing and "powerbi" in listing and key not in listing
    assert "last day 2099-12-31" in listing and "last used never" not in listing
    assert cli(database_url, "api-keys", "revoke", "bi-tool").returncode == 0
    assert httpx.get(f"{server}/api/v1/products", headers={"X-API-Key": key}).status_code == 401
    lines = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines() if line.startswith("{")]
    (access,) = [line for line in lines if line.get("request_id") == "bi-1"]  # one JSON line per request
    assert (access["api_key"], access["client_id"], access["status"]) == ("bi-tool", "powerbi", 200)
    assert access["message"] == "GET /api/v1/products 200"
    assert "user" not in access  # not the operator who started serve-api


def test_several_server_processes_share_one_port_and_the_demo_token_secret(database_url, demo, tmp_path):
    from genxsop_core.admin.passwords import DEMO_PASSWORD

    env = _env(database_url, GENXSOP_DEMO="1")  # no GENXSOP_API_SECRET: each run makes one, for all its processes
    with serving(env, tmp_path / "server.log", "--workers", "2") as base:
        token = httpx.post(f"{base}/api/v1/auth/token", data={"username": "viewer", "password": DEMO_PASSWORD})
        assert token.status_code == 200, token.text
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        answers = [httpx.get(f"{base}/api/v1/products", params={"limit": 1}, headers=bearer)  # a connection each
                   for _ in range(40)]
    assert {a.status_code for a in answers} == {200}  # a token from one process is good in the other
    lines = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines() if line.startswith("{")]
    served_by = {line["pid"] for line in lines if line.get("message") == "GET /api/v1/products 200"}
    assert len(served_by) == 2, (tmp_path / "server.log").read_text()[-3000:]  # both processes answered
    assert "2 processes" in (tmp_path / "server.log").read_text()


def test_serve_api_refuses_to_start_without_a_secret_outside_demo_mode(database_url, cli):
    refused = cli(database_url, "serve-api", "--port", str(_free_port()))
    assert refused.returncode == 1 and "GENXSOP_API_SECRET" in refused.stderr
    short = cli(database_url, "serve-api", "--port", str(_free_port()), GENXSOP_API_SECRET="short")
    assert short.returncode == 1 and "at least 32 characters" in short.stderr


def test_api_key_commands_refuse_clearly(database_url, cli):
    assert cli(database_url, "api-keys", "revoke", "nothing").stderr.strip() == "error: no API key named 'nothing'"
    past = cli(database_url, "api-keys", "create", "late", "--role", "viewer", "--expires", "2020-01-01")
    assert past.returncode == 1 and "has passed" in past.stderr
    assert cli(database_url, "api-keys", "list").stdout.strip() == "no API keys"


@pytest.mark.parametrize("command", [["serve-api"], ["api-keys"], ["api-keys", "create"], ["api-keys", "list"],
                                     ["api-keys", "revoke"]])
def test_the_api_commands_have_help(command, capsys):
    with pytest.raises(SystemExit) as leaving:
        main([*command, "--help"])
    assert leaving.value.code == 0 and "usage:" in capsys.readouterr().out
