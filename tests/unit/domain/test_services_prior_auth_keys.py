"""Keying a prise en charge recorded without its patient's key, from the request it answers:
the member its identifiers find on its date of care, or no one."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.errors import InvalidIdentifier
from domain.members import EligibilityFacts, IdentifierKind, PersonIdentifier
from domain.money import Money
from domain.prior_auth import PaLine, PriorAuthorization
from domain.records import StoredAuthorization
from domain.reference import ReferenceData
from domain.services.prior_auth_keys import MemberFinder, PatientReader, patient_key
from tests.pipeline_fakes import patient_key as fake_key
from tests.unit.domain.builders import facts, member, salarie

CARE = date(2025, 6, 16)
CIN = PersonIdentifier(IdentifierKind.CIN, "BK123456")
IDCS = PersonIdentifier(IdentifierKind.IDCS, "1234567890")
LINE = PaLine(1, "6111000000014", "costly-drug", 1, Money.mad("15200"))
ASKED = datetime(2025, 6, 10, 9, tzinfo=UTC)
STORED = StoredAuthorization(
    PriorAuthorization("pa-1", "p", "CNSS", "costly-drug", (LINE,), ASKED, ASKED,
                       date_of_care=CARE),
    1, b"claim",
)  # fmt: skip


def naming(*identifiers: PersonIdentifier) -> PatientReader:
    def read(body: bytes, ref: ReferenceData, day: date) -> tuple[PersonIdentifier, ...]:
        assert (body, day) == (b"claim", CARE)  # the request, as of its date of care
        return identifiers

    return read


def registry(found: dict[PersonIdentifier, list[EligibilityFacts]]) -> MemberFinder:
    return lambda identifier: found.get(identifier, [])


class TestPatientKey:
    def test_the_first_identifier_that_finds_a_member_gives_its_key(
        self, ref: ReferenceData
    ) -> None:
        known = {IDCS: [facts(member(salarie(CARE), member_id="M-7"))]}
        key = patient_key(STORED, read=naming(CIN, IDCS), find=registry(known), key=fake_key,
                          ref=ref)  # fmt: skip
        assert key == fake_key("M-7")

    def test_a_request_finding_no_member_gives_none(self, ref: ReferenceData) -> None:
        key = patient_key(STORED, read=naming(CIN), find=registry({}), key=fake_key, ref=ref)
        assert key == ""

    def test_a_request_naming_none_of_our_identifiers_gives_none(self, ref: ReferenceData) -> None:
        def unreadable(body: bytes, ref: ReferenceData, day: date) -> tuple[PersonIdentifier, ...]:
            raise InvalidIdentifier("aucun identifiant")

        key = patient_key(STORED, read=unreadable, find=registry({}), key=fake_key, ref=ref)
        assert key == ""
