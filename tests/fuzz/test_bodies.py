"""Valid eligibility requests and third-party examples, mutated: never a 5xx."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fhir_profiles import envelope, systems
from tests.e2e.support import eligibility_request
from tests.fuzz.conftest import FUZZING, Tally, Target
from tests.fuzz.mutations import mutated
from tests.unit.fhir import envelopes
from tests.unit.fhir.test_third_party import EXAMPLES

pytestmark = pytest.mark.e2e

ENDPOINTS = [
    "/fhir/CoverageEligibilityRequest/$submit",
    "/fhir/CoverageEligibilityRequest",
    "/fhir/$process-message",
]
CONTENT_TYPES = [
    "application/fhir+json",
    "application/json",
    "application/fhir+json; charset=latin1",
]


def seeds(target: Target) -> list[dict[str, Any]]:
    """Requests the gateway answers: ours in every envelope, and the third-party examples."""
    people = target.state.people
    ours = [eligibility_request(people[who][1]) for who in ("open", "ald", "student", "lapsed")]
    wrapped = [
        envelopes.message(ours[0]),
        envelopes.document(ours[1]),
        envelopes.collection(ours[2]),
    ]
    return [*ours, *wrapped, *_third_party(people["open"][1])]


def _third_party(idcs: str) -> list[dict[str, Any]]:
    found = []
    for example in EXAMPLES:
        if not example.path.exists():  # ../shared absent: the fuzzing goes on with ours
            continue
        body = json.loads(example.path.read_bytes())
        request = envelope.read(body, "CoverageEligibilityRequest").request
        request["patient"]["identifier"] = {"system": systems.IDCS, "value": idcs}
        request.pop("servicedPeriod", None)
        request["servicedDate"] = date.today().isoformat()
        found.append(body)
    return found


def test_no_server_error_from_mutated_bodies(target: Target, tally: Tally) -> None:
    bodies = mutated(seeds(target))
    authorized = target.bearer()

    with httpx.Client(base_url=target.base, timeout=30) as client:

        @FUZZING
        @given(
            raw=bodies,
            url=st.sampled_from(ENDPOINTS),
            content_type=st.sampled_from(CONTENT_TYPES),
            key=st.one_of(
                st.none(),
                st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=8),
            ),
        )
        def run(raw: bytes, url: str, content_type: str, key: str | None) -> None:
            if tally.over():
                return  # the rest of the batch is drawn, not sent
            headers = {**authorized, "Content-Type": content_type}
            if key is not None:
                headers["Idempotency-Key"] = key
            answer = client.post(url, content=raw, headers=headers)
            tally.count(answer.status_code, f"POST {url} {raw[:400]!r}")

        while not tally.over():
            run()
    assert tally.requests > 0
    assert tally.failures == []
