"""Claim (use = preauthorization) -> RequestPriorAuth: what is read, and every refusal with its
code and the FHIRPath of the element at fault."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.errors import (
    DomainError,
    InvalidRequest,
    MalformedRequest,
    TooLarge,
    UnknownCode,
)
from domain.members import IdentifierKind, PersonIdentifier
from domain.money import Money
from domain.prior_auth import PaLine
from fhir_profiles import claim_in, r4, systems
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.builders import IDCS_VALUE, category, idcs
from tests.unit.fhir.claims import (
    GTIN,
    LISTED_NOT_COSTLY,
    NOT_LISTED,
    TODAY,
    TRASTUZUMAB,
    bare_claim,
    drug_item,
    foreign_item,
    read,
)

Json = dict[str, Any]


def refused(body: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        read(body)
    return caught.value


def stay(sequence: int = 1, **changes: Any) -> Json:
    """An item asking for a hospital stay, coded by our care category."""
    item: Json = {
        "sequence": sequence,
        "productOrService": category("hospitalisation"),
        "quantity": {"value": 3},
        "unitPrice": {"value": 850, "currency": "MAD"},
    }
    item.update(changes)
    return {k: v for k, v in item.items() if v is not None}


def with_subtype(code: str) -> Json:
    return {"coding": [{"system": systems.CS_PA_TYPE, "code": code}]}


def of_type(code: str) -> Json:
    return {"coding": [{"system": systems.HL7_CLAIM_TYPE, "code": code}]}


class TestBareClaim:
    def test_fixture_is_valid_r4(self) -> None:
        assert_valid_r4(bare_claim())
        r4.parse(bare_claim())

    def test_patient_kind_line_and_prescriber_become_the_command(self) -> None:
        command = read(bare_claim()).command
        assert command.identifiers == (PersonIdentifier(IdentifierKind.IDCS, IDCS_VALUE),)
        request = command.request
        assert request.pa_type == "costly-drug"
        assert request.lines == (PaLine(1, TRASTUZUMAB, "costly-drug", 2, Money(3040000)),)
        assert request.date_of_care == date(2026, 3, 2)
        assert request.prescriber_specialty == "oncologie"
        assert request.urgent is False
        assert command.foreign == ()

    def test_echo_keeps_what_the_stored_claim_and_answer_repeat(self) -> None:
        parsed = read(bare_claim())
        assert parsed.patient == {"reference": "Patient/12", "identifier": idcs()}
        assert parsed.insurer == {"identifier": {"system": systems.PAYER_ID, "value": "CNSS"}}
        assert parsed.envelope == "resource" and parsed.message is None
        assert claim_in.patient_reference(parsed) == "Patient/12"

    def test_no_insurer_is_none(self) -> None:
        assert read(bare_claim(insurer=None)).insurer is None

    def test_a_contained_patient_is_echoed_by_its_identifier(self) -> None:
        contained = [{"resourceType": "Patient", "id": "p", "identifier": [idcs()]}]
        parsed = read(bare_claim(contained=contained, patient={"reference": "#p"}))
        assert parsed.patient == {"type": "Patient", "identifier": idcs()}
        assert claim_in.patient_reference(parsed) is None


class TestKindOfPriorAuthorization:
    def test_our_subtype_says_it(self) -> None:
        body = bare_claim(type=of_type("institutional"), subType=with_subtype("device"))
        assert read(body).command.request.pa_type == "device"

    @pytest.mark.parametrize(
        ("claim_type", "kind"), [("pharmacy", "costly-drug"), ("institutional", "hospitalisation")]
    )
    def test_else_the_claim_type_tells_it(self, claim_type: str, kind: str) -> None:
        body = bare_claim(type=of_type(claim_type), item=[stay()])
        assert read(body).command.request.pa_type == kind

    @pytest.mark.parametrize("claim_type", ["professional", "oral", "vision"])
    def test_else_the_subtype_is_asked_for(self, claim_type: str) -> None:
        error = refused(bare_claim(type=of_type(claim_type)))
        assert isinstance(error, InvalidRequest)
        assert (error.code, error.expression) == ("type-prise-en-charge-requis", "Claim.subType")
        assert systems.CS_PA_TYPE in error.detail

    def test_a_foreign_subtype_does_not_say_it(self) -> None:
        foreign = {
            "coding": [
                {"system": "http://nphies.sa/terminology/CodeSystem/claim-subtype", "code": "op"}
            ]
        }
        error = refused(bare_claim(type=of_type("professional"), subType=foreign))
        assert error.code == "type-prise-en-charge-requis"

    def test_an_unknown_subtype_is_refused(self) -> None:
        error = refused(bare_claim(subType=with_subtype("spa")))
        assert isinstance(error, UnknownCode) and error.expression == "Claim.subType"


class TestLines:
    def test_a_drug_outside_the_costly_list_is_pharmacy(self) -> None:
        body = bare_claim(item=[drug_item(code=LISTED_NOT_COSTLY), drug_item(2, code=NOT_LISTED)])
        lines = read(body).command.request.lines
        assert [(x.code, x.category) for x in lines] == [
            (LISTED_NOT_COSTLY, "pharmacy"),
            (NOT_LISTED, "pharmacy"),
        ]

    def test_our_item_category_is_kept_for_a_drug(self) -> None:
        body = bare_claim(item=[drug_item(category=category("pharmacy"))])
        assert read(body).command.request.lines[0].category == "pharmacy"

    def test_a_stay_is_coded_by_our_care_category(self) -> None:
        body = bare_claim(type=of_type("institutional"), item=[stay()])
        assert read(body).command.request.lines == (
            PaLine(1, "hospitalisation", "hospitalisation", 3, Money(255000)),
        )

    @pytest.mark.parametrize(
        ("code", "ean13"),
        [
            (TRASTUZUMAB, TRASTUZUMAB),
            (f"0{TRASTUZUMAB}", TRASTUZUMAB),  # GTIN-14 of the unit itself
            ("611100000007", "0611100000007"),  # GTIN-12
            ("61110007", "0000061110007"),  # GTIN-8
        ],
    )
    def test_a_gtin_is_read_as_the_ean13_of_the_box(self, code: str, ean13: str) -> None:
        product = {"coding": [{"system": GTIN, "code": code}]}
        body = bare_claim(item=[drug_item(productOrService=product)])
        assert read(body).command.request.lines[0].code == ean13

    def test_the_gs1_oid_is_a_gtin_system_too(self) -> None:
        product = {"coding": [{"system": "urn:oid:1.3.160", "code": TRASTUZUMAB}]}
        assert read(bare_claim(item=[drug_item(productOrService=product)])).command.request.lines

    @pytest.mark.parametrize(
        ("code", "why"),
        [
            ("6111000000015", "clé de contrôle"),
            ("61110008", "clé de contrôle"),
            ("61110A0000014", "chiffres"),
            ("16111000000014", "conditionnement"),
        ],
    )
    def test_a_wrong_gtin_is_an_unknown_code(self, code: str, why: str) -> None:
        product = {"coding": [{"system": GTIN, "code": code}]}
        error = refused(bare_claim(item=[drug_item(productOrService=product)]))
        assert isinstance(error, UnknownCode) and why in error.detail
        assert error.expression == "Claim.item[0].productOrService.coding[0].code"

    def test_an_unknown_care_category_is_refused(self) -> None:
        error = refused(bare_claim(item=[stay(productOrService=category("spa"))]))
        assert isinstance(error, UnknownCode)
        assert error.expression == "Claim.item[0].productOrService.coding[0].code"

    def test_no_item_is_refused(self) -> None:
        error = refused(bare_claim(item=None))
        assert isinstance(error, InvalidRequest) and error.expression == "Claim.item"

    def test_a_repeated_sequence_is_refused(self) -> None:
        error = refused(bare_claim(item=[drug_item(1), drug_item(1)]))
        assert isinstance(error, InvalidRequest) and error.expression == "Claim.item[1].sequence"

    @pytest.mark.parametrize("sequence", [0, -1, "1", 1.5, True, None])
    def test_a_sequence_is_a_positive_integer(self, sequence: Any) -> None:
        item = drug_item()
        item["sequence"] = sequence
        error = refused(bare_claim(item=[item]))
        assert isinstance(error, MalformedRequest) and error.expression == "Claim.item[0].sequence"

    def test_more_items_than_one_request_may_carry(self) -> None:
        error = refused(bare_claim(item=[drug_item(n) for n in range(1, 102)]))
        assert isinstance(error, TooLarge)


class TestForeignItems:
    def test_their_sequences_are_kept_apart_not_refused(self) -> None:
        body = bare_claim(
            item=[foreign_item(1), drug_item(2), foreign_item(3, "http://snomed.info/sct")]
        )
        command = read(body).command
        assert command.foreign == (1, 3)
        assert [x.sequence for x in command.request.lines] == [2]

    def test_their_amounts_and_currency_are_not_checked(self) -> None:
        item = foreign_item(1)
        item["quantity"] = {"value": 0}
        assert read(bare_claim(item=[item])).command.foreign == (1,)

    def test_a_product_without_code_is_foreign(self) -> None:
        item = {"sequence": 1, "productOrService": {"text": "Séance de kinésithérapie"}}
        assert read(bare_claim(item=[item])).command.foreign == (1,)

    def test_a_product_is_required(self) -> None:
        error = refused(bare_claim(item=[{"sequence": 1}]))
        assert isinstance(error, MalformedRequest)
        assert error.expression == "Claim.item[0].productOrService"


class TestQuantity:
    def test_absent_is_one(self) -> None:
        body = bare_claim(item=[drug_item(quantity=None)])
        assert read(body).command.request.lines[0].quantity == 1

    def test_a_whole_decimal_is_a_whole_number(self) -> None:
        body = bare_claim(item=[drug_item(quantity={"value": 2.0})])
        assert read(body).command.request.lines[0].quantity == 2

    @pytest.mark.parametrize("value", [0, -1, 1.5, 100_001])
    def test_zero_negative_fractional_or_huge_is_refused(self, value: Any) -> None:
        error = refused(bare_claim(item=[drug_item(quantity={"value": value})]))
        assert isinstance(error, InvalidRequest)
        assert (error.code, error.expression) == (
            "quantite-invalide",
            "Claim.item[0].quantity.value",
        )

    @pytest.mark.parametrize("value", ["2", True])
    def test_not_a_number_is_malformed(self, value: Any) -> None:
        error = refused(bare_claim(item=[drug_item(quantity={"value": value})]))
        assert isinstance(error, MalformedRequest)
        assert error.expression == "Claim.item[0].quantity.value"


class TestAmount:
    def test_net_in_mad_becomes_centimes(self) -> None:
        body = bare_claim(item=[drug_item(net={"value": 1234.56, "currency": "MAD"})])
        assert read(body).command.request.lines[0].amount == Money(123456)

    def test_a_money_without_currency_is_read_as_mad(self) -> None:
        body = bare_claim(item=[drug_item(net={"value": 10})])
        assert read(body).command.request.lines[0].amount == Money(1000)

    def test_else_unit_price_times_quantity_times_factor(self) -> None:
        item = drug_item(net=None, unitPrice={"value": 15200.5, "currency": "MAD"}, factor=0.5)
        assert read(bare_claim(item=[item])).command.request.lines[0].amount == Money(1520050)

    def test_without_net_nor_unit_price_it_is_asked_for(self) -> None:
        error = refused(bare_claim(item=[drug_item(net=None)]))
        assert isinstance(error, InvalidRequest)
        assert (error.code, error.expression) == ("montant-invalide", "Claim.item[0].net")

    @pytest.mark.parametrize("currency", ["EUR", "SAR", "mad"])
    def test_another_currency_is_refused_clearly(self, currency: str) -> None:
        error = refused(bare_claim(item=[drug_item(net={"value": 10, "currency": currency})]))
        assert isinstance(error, InvalidRequest)
        assert error.code == "devise-non-prise-en-charge"
        assert error.expression == "Claim.item[0].net.currency" and "MAD" in error.detail

    def test_the_unit_price_currency_is_checked_too(self) -> None:
        item = drug_item(net=None, unitPrice={"value": 10, "currency": "USD"})
        error = refused(bare_claim(item=[item]))
        assert (error.code, error.expression) == (
            "devise-non-prise-en-charge",
            "Claim.item[0].unitPrice.currency",
        )

    @pytest.mark.parametrize(
        ("value", "expression"),
        [
            (0, "Claim.item[0].net.value"),
            (-5, "Claim.item[0].net.value"),
            (10.005, "Claim.item[0].net.value"),
            (100_000_000.01, "Claim.item[0].net.value"),
            (None, "Claim.item[0].net.value"),
        ],
    )
    def test_zero_negative_past_the_centime_or_huge_is_refused(
        self, value: Any, expression: str
    ) -> None:
        error = refused(bare_claim(item=[drug_item(net={"value": value, "currency": "MAD"})]))
        assert isinstance(error, InvalidRequest)
        assert (error.code, error.expression) == ("montant-invalide", expression)

    def test_the_ceiling_itself_is_accepted(self) -> None:
        body = bare_claim(item=[drug_item(net={"value": 100_000_000, "currency": "MAD"})])
        assert read(body).command.request.lines[0].amount == Money.mad(100_000_000)

    def test_a_text_amount_is_malformed(self) -> None:
        error = refused(bare_claim(item=[drug_item(net={"value": "10", "currency": "MAD"})]))
        assert isinstance(error, MalformedRequest) and error.expression == "Claim.item[0].net.value"


class TestDateOfCare:
    def test_the_first_day_an_item_names(self) -> None:
        items = [
            drug_item(1, servicedDate="2026-03-05"),
            drug_item(2, servicedDate=None, servicedPeriod={"start": "2026-03-04T10:00:00+01:00"}),
        ]
        assert read(bare_claim(item=items)).command.request.date_of_care == date(2026, 3, 4)

    def test_else_the_billable_period_start(self) -> None:
        body = bare_claim(
            item=[drug_item(servicedDate=None)], billablePeriod={"start": "2026-03-10"}
        )
        assert read(body).command.request.date_of_care == date(2026, 3, 10)

    def test_else_today(self) -> None:
        body = bare_claim(item=[drug_item(servicedDate=None)])
        assert read(body).command.request.date_of_care == TODAY

    def test_date_and_period_are_exclusive(self) -> None:
        item = drug_item(servicedPeriod={"start": "2026-03-02"})
        error = refused(bare_claim(item=[item]))
        assert isinstance(error, MalformedRequest) and error.expression == "Claim.item[0].serviced"

    @pytest.mark.parametrize("value", ["2026-02-30", "2026-03", "02/03/2026"])
    def test_a_day_that_is_not_one_is_malformed(self, value: str) -> None:
        error = refused(bare_claim(item=[drug_item(servicedDate=value)]))
        assert isinstance(error, MalformedRequest)
        assert error.expression == "Claim.item[0].servicedDate"


class TestUrgency:
    def test_stat_is_urgent(self) -> None:
        priority = {"coding": [{"system": systems.HL7_PROCESS_PRIORITY, "code": "stat"}]}
        assert read(bare_claim(priority=priority)).command.request.urgent is True

    @pytest.mark.parametrize("code", ["normal", "deferred"])
    def test_other_priorities_are_not(self, code: str) -> None:
        priority = {"coding": [{"system": systems.HL7_PROCESS_PRIORITY, "code": code}]}
        assert read(bare_claim(priority=priority)).command.request.urgent is False
