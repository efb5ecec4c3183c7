"""A registry import run by another process reaches a running gateway without Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import orjson
import pytest

from tests.e2e.support import GatewayState, eligibility_request, token_form

pytestmark = pytest.mark.e2e


def status(base: str, headers: dict[str, str], idcs: str) -> str:
    answer = httpx.post(
        f"{base}/fhir/CoverageEligibilityRequest/$submit",
        json=eligibility_request(idcs),
        headers=headers,
        timeout=10,
    ).json()
    extensions = answer["insurance"][0]["extension"]
    return str(next(e["valueCoding"]["code"] for e in extensions if e["url"].endswith("status")))


class TestImportWhileServing:
    def test_the_cached_answer_follows_an_import_made_by_the_command_line(
        self, live: tuple[str, GatewayState], tmp_path: Path
    ) -> None:
        base, state = live
        token = httpx.post(
            f"{base}/auth/token", data=token_form(state.pharmacy, f"{base}/auth/token")
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        _, idcs = state.people["student"]
        assert status(base, headers, idcs) == "open"  # now cached in the server's memory
        changed = tmp_path / "change.jsonl"
        changed.write_bytes(orjson.dumps(_ended_yesterday(state, idcs)) + b"\n")
        command = [
            sys.executable,
            "-m",
            "gateway.cli",
            "members",
            "import",
            str(changed),
            "--quiet",
        ]
        subprocess.run(command, env={**os.environ, **state.env}, check=True, timeout=60)
        deadline = time.monotonic() + 10
        seen = "open"
        while seen == "open" and time.monotonic() < deadline:
            time.sleep(0.5)
            seen = status(base, headers, idcs)
        assert seen == "maintained"


def _ended_yesterday(state: GatewayState, idcs: str) -> dict[str, object]:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    with (state.settings.state_dir / "registry.jsonl").open("rb") as lines:
        for line in lines:
            household = orjson.loads(line)
            if any(m["identifiers"].get("idcs") == idcs for m in household["members"]):
                for member in household["members"]:
                    if member["role"] == "insured":  # the insured loses rights; dependants follow
                        for affiliation in member["affiliations"]:
                            affiliation["end"] = yesterday
                return household  # type: ignore[no-any-return]
    raise AssertionError("persona not in the registry")
