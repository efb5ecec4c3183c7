"""What `make demo` prints: one patient to try per situation of the population, how to ask a
prise en charge with the request it wrote, and how the review unit lists its queue."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from adapters.population import EDGE_CASES, personas
from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from gateway.commands.demo import (
    DEMO_REVIEWER,
    REVIEWER_SCOPE,
    Demo,
    PaExample,
    where_to_go,
)
from gateway.commands.sample_claims import order_for
from gateway.settings import Settings

TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def people() -> dict[str, tuple[str, str]]:
    """The demo's patients to try."""
    return personas(seed=2026, people=10_000, today=TODAY)


def example(state: Path) -> PaExample:
    """A prior authorization example as the demo writes it (end-stage renal failure)."""
    order = order_for(["ALD17"], load_reference_files(DEFAULT_REFDATA_DIR), TODAY)
    assert order is not None
    granted, reviewed = state / "pa-claim.json", state / "pa-claim-review.json"
    return PaExample("dialysis", "4240385190", order, granted, reviewed, 13, state / "bill.json")


class TestWhereToGo:
    def test_one_patient_per_situation_is_printed(
        self, tmp_path: Path, people: dict[str, tuple[str, str]]
    ) -> None:
        text = where_to_go(Settings(state_dir=tmp_path), Demo(people))
        for case in EDGE_CASES:
            kind, value = people[case]
            assert f"{case:<22} {kind:<6} {value}" in text, case

    def test_the_prior_authorization_files_are_named_with_one_curl_to_post(
        self, tmp_path: Path, people: dict[str, tuple[str, str]]
    ) -> None:
        settings = Settings(state_dir=tmp_path, public_url="http://127.0.0.1:8123")
        text = where_to_go(settings, Demo(people, example(tmp_path)))
        assert "patient dialysis 4240385190 (ALD17), Époétine alfa" in text
        assert f"{tmp_path / 'pa-claim-review.json'} (13 boîtes" in text
        assert "curl -s 'http://127.0.0.1:8123/fhir/Claim/$submit'" in text
        assert f"--data-binary @{tmp_path / 'pa-claim.json'}" in text
        assert f'sed "s/PREAUTHREF/$REF/" {tmp_path / "bill.json"}' in text

    def test_how_the_reviewer_gets_a_token_and_lists_its_queue(
        self, tmp_path: Path, people: dict[str, tuple[str, str]]
    ) -> None:
        settings = Settings(state_dir=tmp_path, public_url="http://127.0.0.1:8123")
        text = where_to_go(settings, Demo(people))
        assert f"--key {tmp_path / 'reviewer-key.jwk.json'}" in text
        assert f"--client-id {DEMO_REVIEWER} --aud http://127.0.0.1:8123/auth/token" in text
        assert f"-d scope='{REVIEWER_SCOPE}'" in text
        assert "curl -s 'http://127.0.0.1:8123/fhir/ClaimResponse/$queue'" in text

    def test_without_an_example_no_request_is_offered(
        self, tmp_path: Path, people: dict[str, tuple[str, str]]
    ) -> None:
        text = where_to_go(Settings(state_dir=tmp_path), Demo(people))
        assert "pa-claim" not in text and "Claim/$submit" not in text
