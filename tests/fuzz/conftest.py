"""A real uvicorn for the fuzzers, a time budget, and the count of what they sent.

Each fuzzer runs for AMO_TEST_FUZZ_SECONDS (a few seconds in `make test`, longer in
`make fuzz`), then asserts that no answer was a 5xx. The counts are printed at the end.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from hypothesis import HealthCheck, Phase, settings

from devtools.server import free_port, running
from tests.e2e.support import GatewayState, prepare_state, token_form

SHORT_SECONDS = 5.0  # in `make test`: a smoke run, each fuzzer
BUDGET_SECONDS = float(os.environ.get("AMO_TEST_FUZZ_SECONDS", SHORT_SECONDS))
TALLIES: list[Tally] = []
# One batch of examples: a fuzzer runs batches until its budget is spent (Hypothesis has no
# time limit, and a test must draw alike on every example).
FUZZING = settings(
    max_examples=100,
    deadline=None,
    database=None,
    phases=[Phase.generate],  # no shrinking: a 5xx is reported as it came, within the budget
    suppress_health_check=list(HealthCheck),
)


@dataclass
class Tally:
    """How many requests a fuzzer sent, and those answered 5xx."""

    name: str
    deadline: float = field(default_factory=lambda: time.monotonic() + BUDGET_SECONDS)
    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def over(self) -> bool:
        """Whether the time budget is spent."""
        return time.monotonic() > self.deadline

    def count(self, status: int, what: str) -> None:
        """Count one answer; keep a description of a 5xx."""
        self.requests += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500 and len(self.failures) < 20:
            self.failures.append(f"{status} {what[:500]}")


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Tally:
    """A fresh tally for one fuzzer, reported at the end of the session."""
    found = Tally(request.node.name)
    TALLIES.append(found)
    return found


@dataclass(frozen=True)
class Target:
    """The gateway under fuzzing."""

    base: str
    state: GatewayState

    def bearer(self) -> dict[str, str]:
        """A fresh token with every scope (tokens live five minutes; a run may be longer)."""
        url = f"{self.base}/auth/token"
        answer = httpx.post(url, data=token_form(self.state.pharmacy, url))
        answer.raise_for_status()
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture(scope="session")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """A real uvicorn on loopback over SQLite, its rate limit out of the fuzzers' way."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    work = tmp_path_factory.mktemp("fuzz")
    unlimited = {"AMO_RATE_LIMIT_PER_SECOND": "1000000", "AMO_RATE_LIMIT_BURST": "1000000"}
    state = prepare_state(work, base, **unlimited)
    with running(state.env, port, work / "server.log"):
        yield Target(base, state)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per fuzzer: requests sent, answers by status."""
    for found in TALLIES:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(found.statuses.items()))
        terminalreporter.write_line(f"fuzz {found.name}: {found.requests} requests ({statuses})")
