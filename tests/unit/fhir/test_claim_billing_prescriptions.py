"""The quantity a prescription allows a claim line, as a pharmacy's client sends it: a contained
MedicationRequest (Claim.prescription or the item's extension), a Bundle entry, or our item
extension; and what identifies the prescription across claims."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.errors import DomainError
from domain.reference import ReferenceData
from fhir_profiles import systems
from tests.unit.fhir.claims import drug_item
from tests.unit.fhir.envelopes import collection
from tests.unit.fhir.test_claim_billing import claim, ngap_item, read

Json = dict[str, Any]
GTIN = "https://www.gs1.org/gtin"
AMOXICILLIN = "6111000000076"  # originator, group AMOXICILLINE-500
AMOXICILLIN_GENERIC = "6111000000083"  # the same group
INSULIN = "6111000000069"


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return load_reference_files(DEFAULT_REFDATA_DIR)


def medication_request(
    boxes: int | None = 1, drug: str | None = AMOXICILLIN, rid: str = "rx", **quantity: Any
) -> Json:
    """A prescription of `boxes` boxes of a drug, numbered ORD-77 on paper."""
    request: Json = {
        "resourceType": "MedicationRequest", "id": rid, "status": "active", "intent": "order",
        "subject": {"reference": "Patient/12"},
        "groupIdentifier": {"system": "urn:oid:2.16.504.9.2", "value": "ORD-77"},
    }  # fmt: skip
    if drug is not None:
        request["medicationCodeableConcept"] = {"coding": [{"system": GTIN, "code": drug}]}
    if boxes is not None:
        request["dispenseRequest"] = {"quantity": {"value": boxes, **quantity}}
    return request


def dispensed(code: str = AMOXICILLIN, boxes: int = 2, **changes: Any) -> Json:
    return drug_item(code=code, quantity={"value": boxes}, net={"value": 71.0}, **changes)


def line_of(body: Json, ref: ReferenceData, index: int = 0):  # type: ignore[no-untyped-def]
    return read(body, ref).lines[index]


def refused(body: Json, ref: ReferenceData) -> tuple[str, str | None]:
    with pytest.raises(DomainError) as caught:
        read(body, ref)
    return caught.value.code, caught.value.expression


class TestPrescribedQuantity:
    def test_a_contained_medication_request_bounds_the_line(self, ref: ReferenceData) -> None:
        body = claim(
            dispensed(), prescription={"reference": "#rx"}, contained=[medication_request(1)]
        )
        line = line_of(body, ref)
        assert (line.quantity, line.prescribed_quantity, line.prescription_id) == (2, 1, "ORD-77")

    def test_a_bundle_entry_bounds_the_line(self, ref: ReferenceData) -> None:
        body = collection(
            claim(dispensed(), prescription={"reference": "MedicationRequest/rx"}),
            medication_request(1),
        )
        assert line_of(body, ref).prescribed_quantity == 1

    def test_the_item_s_own_prescription_wins(self, ref: ReferenceData) -> None:
        own = {"url": systems.EXT_PRESCRIPTION, "valueReference": {"reference": "#rx2"}}
        body = claim(
            dispensed(extension=[own]),
            prescription={"reference": "#rx"},
            contained=[medication_request(1), medication_request(3, rid="rx2")],
        )
        assert line_of(body, ref).prescribed_quantity == 3

    def test_our_extension_wins_over_the_medication_request(self, ref: ReferenceData) -> None:
        said = {"url": systems.EXT_PRESCRIBED_QUANTITY, "valuePositiveInt": 2}
        body = claim(
            dispensed(extension=[said]),
            prescription={"reference": "#rx"},
            contained=[medication_request(1)],
        )
        assert line_of(body, ref).prescribed_quantity == 2

    def test_our_extension_bounds_an_act_too(self, ref: ReferenceData) -> None:
        item = ngap_item(1)
        item["extension"] = [{"url": systems.EXT_PRESCRIBED_QUANTITY, "valuePositiveInt": 1}]
        assert line_of(claim(item), ref).prescribed_quantity == 1

    def test_a_generic_of_the_same_group_is_bounded(self, ref: ReferenceData) -> None:
        body = claim(
            dispensed(AMOXICILLIN_GENERIC),
            prescription={"reference": "#rx"},
            contained=[medication_request(1)],
        )
        assert line_of(body, ref).prescribed_quantity == 1

    def test_another_drug_is_not_bounded_by_it(self, ref: ReferenceData) -> None:
        body = claim(
            dispensed(), dispensed(INSULIN, sequence=2),
            prescription={"reference": "#rx"}, contained=[medication_request(1)],
        )  # fmt: skip
        assert [line.prescribed_quantity for line in read(body, ref).lines] == [1, None]

    def test_a_medication_not_coded_by_gtin_bounds_the_lines_citing_it(
        self, ref: ReferenceData
    ) -> None:
        body = claim(
            dispensed(), prescription={"reference": "#rx"},
            contained=[medication_request(1, drug=None)],
        )  # fmt: skip
        assert line_of(body, ref).prescribed_quantity == 1

    def test_boxes_in_ucum_are_read(self, ref: ReferenceData) -> None:
        request = medication_request(1, unit="boîte", system=systems.UCUM, code="{box}")
        body = claim(dispensed(), prescription={"reference": "#rx"}, contained=[request])
        assert line_of(body, ref).prescribed_quantity == 1

    def test_no_quantity_prescribed_bounds_nothing(self, ref: ReferenceData) -> None:
        body = claim(
            dispensed(), prescription={"reference": "#rx"}, contained=[medication_request(None)]
        )
        assert line_of(body, ref).prescribed_quantity is None

    def test_a_prescription_outside_the_request_is_only_named(self, ref: ReferenceData) -> None:
        body = claim(dispensed(), prescription={"reference": "https://rx.example/ORD-9"})
        line = line_of(body, ref)
        assert (line.prescribed_quantity, line.prescription_id) == (
            None, "https://rx.example/ORD-9",
        )  # fmt: skip

    def test_a_contained_id_alone_identifies_nothing(self, ref: ReferenceData) -> None:
        request = medication_request(1)
        del request["groupIdentifier"]
        body = claim(dispensed(), prescription={"reference": "#rx"}, contained=[request])
        assert line_of(body, ref).prescription_id is None
        request["identifier"] = [{"system": "urn:oid:2.16.504.9.3", "value": "MR-5"}]
        body = claim(dispensed(), prescription={"reference": "#rx"}, contained=[request])
        assert line_of(body, ref).prescription_id == "MR-5"


class TestRefused:
    def test_a_quantity_in_tablets(self, ref: ReferenceData) -> None:
        request = medication_request(30, unit="comprimé", code="TAB")
        body = claim(dispensed(), prescription={"reference": "#rx"}, contained=[request])
        assert refused(body, ref) == (
            "quantite-invalide", "Claim.prescription.resolve().dispenseRequest.quantity.code",
        )  # fmt: skip

    def test_a_quantity_that_is_not_whole(self, ref: ReferenceData) -> None:
        body = claim(
            dispensed(), prescription={"reference": "#rx"},
            contained=[medication_request(1.5)],  # type: ignore[arg-type]
        )  # fmt: skip
        assert refused(body, ref) == (
            "quantite-invalide", "Claim.prescription.resolve().dispenseRequest.quantity.value",
        )  # fmt: skip

    def test_our_extension_at_zero(self, ref: ReferenceData) -> None:
        said = {"url": systems.EXT_PRESCRIBED_QUANTITY, "valuePositiveInt": 0}
        assert refused(claim(dispensed(extension=[said])), ref) == (
            "quantite-invalide", "Claim.item[0].extension.valuePositiveInt",
        )  # fmt: skip

    def test_our_extension_as_text(self, ref: ReferenceData) -> None:
        said = {"url": systems.EXT_PRESCRIBED_QUANTITY, "valueString": "2"}
        assert refused(claim(dispensed(extension=[said])), ref)[1] == (
            "Claim.item[0].extension.valuePositiveInt"
        )
