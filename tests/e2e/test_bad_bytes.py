"""Bytes a caller chooses stop at the edge: 4xx, never a 500, never quoted in the logs.

On PostgreSQL a NUL byte in a text parameter is a driver error whose message quoted the SQL
parameters; SQLite took it. Both backends get the same answers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.logs import JsonFormatter
from tests.e2e.conftest import bearer
from tests.e2e.services import fresh_postgres_database
from tests.e2e.support import GatewayState, prepare_state

MARK = "caller-chosen-7f3a"  # in every probe; must appear in no log line
PROBES = [
    f"/fhir/CoverageEligibilityResponse/{MARK}%00",
    f"/fhir/CoverageEligibilityRequest/{MARK}%00",
    f"/fhir/CoverageEligibilityResponse/{MARK}{'x' * 64}",
    f"/fhir/CoverageEligibilityResponse?request={MARK}%00",
    f"/fhir/CoverageEligibilityResponse?request=CoverageEligibilityRequest/{MARK}%01",
    f"/fhir/CoverageEligibilityResponse?patient=Patient/{MARK}%00",
    f"/fhir/CoverageEligibilityResponse?_count=%C2%B2&patient={MARK}",
    f"/fhir/CoverageEligibilityResponse?created=9999-12-31&patient={MARK}",
    f"/fhir/CoverageEligibilityResponse?created=gt9999-12-31T23:59:59Z&patient={MARK}",
    f"/fhir/CodeSystem/{MARK}%00",
    f"/fhir/Code%00System/{MARK}",
]


class Captured(logging.Handler):
    """Every log line of the gateway, formatted as in production."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, GatewayState]]:
    """The app in-process on SQLite, then on PostgreSQL, logging everything."""
    work = Path(tmp_path_factory.mktemp(f"bytes-{request.param}"))
    sqlite = nullcontext(f"sqlite:///{work / 'gateway.db'}")
    with fresh_postgres_database() if request.param == "postgres" else sqlite as url:
        state = prepare_state(work, "http://testserver", AMO_DATABASE_URL=url)
        with TestClient(create_app(state.settings), raise_server_exceptions=False) as client:
            yield client, state


@pytest.fixture
def logs() -> Iterator[Captured]:
    captured = Captured()
    logger = logging.getLogger("amo")
    level = logger.level
    logger.addHandler(captured)
    logger.setLevel(logging.DEBUG)
    try:
        yield captured
    finally:
        logger.removeHandler(captured)
        logger.setLevel(level)


class TestBadBytes:
    @pytest.mark.parametrize("path", PROBES)
    def test_refused_at_the_edge_and_never_logged(
        self, backend: tuple[TestClient, GatewayState], logs: Captured, path: str
    ) -> None:
        client, state = backend
        answer = client.get(path, headers=bearer(client, state.pharmacy))
        assert 400 <= answer.status_code < 500, answer.text
        assert answer.json()["resourceType"] == "OperationOutcome"
        assert not any(MARK in line or "\\u0000" in line for line in logs.lines), logs.lines

    def test_a_valid_id_still_reads(self, backend: tuple[TestClient, GatewayState]) -> None:
        client, state = backend
        answer = client.get(
            "/fhir/CoverageEligibilityResponse/0-a.B", headers=bearer(client, state.pharmacy)
        )
        assert answer.status_code == 404
