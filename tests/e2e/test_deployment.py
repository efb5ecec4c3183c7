"""Starting the gateway as deployed: refusals in production, secrets out of logs, workers."""

from __future__ import annotations

import subprocess
import time
from base64 import b64encode
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from devtools.server import (
    READY_TIMEOUT_SECONDS,
    free_port,
    running,
    serve_command,
    server_environment,
)
from gateway.app import create_app
from gateway.cli import main
from gateway.commands.serve import worker_app
from gateway.settings import ConfigurationError, Settings
from tests.e2e.support import GatewayState, eligibility_request, token_form

pytestmark = pytest.mark.e2e

# Never contacted: production settings are refused before anything connects.
UNREACHABLE_POSTGRES = "postgresql+psycopg://amo:pw@127.0.0.1:9/amo"
STRONG = b64encode(bytes(range(32))).decode()


@dataclass(frozen=True)
class Served:
    """A two-worker gateway given its keys by AMO_* variables and its database by an option."""

    base: str
    state: GatewayState
    log: Path
    keys: dict[str, str]


@pytest.fixture(scope="module")
def served(
    live: tuple[str, GatewayState], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The live fixture's database, served again by `serve --workers 2` with debug logs."""
    _, state = live
    keys = {
        "AMO_TOKEN_KEY": state.settings.token_key.get_secret_value(),
        "AMO_DATA_KEYS": state.settings.data_keys.get_secret_value(),
        "AMO_INDEX_KEY": state.settings.index_key.get_secret_value(),
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in state.env.items() if k != "AMO_DATABASE_URL"}
    env |= {**keys, "AMO_PUBLIC_URL": base, "AMO_LOG_LEVEL": "DEBUG"}
    log = tmp_path_factory.mktemp("served") / "server.log"
    options = ["--database-url", state.settings.database_url]
    # Two workers import the app side by side on a two-core machine: twice one's start.
    timeout = 2 * READY_TIMEOUT_SECONDS
    with running(env, port, log, options=options, workers=2, timeout=timeout):
        yield Served(base, state, log, keys)


def token(base: str, state: GatewayState) -> httpx.Response:
    """A token request of the pharmacy at `base`."""
    form = token_form(state.pharmacy, f"{base}/auth/token")
    return httpx.post(f"{base}/auth/token", data=form, timeout=10)


def production_env(**variables: str) -> dict[str, str]:
    """AMO_ENV=production on a PostgreSQL URL, plus `variables`."""
    return {"AMO_ENV": "production", "AMO_DATABASE_URL": UNREACHABLE_POSTGRES, **variables}


class TestProductionStartRefused:
    def test_serve_without_keys_exits_naming_the_variables(self, tmp_path: Path) -> None:
        env = production_env(AMO_STATE_DIR=str(tmp_path))
        finished = subprocess.run(
            serve_command(free_port()),
            env=server_environment(env),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert finished.returncode != 0
        assert "configuration refusée / configuration refused" in finished.stderr
        for variable in ("AMO_TOKEN_KEY", "AMO_DATA_KEYS", "AMO_INDEX_KEY"):
            assert variable in finished.stderr
        assert not (tmp_path / "secrets.json").exists()

    def test_serve_with_a_weak_key_exits_without_quoting_it(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        weak = b64encode(b"sixteen bytes!!!").decode()
        keys = {"AMO_TOKEN_KEY": weak, "AMO_DATA_KEYS": f"k1:{STRONG}", "AMO_INDEX_KEY": STRONG}
        for name, value in production_env(**keys).items():
            monkeypatch.setenv(name, value)
        assert main(["serve", "--port", str(free_port())]) != 0
        printed = capsys.readouterr()
        assert "AMO_TOKEN_KEY" in printed.err
        assert weak not in printed.err + printed.out

    def test_the_app_lifespan_refuses_to_start(self, tmp_path: Path) -> None:
        settings = Settings(env="production", database_url=UNREACHABLE_POSTGRES, state_dir=tmp_path)
        app = create_app(settings)
        with pytest.raises(ConfigurationError, match="AMO_TOKEN_KEY"), TestClient(app):
            pass


class TestSecretsStayOutOfLogs:
    def test_a_started_gateway_logs_no_key(self, served: Served) -> None:
        bearer = token(served.base, served.state).json()["access_token"]
        _, idcs = served.state.people["open"]
        answer = httpx.post(
            f"{served.base}/fhir/CoverageEligibilityRequest/$submit",
            json=eligibility_request(idcs),
            headers={"Authorization": f"Bearer {bearer}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        logged = '"route":"/fhir/CoverageEligibilityRequest/$submit"'
        deadline = time.monotonic() + 5  # the access line is written once the answer is sent
        while logged not in (text := served.log.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert logged in text  # it does log
        for value in served.keys.values():
            assert value not in text
        assert served.keys["AMO_DATA_KEYS"].partition(":")[2] not in text


class TestWorkers:
    def test_every_worker_runs_with_the_settings_given_on_the_command_line(
        self, served: Served
    ) -> None:
        # Only the prepared database knows the pharmacy's client: a worker without it refuses.
        answers = [token(served.base, served.state).status_code for _ in range(8)]
        assert answers == [200] * 8

    def test_each_worker_writes_its_own_audit_stream(self, tmp_path: Path) -> None:
        settings = Settings(state_dir=tmp_path)
        first, second = worker_app(settings), worker_app(settings)
        ids = {first.state.settings.instance_id, second.state.settings.instance_id}
        assert len(ids) == 2
        assert all(i.startswith(settings.instance_id + "-") for i in ids)
