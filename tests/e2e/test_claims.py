"""Claims end to end, against a real uvicorn and worker: the claim that follows a prise en charge
uses it, once; a counter check holds its units, and says until when; a claim is paid once, read
back, found, cancelled before settlement (its units given back) or corrected by a new one;
nobody else's is seen or used. The shares of the RO, the patient's mutuelle and the patient to
the centime, the boxes beyond the prescription, and the answers in the language asked.

Each test bills the same patient for the same drug, on a day of care of its own: a line paid
in one test is the patient's history in the next ones (the same line again is a duplicate,
the next supply before the last ran out a refill too early)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest

from domain import ledger
from gateway.bootstrap import open_storage
from tests.e2e.pa_world import (
    TASK_CODE,
    World,
    costly_drug,
    dispensing,
    read,
    submit,
    world,
)
from tests.e2e.support import Client
from tests.fhir_schema import assert_valid_r4

pytestmark = pytest.mark.e2e
__all__ = ["world"]  # the module's fixture

CLAIM_DOCUMENT = "https://fhir.tiers-payant.ma/CodeSystem/claim-document"
SUPPLY_DAYS = 10  # 4 boxes of epoetin, at most 12 per 30 days
ANSWER_LANGUAGE = "https://fhir.tiers-payant.ma/StructureDefinition/answer-language"
HOLD_UNTIL = "https://fhir.tiers-payant.ma/StructureDefinition/hold-until"


TODAY = date.today()  # once for the module: a run that passes midnight keeps the slots apart


def care_day(slot: int) -> date:
    """A test's day of care: its slot's supply runs out before the next slot's day begins."""
    return TODAY - timedelta(days=SUPPLY_DAYS * slot)


def granted(world: World, day: date) -> dict[str, Any]:
    """The pharmacy's prise en charge of epoetin for the patient, from that day."""
    answer = submit(world, world.state.pharmacy, costly_drug(world.patient("dialysis"), day=day))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def bill(world: World, claim_id: str, pa_id: str | None, *, day: date, quantity: int = 4,
         use: str = "claim") -> dict[str, Any]:  # fmt: skip
    """The pharmacy's claim for the epoetin it dispensed that day, with its prescription and
    labels."""
    body = costly_drug(world.patient("dialysis"), quantity=quantity, day=day)
    body["use"] = use
    body["identifier"] = [{"system": "urn:oid:2.16.504.1.1", "value": claim_id}]
    body["supportingInfo"] = [
        {"sequence": i, "category": {"text": code},
         "code": {"coding": [{"system": CLAIM_DOCUMENT, "code": code}]}}
        for i, code in enumerate(("ordonnance", "vignettes"), 1)
    ]  # fmt: skip
    if pa_id is not None:
        body["insurance"][0]["preAuthRef"] = [pa_id]
    return body


def task(world: World, who: Client, claim_id: str, code: str = "cancel") -> httpx.Response:
    """A financial Task (cancel, status) on a Claim, by its id."""
    body = {
        "resourceType": "Task",
        "status": "requested",
        "intent": "order",
        "code": {"coding": [{"system": TASK_CODE, "code": code}]},
        "focus": {"reference": f"Claim/{claim_id}"},
    }
    return httpx.post(f"{world.base}/fhir/Task", content=orjson.dumps(body),
                      headers=world.headers(who))  # fmt: skip


def correcting(body: dict[str, Any], claim: dict[str, Any]) -> dict[str, Any]:
    """A claim body correcting another claim (its Claim.related)."""
    return {**body, "related": [{"claim": claim, "relationship": {"text": "correction"}}]}


def owed(world: World) -> float:
    """What the payer owes the pharmacy, in MAD, as the ledger says."""
    with open_storage(world.state.settings) as storage, storage.uow() as uow:
        pharmacy = uow.providers.by_inpe(world.state.pharmacy.inpe)
        assert pharmacy is not None
        return -uow.ledger.balance(ledger.payable("CNSS", pharmacy.id)).centimes / 100


def code(refusal: httpx.Response) -> str:
    return str(refusal.json()["issue"][0]["details"]["coding"][0]["code"])


def reasons(response: dict[str, Any]) -> list[str]:
    """The first item's reason codes."""
    return [
        a["reason"]["coding"][0]["code"]
        for a in response["item"][0]["adjudication"]
        if "reason" in a
    ]


def shares(response: dict[str, Any]) -> dict[str, float]:
    """The first item's amounts by adjudication category."""
    return {
        a["category"]["coding"][0]["code"]: a.get("amount", {}).get("value", a.get("value"))
        for a in response["item"][0]["adjudication"]
    }


class TestClaims:
    """Tiers payant at the counter: the claim that follows a prise en charge uses it, once."""

    def test_a_claim_uses_its_prise_en_charge_and_is_paid_once(self, world: World) -> None:
        day = care_day(8)
        pa = granted(world, day)
        answer = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-1", pa["id"], day=day))
        assert answer.status_code == 200, answer.text
        paid = answer.json()
        assert_valid_r4(paid)
        assert (paid["use"], paid["outcome"], paid["preAuthRef"]) == ("claim", "complete", pa["id"])
        assert shares(paid)["benefit"] == 4900 and shares(paid)["copay"] == 100  # 98 %
        assert "payment" in paid
        used = read(world, world.state.pharmacy, f"ClaimResponse/{pa['id']}").json()
        assert used["outcome"] == "complete"
        again = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-1", pa["id"], day=day))
        assert again.status_code == 409  # the same claim: never paid twice
        assert again.json()["issue"][0]["details"]["coding"][0]["code"] == "deja-comptabilise"
        next_supply = bill(world, "FACT-E2E-2", pa["id"], day=care_day(7))
        after = submit(world, world.state.pharmacy, next_supply).json()
        assert shares(after)["benefit"] == 0  # the authorization is used up
        assert reasons(after) == ["accord-prealable-requis"]

    def test_a_retried_claim_with_its_key_gets_the_same_answer(self, world: World) -> None:
        day = care_day(6)
        body = bill(world, "FACT-E2E-3", granted(world, day)["id"], day=day)
        first = submit(world, world.state.pharmacy, body, **{"Idempotency-Key": "fact-3"})
        second = submit(world, world.state.pharmacy, body, **{"Idempotency-Key": "fact-3"})
        assert first.status_code == second.status_code == 200
        assert first.content == second.content and second.headers["Idempotent-Replayed"] == "true"

    def test_a_counter_check_holds_the_units_for_its_claim(self, world: World) -> None:
        day = care_day(5)
        pa = granted(world, day)
        check = submit(
            world,
            world.state.pharmacy,
            bill(world, "CHK-1", pa["id"], day=day, use="predetermination"),
        )
        assert check.status_code == 200, check.text
        assert check.json()["use"] == "predetermination" and "payment" not in check.json()
        assert shares(check.json())["benefit"] == 4900
        assert_valid_r4(check.json())
        [hold] = check.json()["extension"]
        assert hold["url"] == HOLD_UNTIL
        held_for = datetime.fromisoformat(hold["valueDateTime"]) - datetime.now(UTC)
        assert timedelta(minutes=1) < held_for <= timedelta(minutes=15)  # the default hold
        claim = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-4", pa["id"], day=day))
        assert shares(claim.json())["benefit"] == 4900  # the claim that follows uses the hold

    def test_without_its_prise_en_charge_a_costly_drug_is_not_paid(self, world: World) -> None:
        unauthorized = bill(world, "FACT-E2E-5", None, day=care_day(4))
        answer = submit(world, world.state.pharmacy, unauthorized).json()
        assert shares(answer)["benefit"] == 0
        assert reasons(answer) == ["accord-prealable-requis"]

    def test_another_provider_cannot_use_the_pharmacy_s_prise_en_charge(self, world: World) -> None:
        day = care_day(3)
        pa = granted(world, day)
        theirs = bill(world, "FACT-E2E-6", pa["id"], day=day)
        answer = submit(world, world.state.clinic, theirs).json()
        assert shares(answer)["benefit"] == 0
        ours = bill(world, "FACT-E2E-7", pa["id"], day=day)
        mine = submit(world, world.state.pharmacy, ours).json()
        assert shares(mine)["benefit"] == 4900  # still whole for its own provider

    def test_a_claim_is_read_back_and_found_by_its_provider_only(self, world: World) -> None:
        day = care_day(2)
        billed = bill(world, "FACT-E2E-8", granted(world, day)["id"], day=day)
        paid = submit(world, world.state.pharmacy, billed).json()
        again = read(world, world.state.pharmacy, f"ClaimResponse/{paid['id']}")
        assert again.status_code == 200 and again.json()["use"] == "claim"
        claim = read(world, world.state.pharmacy, paid["request"]["reference"])
        assert claim.status_code == 200 and claim.json()["identifier"][0]["value"] == "FACT-E2E-8"
        found = read(
            world, world.state.pharmacy, f"ClaimResponse?request={paid['request']['reference']}"
        )
        assert [e["resource"]["id"] for e in found.json()["entry"]] == [paid["id"]]
        both = read(world, world.state.pharmacy, "ClaimResponse?_count=100").json()
        uses = {e["resource"]["use"] for e in both["entry"]}
        assert {"claim", "preauthorization"} <= uses
        assert read(world, world.state.clinic, f"ClaimResponse/{paid['id']}").status_code == 404
        assert read(world, world.state.clinic, paid["request"]["reference"]).status_code == 404

    def test_a_claim_cancelled_before_settlement_is_reversed_once(self, world: World) -> None:
        day = care_day(1)
        pa = granted(world, day)
        paid = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-9", pa["id"], day=day))
        claim_id = paid.json()["request"]["reference"].removeprefix("Claim/")

        assert task(world, world.state.clinic, claim_id).status_code == 404  # not another's
        status = task(world, world.state.pharmacy, claim_id, "status")
        assert status.json()["output"][1]["valueCode"] == "payable"
        first = task(world, world.state.pharmacy, claim_id)
        assert first.status_code == 200, first.text
        assert first.json()["businessStatus"]["text"].startswith(
            "Demande annulée : sa part AMO n'est plus due"
        )
        again = task(world, world.state.pharmacy, claim_id)
        assert again.json()["businessStatus"]["text"] == "Demande déjà annulée"
        status = task(world, world.state.pharmacy, claim_id, "status")
        assert status.json()["output"][1]["valueCode"] == "cancelled"
        claim = read(world, world.state.pharmacy, f"Claim/{claim_id}").json()
        assert claim["status"] == "cancelled" and claim["identifier"][0]["value"] == "FACT-E2E-9"
        answer = read(world, world.state.pharmacy, f"ClaimResponse/{paid.json()['id']}")
        assert answer.status_code == 200
        back = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-11", pa["id"], day=day))
        assert shares(back.json())["benefit"] == 4900  # the boxes it gave back serve again


class TestCorrections:
    """A correction is a new claim citing the old one: the old reversed, the new paid."""

    def test_the_old_claim_is_reversed_and_the_new_one_uses_its_units(self, world: World) -> None:
        day = care_day(0)
        before = owed(world)
        pa = granted(world, day)
        old = submit(world, world.state.pharmacy, bill(world, "FACT-E2E-20", pa["id"], day=day))
        old = old.json()
        old_claim = old["request"]["reference"]
        assert owed(world) == before + 4900
        by_identifier = {"identifier": {"system": "urn:oid:2.16.504.1.1", "value": "FACT-E2E-20"}}
        body = correcting(bill(world, "FACT-E2E-21", pa["id"], day=day, quantity=3), by_identifier)
        answer = submit(world, world.state.pharmacy, body)
        assert answer.status_code == 200, answer.text
        new = answer.json()
        assert_valid_r4(new)
        assert shares(new)["benefit"] == 3675  # three boxes of the four the old one gave back
        assert f"remplace la demande FACT-E2E-20 ({old_claim})" in new["processNote"][-1]["text"]
        assert owed(world) == before + 3675  # the old benefit reversed, the new one due

        old_id = old_claim.removeprefix("Claim/")
        status = task(world, world.state.pharmacy, old_id, "status").json()
        assert status["output"][1]["valueCode"] == "corrected"
        assert read(world, world.state.pharmacy, old_claim).json()["status"] == "cancelled"
        assert read(world, world.state.pharmacy, f"ClaimResponse/{old['id']}").json() == old
        cancel = task(world, world.state.pharmacy, old_id).json()
        assert cancel["output"][1]["valueCode"] == "corrected"  # nothing done twice

        again = correcting(bill(world, "FACT-E2E-22", pa["id"], day=day), {"reference": old_claim})
        refused = submit(world, world.state.pharmacy, again)
        assert (refused.status_code, code(refused)) == (409, "demande-deja-annulee")
        unknown = correcting(bill(world, "FACT-E2E-23", None, day=day),
                             {"identifier": {"value": "FACT-E2E-NONE"}})  # fmt: skip
        refused = submit(world, world.state.pharmacy, unknown)
        assert (refused.status_code, code(refused)) == (422, "demande-corrigee-inconnue")
        assert refused.json()["issue"][0]["expression"] == ["Claim.related"]
        new_claim = {"reference": new["request"]["reference"]}
        theirs = correcting(bill(world, "FACT-E2E-24", None, day=day), new_claim)
        refused = submit(world, world.state.clinic, theirs)  # the pharmacy's is not theirs
        assert (refused.status_code, code(refused)) == (422, "demande-corrigee-inconnue")
        itself = correcting(bill(world, "FACT-E2E-25", None, day=day),
                            {"identifier": {"value": "FACT-E2E-25"}})  # fmt: skip
        refused = submit(world, world.state.pharmacy, itself)
        assert (refused.status_code, code(refused)) == (422, "correction-meme-identifiant")
        assert owed(world) == before + 3675
        new_id = new["request"]["reference"].removeprefix("Claim/")
        status = task(world, world.state.pharmacy, new_id, "status").json()
        assert status["output"][1]["valueCode"] == "payable"


ARABIC_LETTER = re.compile("[\u0621-\u064a]")


def totals(response: dict[str, Any]) -> dict[str, float]:
    return {t["category"]["coding"][0]["code"]: t["amount"]["value"] for t in response["total"]}


def reason_on(response: dict[str, Any], share: str) -> str | None:
    """The reason code said on one share of the first item, if any."""
    for adjudication in response["item"][0]["adjudication"]:
        if adjudication["category"]["coding"][0]["code"] == share and "reason" in adjudication:
            return str(adjudication["reason"]["coding"][0]["code"])
    return None


class TestSharesAndPrescriptions:
    """What the RO, the patient's mutuelle and the patient pay, to the centime."""

    def test_a_public_sector_member_s_mutuelle_pays_its_share(self, world: World) -> None:
        """Two boxes of amoxicillin billed 70.98 for the disabled child of a CNOPS member
        (AMO_PUBLIC: drugs 70 % of the PPV [C]), MGPAP named beside the AMO (half the ticket
        modérateur [U]): RO 49.686 -> 49.69, ticket 21.29, MGPAP 10.645 -> 10.65, patient
        10.64."""
        body = dispensing(world.patient("disabled-child"), "FACT-RC-1", boxes=2, billed=70.98,
                          mutuelle="MGPAP")  # fmt: skip
        answer = submit(world, world.state.pharmacy, body)
        assert answer.status_code == 200, answer.text
        paid = answer.json()
        assert_valid_r4(paid)
        found = shares(paid)
        assert (found["submitted"], found["benefit"], found["complementary"], found["copay"]) == (
            70.98, 49.69, 10.65, 10.64,
        )  # fmt: skip
        assert found["above-tariff"] == 0 and found["eligpercent"] == 70
        assert totals(paid) == {
            "submitted": 70.98, "eligible": 70.98, "benefit": 49.69, "copay": 10.64,
            "complementary": 10.65, "above-tariff": 0,
        }  # fmt: skip
        assert paid["payment"]["amount"]["value"] == 49.69  # the RO's alone
        assert paid["item"][0]["extension"][0]["valueCode"] == "accepted"

    def test_an_unknown_mutuelle_is_said_and_its_share_left_to_the_patient(
        self, world: World
    ) -> None:
        body = dispensing(world.patient("etudiant"), "FACT-RC-2", boxes=1, billed=35.5,
                          mutuelle="MUTUELLE-X")  # fmt: skip
        answer = submit(world, world.state.pharmacy, body)
        assert answer.status_code == 200, answer.text
        found = shares(answer.json())
        assert found["complementary"] == 0
        assert found["benefit"] + found["copay"] == 35.5
        assert reason_on(answer.json(), "complementary") == "complementaire-inconnue"
        assert reason_on(answer.json(), "benefit") is None

    def test_boxes_beyond_the_prescription_are_reduced(self, world: World) -> None:
        """Two boxes dispensed, one prescribed (the contained MedicationRequest): paid on one
        box's 35.50 at 70 % of the PPV, the second box's 35.50 the patient's."""
        earlier = TODAY - timedelta(days=20)  # not the same line as the mutuelle test's
        body = dispensing(world.patient("disabled-child"), "FACT-RX-1", boxes=2, billed=71,
                          prescribed=1, day=earlier)  # fmt: skip
        answer = submit(world, world.state.pharmacy, body)
        assert answer.status_code == 200, answer.text
        reduced = answer.json()
        assert_valid_r4(reduced)
        assert reduced["item"][0]["extension"][0]["valueCode"] == "reduced"
        assert reason_on(reduced, "benefit") == "quantite-au-dela-prescription"
        found = shares(reduced)
        assert (found["eligible"], found["benefit"], found["copay"], found["above-tariff"]) == (
            35.5, 24.85, 46.15, 0,
        )  # fmt: skip


class TestLanguages:
    """The human text of an answer in the language asked, kept with what was asked."""

    @pytest.mark.parametrize(
        ("persona", "headers", "language", "opening"),
        [
            ("polygamous", {"Accept-Language": "ar"}, "ar", "كمية تتجاوز الوصفة"),
            ("open", {"Accept-Language": "en-GB, fr;q=0.5"}, "en",
             "Quantity above the prescription"),
            ("achamil", {}, "fr", "Quantité au-delà de l'ordonnance"),
        ],
    )  # fmt: skip
    def test_a_claim_s_notes_in_the_language_asked(
        self, world: World, persona: str, headers: dict[str, str], language: str, opening: str
    ) -> None:
        body = dispensing(world.patient(persona), f"FACT-LANG-{language}", boxes=2, billed=71,
                          prescribed=1)  # fmt: skip
        answer = submit(world, world.state.pharmacy, body, **headers)
        assert answer.status_code == 200, answer.text
        written = answer.json()
        assert written["language"] == language
        notes = written["processNote"]  # a CNSS member's originator is paid on the PBR: two
        assert {n["language"]["coding"][0]["code"] for n in notes} == {language}
        assert notes[0]["text"].startswith(opening), notes
        assert bool(ARABIC_LETTER.search(written["disposition"])) is (language == "ar")

    def test_a_prise_en_charge_keeps_its_language_when_read_and_replayed(
        self, world: World
    ) -> None:
        """The answer is written once, in the language first asked: read back and replayed
        under its Idempotency-Key as it was, whatever the retry asks."""
        body = costly_drug(world.patient("dialysis"), quantity=2)
        key = {"Idempotency-Key": "pa-in-arabic-1"}
        first = submit(world, world.state.pharmacy, body, **key, **{"Accept-Language": "ar"})
        assert first.status_code == 200, first.text
        answer = first.json()
        assert answer["language"] == "ar" and ARABIC_LETTER.search(answer["disposition"])
        assert all(ARABIC_LETTER.search(n["text"]) for n in answer["processNote"])
        again = submit(world, world.state.pharmacy, body, **key, **{"Accept-Language": "en"})
        assert again.headers["Idempotent-Replayed"] == "true" and again.content == first.content
        read_back = read(world, world.state.pharmacy, f"ClaimResponse/{answer['id']}")
        assert read_back.json()["language"] == "ar"
        claim = read(world, world.state.pharmacy, answer["request"]["reference"]).json()
        assert {"url": ANSWER_LANGUAGE, "valueCode": "ar"} in claim["extension"]
