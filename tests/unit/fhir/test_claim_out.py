"""PriorAuthorization -> ClaimResponse, in every state a prise en charge can be in: valid R4,
and saying what happened and what to do next."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from domain.money import Money
from domain.prior_auth import (
    PaStatus,
    PriorAuthorization,
    cancel,
    expire,
    grant,
    information_given,
    request_information,
)
from fhir_profiles import claim_out, r4, systems
from fhir_profiles.claim_in import ClaimRequestIn
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.builders import idcs
from tests.unit.fhir.claims import (
    NOW,
    TODAY,
    bare_claim,
    drug_item,
    foreign_item,
    granted_whole,
    queued,
    read,
    refused,
)

Json = dict[str, Any]
INPE = "123456789"


def parsed(**changes: Any) -> ClaimRequestIn:
    """Two drug lines and a foreign item."""
    items = [drug_item(1), drug_item(2, net={"value": 1234.56, "currency": "MAD"}), foreign_item(3)]
    return read(bare_claim(**{"item": items, **changes}))


def answer(pa: PriorAuthorization, request: ClaimRequestIn | None = None) -> Json:
    """The ClaimResponse for a prise en charge of the request."""
    stored = claim_out.request_resource(request or parsed(), "claim-1", INPE)
    return claim_out.from_domain(stored, pa, created=NOW)


def pending() -> PriorAuthorization:
    return queued(parsed(), id="pa-7")


def item(response: Json, sequence: int) -> Json:
    return next(i for i in response["item"] if i["itemSequence"] == sequence)


def categories(entry: Json) -> list[str]:
    return [a["category"]["coding"][0]["code"] for a in entry["adjudication"]]


def reasons(entry: Json) -> list[str]:
    return [a["reason"]["coding"][0]["code"] for a in entry["adjudication"] if "reason" in a]


def notes(response: Json) -> list[str]:
    return [n["text"] for n in response["processNote"]]


def extension(response: Json, url: str) -> Any:
    found = [e for e in response.get("extension", []) if e["url"] == url]
    return found[0] if found else None


def partial() -> PriorAuthorization:
    """Line 1 granted in part, line 2 left out."""
    return grant(
        pending(), {1: (1, Money(1520000))}, valid_from=TODAY,
        valid_until=TODAY + timedelta(days=29), at=NOW,
    )  # fmt: skip


def provisional() -> PriorAuthorization:
    return granted_whole(queued(parsed(), "admission-urgente", id="pa-7"), provisional=True)


STATES: dict[str, Callable[[], PriorAuthorization]] = {
    "requested": pending,
    "overdue": lambda: replace(pending(), overdue_flagged=True),
    "info-requested": lambda: request_information(pending(), "examen-medical"),
    "granted": lambda: granted_whole(pending()),
    "partial": partial,
    "provisional": provisional,
    "refused": lambda: refused(pending()),
    "expired": lambda: expire(granted_whole(pending()), TODAY + timedelta(days=31)),
    "cancelled": lambda: cancel(granted_whole(pending()), "annulation"),
}


@pytest.mark.parametrize("state", STATES)
class TestEveryState:
    def test_is_valid_r4(self, state: str) -> None:
        response = answer(STATES[state]())
        assert_valid_r4(response)
        r4.parse(response)

    def test_names_its_claim_patient_payer_and_requestor(self, state: str) -> None:
        response = answer(STATES[state]())
        assert response["id"] == response["preAuthRef"] == "pa-7"
        assert response["request"] == {"reference": "Claim/claim-1"}
        assert response["use"] == "preauthorization"
        assert response["subType"]["coding"][0] == {
            "system": systems.CS_PA_TYPE,
            "code": "costly-drug",
        }
        assert response["patient"] == {"reference": "Patient/12", "identifier": idcs()}
        assert response["insurer"]["identifier"] == {"system": systems.PAYER_ID, "value": "CNSS"}
        assert response["requestor"]["identifier"] == {"system": systems.INPE, "value": INPE}

    def test_every_item_gets_what_was_asked(self, state: str) -> None:
        response = answer(STATES[state]())
        assert [i["itemSequence"] for i in response["item"]] == [1, 2, 3]
        assert all(categories(i)[0] == "submitted" for i in response["item"])
        assert item(response, 2)["adjudication"][0]["amount"] == {
            "value": 1234.56,
            "currency": "MAD",
        }

    def test_the_foreign_item_says_why_it_was_not_examined(self, state: str) -> None:
        response = answer(STATES[state]())
        foreign = item(response, 3)
        assert reasons(foreign) == ["code-hors-nomenclature"]
        assert foreign["adjudication"][0]["amount"] == {"value": 135.5, "currency": "USD"}
        note = response["processNote"][foreign["noteNumber"][0] - 1]["text"]
        assert note.startswith("Ligne codée hors des nomenclatures du payeur")
        assert "EAN-13" in note

    def test_notes_are_numbered_in_french(self, state: str) -> None:
        said = answer(STATES[state]())["processNote"]
        assert [n["number"] for n in said] == list(range(1, len(said) + 1))
        assert all(n["language"]["coding"][0]["code"] == "fr" for n in said)
        assert all(n["type"] == "display" for n in said)


class TestQueued:
    def test_outcome_deadline_and_no_validity(self) -> None:
        response = answer(pending())
        assert (response["outcome"], response["status"]) == ("queued", "active")
        deadline = extension(response, systems.EXT_DECISION_DEADLINE)
        assert deadline["valueDateTime"] == "2026-03-04T08:30:00+00:00"
        assert "preAuthPeriod" not in response
        assert extension(response, systems.EXT_DECISION_OVERDUE) is None

    def test_disposition_gives_the_deadline_and_the_reasons(self) -> None:
        disposition = answer(pending())["disposition"]
        assert disposition.startswith("Demande en attente de la décision de l'organisme payeur")
        assert "04/03/2026 à 08:30 UTC" in disposition
        assert "Demande transmise au contrôle médical du payeur" in disposition

    def test_the_reviewer_s_reason_says_to_wait_for_the_deadline(self) -> None:
        said = notes(answer(pending()))
        assert said[0].startswith("Demande transmise au contrôle médical du payeur. Attendez")
        assert "04/03/2026 à 08:30 UTC" in said[0]
        assert not any(n.startswith("Attendez la décision de l'organisme payeur") for n in said)

    def test_lines_carry_no_benefit_yet(self) -> None:
        response = answer(pending())
        assert categories(item(response, 1)) == ["submitted"]
        assert item(response, 1)["adjudication"][0]["value"] == 2
        assert [t["category"]["coding"][0]["code"] for t in response["total"]] == ["submitted"]
        assert response["total"][0]["amount"] == {"value": 31634.56, "currency": "MAD"}

    def test_an_overdue_request_is_flagged(self) -> None:
        response = answer(replace(pending(), overdue_flagged=True))
        assert extension(response, systems.EXT_DECISION_OVERDUE) == {
            "url": systems.EXT_DECISION_OVERDUE,
            "valueBoolean": True,
        }

    def test_information_requested_is_still_queued_and_asks_for_the_documents(self) -> None:
        response = answer(request_information(pending(), "indication-non-couverte"))
        assert response["outcome"] == "queued"
        assert "pièces demandées" in notes(response)[-1]
        assert any(n.startswith("Le médicament n'est pas indiqué") for n in notes(response))

    @pytest.mark.parametrize(
        ("code", "words"),
        [
            ("hors-liste-medicaments-couteux", "EAN-13"),
            ("indication-non-couverte", "compte rendu médical"),
            ("specialite-non-autorisee", "careTeam.qualification"),
            ("quantite-au-dela-du-plafond", "plafond"),
        ],
    )
    def test_each_rule_reason_says_what_to_send(self, code: str, words: str) -> None:
        said = notes(answer(queued(parsed(), code, id="pa-7")))
        assert words in said[0]


class TestReviewersReasons:
    def test_a_document_asked_for_says_what_to_send_once(self) -> None:
        response = answer(request_information(pending(), "complement-compte-rendu"))
        said = notes(response)
        assert said[1].startswith("Complément demandé : compte rendu médical. Envoyez le compte")
        assert not any("pièces demandées" in n for n in said)  # the state's step, said already

    def test_once_sent_the_request_waits_again(self) -> None:
        pa = information_given(request_information(pending(), "complement-piece-manquante"))
        said = notes(answer(pa))
        assert "Complément demandé : une pièce requise manque au dossier" in said
        assert not any("Envoyez la pièce manquante" in n for n in said)

    def test_a_reviewer_s_refusal_is_each_line_s_reason(self) -> None:
        response = answer(refused(pending(), "refus-non-justifie"))
        assert reasons(item(response, 1)) == ["refus-non-justifie"]
        assert response["disposition"].startswith(
            "Prise en charge refusée : Refus du contrôle médical : soins non justifiés"
        )
        assert any("dossier médical qui justifie" in n for n in notes(response))

    def test_a_reviewer_s_grant_gives_its_reason(self) -> None:
        pa = granted_whole(pending(), reason="accord-controle-medical")
        assert answer(pa)["disposition"] == (
            "Prise en charge accordée, valable du 02/03/2026 au 31/03/2026 : Accord du contrôle "
            "médical du payeur ; Ligne codée hors des nomenclatures du payeur : non examinée"
        )


class TestGranted:
    def test_reference_validity_and_benefits(self) -> None:
        response = answer(granted_whole(pending()))
        assert response["outcome"] == "complete"
        assert response["preAuthPeriod"] == {"start": "2026-03-02", "end": "2026-03-31"}
        benefit = item(response, 1)["adjudication"][1]
        assert benefit["category"]["coding"][0]["code"] == "benefit"
        assert (benefit["amount"], benefit["value"]) == ({"value": 30400, "currency": "MAD"}, 2)
        assert response["total"][1]["amount"] == {"value": 31634.56, "currency": "MAD"}
        assert "extension" not in response

    def test_says_how_to_claim_it(self) -> None:
        response = answer(granted_whole(pending()))
        assert response["disposition"].startswith(
            "Prise en charge accordée, valable du 02/03/2026 au 31/03/2026"
        )
        assert "preAuthRef" in notes(response)[-1] and "31/03/2026" in notes(response)[-1]

    def test_the_wait_is_history_once_decided(self) -> None:
        response = answer(granted_whole(pending()))
        assert "contrôle médical du payeur" not in response["disposition"]
        assert notes(response)[0] == "Demande transmise au contrôle médical du payeur"

    def test_a_partial_grant_says_which_lines_are_left_out(self) -> None:
        response = answer(partial())
        assert response["disposition"].startswith("Prise en charge accordée en partie")
        one, two = item(response, 1), item(response, 2)
        assert one["adjudication"][1]["amount"] == {"value": 15200, "currency": "MAD"}
        assert one["adjudication"][1]["value"] == 1 and "reason" not in one["adjudication"][1]
        assert reasons(two) == ["ligne-non-accordee"]
        assert two["adjudication"][1]["amount"] == {"value": 0, "currency": "MAD"}
        assert notes(response)[two["noteNumber"][0] - 1].startswith("Ligne non retenue")

    def test_a_provisional_grant_says_so_and_its_regularisation_deadline(self) -> None:
        response = answer(provisional())
        assert extension(response, systems.EXT_PROVISIONAL)["valueBoolean"] is True
        deadline = extension(response, systems.EXT_DECISION_DEADLINE)
        assert deadline["valueDateTime"] == "2026-03-04T08:30:00+00:00"
        assert response["disposition"].startswith("Prise en charge accordée à titre provisoire")
        assert "régularisation" in notes(response)[0] and "04/03/2026" in notes(response)[0]


class TestClosed:
    def test_refused_lines_carry_the_refusal_reason(self) -> None:
        response = answer(refused(pending()))
        assert response["outcome"] == "complete"
        assert reasons(item(response, 1)) == ["droits-non-ouverts"]
        assert response["disposition"] == (
            "Prise en charge refusée : pas de droits ouverts à la date des soins ; "
            "Ligne codée hors des nomenclatures du payeur : non examinée"
        )
        assert any("immatriculation à la CNSS" in n for n in notes(response))

    def test_a_cancelled_authorization_is_a_cancelled_response(self) -> None:
        response = answer(cancel(pending(), "annulation"))
        assert (response["status"], response["outcome"]) == ("cancelled", "complete")
        assert "Rien ne peut plus être facturé" in notes(response)[-1]

    def test_an_expired_authorization_asks_for_a_new_request(self) -> None:
        response = answer(expire(granted_whole(pending()), TODAY + timedelta(days=31)))
        assert response["disposition"].startswith("Prise en charge expirée")
        assert "nouvelle demande" in notes(response)[-1]

    def test_a_consumed_authorization(self) -> None:
        pa = replace(granted_whole(pending()), status=PaStatus.CONSUMED)
        assert answer(pa)["disposition"].startswith("Prise en charge entièrement utilisée")


class TestStoredClaim:
    def test_under_our_id_with_the_proven_provider(self) -> None:
        request = parsed()
        stored = claim_out.request_resource(request, "claim-1", INPE)
        assert stored["id"] == "claim-1"
        assert stored["provider"] == {
            "type": "Organization",
            "identifier": {"system": systems.INPE, "value": INPE},
        }
        assert stored["item"] == request.resource["item"]
        assert_valid_r4(stored)

    def test_an_internal_patient_becomes_logical(self) -> None:
        contained = [{"resourceType": "Patient", "id": "p", "identifier": [idcs()]}]
        request = parsed(contained=contained, patient={"reference": "#p", "display": "F. A."})
        stored = claim_out.request_resource(request, "claim-1", INPE)
        assert stored["patient"] == {"type": "Patient", "identifier": idcs(), "display": "F. A."}
        assert answer(queued(request), request)["patient"] == stored["patient"]

    def test_without_payer_the_claim_s_insurer_answers(self) -> None:
        response = answer(replace(pending(), payer=""))
        assert response["insurer"] == {"identifier": {"system": systems.PAYER_ID, "value": "CNSS"}}
        request = parsed(insurer=None)
        response = answer(replace(queued(request), payer=""), request)
        assert response["insurer"] == {"display": "Assurance maladie obligatoire"}


class TestOnlyForeignItems:
    def test_every_item_says_why_and_nothing_is_totalled(self) -> None:
        request = read(bare_claim(item=[foreign_item(1), foreign_item(2)]))
        response = answer(queued(request), request)
        assert_valid_r4(response)
        assert [reasons(i) for i in response["item"]] == [["code-hors-nomenclature"]] * 2
        assert "total" not in response
