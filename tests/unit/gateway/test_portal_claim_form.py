"""The claim form's Claim: what a pharmacy's software would send, valid R4, read by the API's
own reader into the lines typed (empty rows ignored, the catalogue's price by default)."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.errors import DomainError
from domain.money import Money
from fhir_profiles import claim_billing_in
from gateway.portal.claim_form import ClaimDraft, claim_body, row_of
from tests.fhir_schema import assert_valid_r4

REF = load_reference_files(DEFAULT_REFDATA_DIR)
DAY = date(2026, 11, 20)
AMOXICILLIN, EPOETIN = "6111000000076", "6111000000045"


def typed(**values: str) -> dict[str, list[str]]:
    base = {"key": "k" * 24, "kind": "IDCS", "value": "1234567890", "date": DAY.isoformat(),
            "prescriber": "Dr Alaoui", "prescribed": "2026-11-18"}  # fmt: skip
    return {name: [value] for name, value in {**base, **values}.items()} | {
        "doc": ["feuille-de-soins", "ordonnance", "not-ours"]
    }


class TestClaimBody:
    def test_it_is_valid_r4_and_carries_the_lines_typed(self) -> None:
        rows = {"ean-1": AMOXICILLIN, "qty-1": "2", "ean-3": EPOETIN, "qty-3": "1",
                "price-3": "1 250,00", "pec-3": "PA-9"}  # fmt: skip
        draft = ClaimDraft.of(typed(**rows))
        body = claim_body(draft, "claim", REF, "INPE-1")
        assert_valid_r4(body)
        parsed = claim_billing_in.to_domain(body, ref=REF, today=DAY)
        assert parsed.claim_id == f"PORTAIL-{'k' * 24}"
        assert [(line.code, line.quantity) for line in parsed.lines] == [
            (AMOXICILLIN, 2),
            (EPOETIN, 1),
        ]
        assert parsed.lines[0].billed == Money.mad("71")  # 2 x the catalogue's 35.50
        assert (
            parsed.lines[1].billed == Money.mad("1250") and parsed.lines[1].pa_reference == "PA-9"
        )
        assert parsed.lines[0].documents == frozenset({"feuille-de-soins", "ordonnance"})

    def test_the_claim_s_pec_is_every_line_s_unless_its_own(self) -> None:
        draft = ClaimDraft.of(typed(pec="PA-1", **{"ean-1": EPOETIN, "ean-2": EPOETIN,
                                                   "pec-2": "PA-2"}))  # fmt: skip
        parsed = claim_billing_in.to_domain(claim_body(draft, "predetermination", REF, "I"),
                                            ref=REF, today=DAY)  # fmt: skip
        assert [line.pa_reference for line in parsed.lines] == ["PA-1", "PA-2"]

    def test_what_is_not_a_number_is_left_for_the_reader_to_refuse(self) -> None:
        draft = ClaimDraft.of(typed(**{"ean-1": AMOXICILLIN, "qty-1": "deux"}))
        with pytest.raises(DomainError):
            claim_billing_in.to_domain(claim_body(draft, "claim", REF, "I"), ref=REF, today=DAY)

    def test_a_short_key_is_replaced(self) -> None:
        assert len(ClaimDraft.of(typed(key="short")).key) >= 16


class TestRowOf:
    def test_an_item_s_error_is_said_on_the_form_s_row(self) -> None:
        draft = ClaimDraft.of(typed(**{"ean-2": AMOXICILLIN, "ean-4": EPOETIN}))
        assert row_of(draft, "Claim.item[1].productOrService.coding[0].code") == 4
        assert row_of(draft, "Claim.item[0].quantity") == 2

    def test_an_error_elsewhere_is_on_no_row(self) -> None:
        draft = ClaimDraft.of(typed(**{"ean-1": AMOXICILLIN}))
        assert row_of(draft, "Claim.patient") is None and row_of(draft, None) is None
        assert row_of(draft, "Claim.item[5]") is None
