"""The rules a registry household must pass: what is accepted, and the message for each refusal."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from adapters.registry_format import read_household
from domain.errors import InvalidRequest
from domain.members import (
    AldGrant,
    ContributionMonth,
    DependantFacts,
    IdentifierKind,
    PersonIdentifier,
    Role,
)
from domain.records import PersonName, RegistryEntry
from domain.reference import ReferenceData
from domain.registry import check_household, mask
from tests.unit.registry.builders import TODAY, valid_household


def checked(obj: Any, ref: ReferenceData, line: int = 1) -> list[RegistryEntry]:
    """The entries of a household object that has the right shape and passes the rules."""
    return check_household(read_household(obj, line=line), ref, line=line, today=TODAY)


def refusal(obj: Any, ref: ReferenceData, line: int = 12) -> str:
    """The message of the InvalidRequest the rules raise for a household of the right shape."""
    declared = read_household(obj, line=line)
    with pytest.raises(InvalidRequest) as caught:
        check_household(declared, ref, line=line, today=TODAY)
    return caught.value.detail


class TestCheckHousehold:
    def test_the_documented_example_gives_one_entry_per_member(self, ref: ReferenceData) -> None:
        entries = checked(valid_household(), ref)
        assert [e.member.member_id for e in entries] == ["CNSS-123456789", "CNSS-123456789-02"]

    def test_insured_fields_are_carried(self, ref: ReferenceData) -> None:
        insured = checked(valid_household(), ref)[0]
        affiliation = insured.member.affiliations[0]
        assert insured.member.birth_date == date(1980, 3, 14)
        assert insured.name == PersonName(family="Alaoui", given="Fatima")
        assert insured.sex == "female"
        assert insured.member.dependant is None
        assert (affiliation.scheme, affiliation.role, affiliation.insured_id) == (
            "AMO_SALARIES",
            Role.INSURED,
            None,
        )
        assert affiliation.contributions == (
            ContributionMonth(date(2026, 1, 1), 26),
            ContributionMonth(date(2026, 2, 1), 24),
        )
        assert insured.member.ald == (AldGrant("ALD12", date(2024, 2, 1)),)

    def test_identifiers_are_normalised(self, ref: ReferenceData) -> None:
        insured = checked(valid_household(), ref)[0]
        assert PersonIdentifier(IdentifierKind.CIN, "BK123456") in insured.identifiers
        assert PersonIdentifier(IdentifierKind.IDCS, "1234567890") in insured.identifiers

    def test_a_dependant_goes_through_its_insured(self, ref: ReferenceData) -> None:
        child = checked(valid_household(), ref)[1]
        affiliation = child.member.affiliations[0]
        assert (affiliation.role, affiliation.insured_id) == (Role.CHILD, "CNSS-123456789")
        assert child.member.dependant == DependantFacts(student_until=date(2027, 6, 30))

    def test_a_dependant_without_facts_gets_the_defaults(self, ref: ReferenceData) -> None:
        obj = valid_household()
        del obj["members"][1]["dependant"]
        child = checked(obj, ref)[1]
        assert child.member.dependant == DependantFacts()

    def test_a_birth_in_the_future_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][1]["birth_date"] = "2026-03-03"
        assert "members[1].birth_date : date de naissance postérieure" in refusal(obj, ref)

    def test_a_month_declared_twice_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][0]["affiliations"][0]["contributions"][1]["month"] = "2026-01"
        assert "contributions[1].month : mois en double « 2026-01 »" in refusal(obj, ref)

    def test_more_than_31_days_in_a_month_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][0]["affiliations"][0]["contributions"][0]["days"] = 32
        assert "contributions[0].days : nombre de jours hors de 0..31 : 32" in refusal(obj, ref)

    def test_negative_days_are_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][0]["affiliations"][0]["contributions"][0]["days"] = -1
        assert "contributions[0].days : nombre de jours hors" in refusal(obj, ref)

    def test_an_unknown_scheme_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][0]["affiliations"][0]["scheme"] = "AMO_MARS"
        assert refusal(obj, ref) == (
            "ligne 12, members[0].affiliations[0].scheme : régime inconnu « AMO_MARS »"
        )

    def test_an_unknown_previous_scheme_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][0]["affiliations"][0]["transferred_from"] = "RAMED"
        assert "affiliations[0].transferred_from : régime inconnu « RAMED »" in refusal(obj, ref)

    def test_an_unknown_ald_code_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][0]["ald"][0]["condition"] = "ALD99"
        assert "members[0].ald[0].condition : code ALD/ALC inconnu « ALD99 »" in refusal(obj, ref)

    def test_an_end_before_the_start_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][0]["ald"][0]["end"] = "2024-01-31"
        assert "members[0].ald[0].end : fin 2024-01-31 antérieure au début" in refusal(obj, ref)

    def test_a_settlement_without_arrears_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][0]["affiliations"][0]["suspended_until"] = "2025-01-01"
        message = refusal(obj, ref)
        assert "affiliations[0].suspended_until : fin de suspension sans début" in message

    def test_a_malformed_identifier_is_refused_and_masked(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][0]["identifiers"]["idcs"] = "12345678"
        message = refusal(obj, ref)
        assert message == (
            "ligne 12, members[0].identifiers.idcs : identifiant idcs au format invalide "
            "« *****678 »"
        )
        assert "12345678" not in message

    def test_a_member_without_identifier_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][1]["identifiers"] = {"idcs": None}
        assert "members[1].identifiers : au moins un identifiant est requis" in refusal(obj, ref)

    def test_two_members_with_one_identifier_are_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][1]["identifiers"]["idcs"] = "1234567890"
        message = refusal(obj, ref)
        assert "members[1].identifiers.idcs : identifiant porté par un autre membre" in message
        assert "1234567890" not in message

    def test_an_unknown_role_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][1]["role"] = "cousin"
        assert "members[1].role : rôle inconnu « cousin »" in refusal(obj, ref)

    def test_an_unknown_sex_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][1]["sex"] = "M"
        assert "members[1].sex : sexe inconnu « M »" in refusal(obj, ref)

    def test_a_dependant_of_an_absent_insured_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][1]["insured"] = "CNSS-987654321"
        message = refusal(obj, ref)
        assert "members[1].insured : assuré « ***********321 » absent du foyer" in message

    def test_a_dependant_of_a_dependant_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        spouse = valid_household()["members"][1] | {"member_id": "S", "role": "spouse"}
        spouse["identifiers"] = {"idcs": "1234567892"}
        obj["members"].append(spouse)
        obj["members"][1]["insured"] = "S"
        assert "members[1].insured : assuré « S » absent du foyer" in refusal(obj, ref)

    def test_a_dependant_without_insured_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        del obj["members"][1]["insured"]
        assert "members[1].insured : champ obligatoire absent" in refusal(obj, ref)

    def test_an_insured_naming_an_insured_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][0]["insured"] = "CNSS-123456789-02"
        assert "members[0].insured : réservé aux ayants droit" in refusal(obj, ref)

    def test_dependant_facts_on_an_insured_are_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][0]["dependant"] = {"married": True}
        assert "members[0].dependant : réservé aux ayants droit" in refusal(obj, ref)

    def test_a_dependant_in_a_scheme_its_insured_lacks_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][1]["affiliations"][0]["scheme"] = "AMO_TNS"
        message = refusal(obj, ref)
        assert "members[1].affiliations[0].scheme : régime « AMO_TNS » absent" in message

    def test_a_duplicated_member_id_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][1]["member_id"] = "CNSS-123456789"
        assert "members[1].member_id : member_id en double" in refusal(obj, ref)

    def test_a_member_without_affiliation_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household()
        obj["members"][0]["affiliations"] = []
        assert "members[0].affiliations : au moins une affiliation est requise" in refusal(obj, ref)

    def test_a_household_without_members_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household() | {"members": []}
        assert refusal(obj, ref, line=3) == "ligne 3, members : au moins un membre est requis"

    def test_an_unknown_payer_is_refused(self, ref: ReferenceData) -> None:
        obj = valid_household() | {"payer": "AXA"}
        assert refusal(obj, ref) == "ligne 12, payer : organisme payeur inconnu « AXA »"


class TestMask:
    def test_only_the_last_three_characters_show(self) -> None:
        assert mask("BK123456") == "*****456"

    def test_a_short_value_is_shown_as_is(self) -> None:
        assert mask("AB") == "AB"
