"""Issue 7's situations end to end: a registry file imported by the command line, then asked
over FHIR by a real client (authlib token, fhirpy) against a real uvicorn, on boundary days."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest
from fhirpy import SyncFHIRClient

from tests.e2e.situations import register, request, token, write_registry
from tests.e2e.support import GatewayState
from tests.fhir_schema import assert_valid_r4

pytestmark = pytest.mark.e2e
Json = dict[str, Any]
REFUSAL = "https://fhir.tiers-payant.ma/StructureDefinition/tiers-payant-refusal"


@dataclass(frozen=True)
class Desk:
    """The pharmacy's FHIR client, and two more providers' with other admissions."""

    pharmacy: SyncFHIRClient
    cnops_only: SyncFHIRClient
    suspended: SyncFHIRClient

    def ask(self, person: int, day: str, *, by: str = "pharmacy", **kw: bool) -> Json:
        """The answer to a request about a person on a date of care, checked against R4."""
        client: SyncFHIRClient = getattr(self, by)
        answer: Json = client.execute(
            "CoverageEligibilityRequest/$submit", method="post", data=request(person, day, **kw)
        )
        assert_valid_r4(answer)
        return answer


def cli(state: GatewayState, *args: str) -> None:
    """Run an amo-gateway command against the live gateway's state."""
    command = [sys.executable, "-m", "gateway.cli", *args]
    subprocess.run(command, env={**os.environ, **state.env}, check=True, timeout=60)


@pytest.fixture(scope="module")
def desk(live: tuple[str, GatewayState], tmp_path_factory: pytest.TempPathFactory) -> Desk:
    """The situations imported by `members import`, and the providers to ask with."""
    base, state = live
    work = tmp_path_factory.mktemp("situations")
    cli(state, "members", "import", str(write_registry(work / "situations.jsonl")), "--quiet")
    cnops_only = register(state, work, "700000001", ["CNOPS"])
    suspended = register(state, work, "700000002", ["CNSS", "CNOPS"])
    cli(state, "providers", "convention", "--inpe", "700000002", "--status", "suspended")

    def client(who: Any) -> SyncFHIRClient:
        return SyncFHIRClient(f"{base}/fhir", authorization=f"Bearer {token(base, who)}")

    return Desk(client(state.pharmacy), client(cnops_only), client(suspended))


def status(answer: Json) -> str | None:
    """The eligibility-status extension's code (None: no insurance in the answer)."""
    if "insurance" not in answer:
        return None
    return str(answer["insurance"][0]["extension"][0]["valueCoding"]["code"])


def inforce(answer: Json) -> bool | None:
    """insurance[0].inforce (None: no insurance in the answer)."""
    return answer["insurance"][0]["inforce"] if "insurance" in answer else None


def rate(item: Json) -> int:
    """The RO rate of a benefit item, in percent."""
    return int(next(b["allowedUnsignedInt"] for b in item["benefit"] if "allowedUnsignedInt" in b))


def benefits(answer: Json) -> dict[str, int]:
    """The category benefits: category code -> rate."""
    items = answer["insurance"][0].get("item", [])
    return {i["category"]["coding"][0]["code"]: rate(i) for i in items if "benefit" in i}


def not_found(answer: Json) -> bool:
    """An error outcome naming no coverage."""
    return answer["outcome"] == "error" and "insurance" not in answer


class TestMaintainedRights:
    def test_a_child_is_open_until_the_day_before_the_22nd_birthday(self, desk: Desk) -> None:
        answer = desk.ask(2, "2025-06-15")
        assert (status(answer), inforce(answer)) == ("open", True)

    def test_a_child_is_maintained_from_the_22nd_birthday(self, desk: Desk) -> None:
        answer = desk.ask(2, "2025-06-16")
        assert (status(answer), inforce(answer)) == ("maintained", True)
        assert answer["insurance"][0]["benefitPeriod"]["end"] == "2025-12-15"
        assert benefits(answer)["pharmacy"] == 70

    def test_a_child_is_maintained_on_the_last_day_of_the_6th_month(self, desk: Desk) -> None:
        assert status(desk.ask(2, "2025-12-15")) == "maintained"

    def test_a_child_is_not_covered_the_day_after(self, desk: Desk) -> None:
        assert not_found(desk.ask(2, "2025-12-16"))

    def test_a_student_whose_studies_ended_is_maintained(self, desk: Desk) -> None:
        kept, gone = desk.ask(4, "2025-12-15"), desk.ask(4, "2025-12-16")
        assert (status(kept), inforce(kept)) == ("maintained", True)
        assert not_found(gone)

    def test_a_divorced_spouse_is_maintained(self, desk: Desk) -> None:
        kept, gone = desk.ask(6, "2025-08-31"), desk.ask(6, "2025-09-01")
        assert (status(kept), inforce(kept)) == ("maintained", True)
        assert kept["contained"][0]["relationship"]["coding"][0]["code"] == "spouse"
        assert not_found(gone)

    def test_an_insured_who_lost_the_job_is_maintained(self, desk: Desk) -> None:
        kept, gone = desk.ask(7, "2025-07-31"), desk.ask(7, "2025-08-01")
        assert (status(kept), inforce(kept)) == ("maintained", True)
        assert not_found(gone)


class TestAldKept:
    def test_dialysis_is_covered_while_the_employer_owes(self, desk: Desk) -> None:
        answer = desk.ask(8, "2025-02-15", dialysis=True)
        assert (status(answer), inforce(answer)) == ("suspended", False)
        (session,) = answer["insurance"][0]["item"][-1:]
        assert session["excluded"] is False and rate(session) == 98

    def test_dialysis_is_covered_after_the_job_within_the_maintained_period(
        self, desk: Desk
    ) -> None:
        answer = desk.ask(8, "2025-08-31", dialysis=True)
        assert (status(answer), inforce(answer)) == ("suspended", False)
        assert benefits(answer)["dialysis"] == 98
        assert "pharmacy" in benefits(answer)  # at its ALD rate: care linked to the condition
        assert rate(answer["insurance"][0]["item"][-1]) == 98

    def test_nothing_is_covered_after_the_maintained_period(self, desk: Desk) -> None:
        assert not_found(desk.ask(8, "2025-09-01", dialysis=True))


class TestStage:
    def test_the_stage_runs_until_6_months_from_the_immatriculation(self, desk: Desk) -> None:
        answer = desk.ask(9, "2025-07-14")
        assert (status(answer), inforce(answer)) == ("waiting-period", False)
        assert benefits(answer) == {}

    def test_the_stage_ends_the_day_it_reaches_6_months(self, desk: Desk) -> None:
        answer = desk.ask(9, "2025-07-15")
        assert (status(answer), inforce(answer)) == ("open", True)
        assert benefits(answer)["consultation"] == 80


class TestOwnCoverAndDoubleAffiliation:
    def test_a_spouse_is_answered_by_her_own_suspended_cover(self, desk: Desk) -> None:
        answer = desk.ask(32, "2025-06-16")
        assert (status(answer), inforce(answer)) == ("suspended", False)
        assert answer["contained"][0]["class"][0]["value"] == "AMO_TNS"
        assert answer["contained"][0]["relationship"]["coding"][0]["code"] == "self"

    def test_a_double_affiliation_names_its_candidates(self, desk: Desk) -> None:
        answer = desk.ask(40, "2025-06-16")
        assert answer["outcome"] == "error"
        assert [i["inforce"] for i in answer["insurance"]] == [False, False]
        found = {
            (c["class"][0]["value"], c["payor"][0]["identifier"]["value"])
            for c in answer["contained"]
        }
        assert found == {("AMO_PUBLIC", "CNOPS"), ("AMO_SALARIES", "CNSS")}


class TestProviderAdmission:
    def test_an_admitted_provider_is_told_nothing_more(self, desk: Desk) -> None:
        assert "extension" not in desk.ask(2, "2025-06-15")

    def test_a_provider_not_admitted_with_the_payer_is_told_with_the_rights(
        self, desk: Desk
    ) -> None:
        answer = desk.ask(2, "2025-06-15", by="cnops_only")
        assert (status(answer), inforce(answer)) == ("open", True)
        (refused,) = answer["extension"]
        assert (refused["url"], refused["valueCoding"]["code"]) == (
            REFUSAL,
            "prestataire-non-admis",
        )
        assert "pas de facturation en tiers payant" in answer["disposition"]

    def test_a_suspended_provider_is_told_with_the_rights(self, desk: Desk) -> None:
        answer = desk.ask(2, "2025-06-15", by="suspended")
        assert (status(answer), inforce(answer)) == ("open", True)
        assert answer["extension"][0]["valueCoding"]["code"] == "prestataire-suspendu"
