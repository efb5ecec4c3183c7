"""The JSON shape of a registry household: what is read, and the message for each thing refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from adapters.registry_format import read_household
from domain.errors import InvalidRequest
from domain.members import IdentifierKind
from tests.unit.registry.builders import valid_household


def refusal(obj: Any, line: int = 12) -> str:
    """The message of the InvalidRequest reading `obj` raises."""
    with pytest.raises(InvalidRequest) as caught:
        read_household(obj, line=line)
    return caught.value.detail


class TestReadHousehold:
    def test_identifiers_are_kept_as_written(self) -> None:
        insured = read_household(valid_household(), line=1).members[0]
        assert insured.identifiers == (
            (IdentifierKind.IDCS, "1234567890"),
            (IdentifierKind.CNSS, "123456789"),
            (IdentifierKind.CIN, "bk123456"),
        )

    def test_a_null_identifier_is_not_given(self) -> None:
        obj = valid_household()
        obj["members"][1]["identifiers"] = {"idcs": None}
        assert read_household(obj, line=1).members[1].identifiers == ()

    def test_dates_and_months_are_read(self) -> None:
        affiliation = read_household(valid_household(), line=1).members[0].affiliations[0]
        assert affiliation.start == date(2019, 1, 1)
        assert affiliation.contributions[1].month == date(2026, 2, 1)

    def test_members_that_are_not_a_list_are_refused(self) -> None:
        obj = valid_household() | {"members": {"0": "x"}}
        assert refusal(obj) == "ligne 12, members : liste attendue"

    def test_a_household_that_is_not_an_object_is_refused(self) -> None:
        assert refusal(["H1"], line=4) == "ligne 4 : objet attendu"

    def test_a_bad_date_names_line_path_and_value(self) -> None:
        obj = valid_household()
        obj["members"][1]["birth_date"] = "1980-13-01"
        assert refusal(obj) == "ligne 12, members[1].birth_date : date invalide « 1980-13-01 »"

    def test_a_date_in_another_writing_is_refused(self) -> None:
        obj = valid_household()
        obj["members"][0]["affiliations"][0]["start"] = "20190101"
        assert refusal(obj).startswith("ligne 12, members[0].affiliations[0].start : date")

    def test_a_bad_month_is_refused(self) -> None:
        obj = valid_household()
        obj["members"][0]["affiliations"][0]["contributions"][1]["month"] = "2026-13"
        message = refusal(obj)
        assert message.startswith("ligne 12, members[0].affiliations[0].contributions[1].month")
        assert "mois invalide « 2026-13 »" in message

    def test_days_as_text_are_refused(self) -> None:
        obj = valid_household()
        obj["members"][0]["affiliations"][0]["contributions"][0]["days"] = "26"
        assert "contributions[0].days : nombre entier attendu" in refusal(obj)

    def test_an_unknown_identifier_system_is_refused(self) -> None:
        obj = valid_household()
        obj["members"][0]["identifiers"]["passport"] = "X1"
        assert "members[0].identifiers.passport : champ inconnu" in refusal(obj)

    def test_a_missing_name_is_refused(self) -> None:
        obj = valid_household()
        del obj["members"][0]["family_name"]
        assert "members[0].family_name : champ obligatoire absent" in refusal(obj)

    def test_a_name_is_never_quoted(self) -> None:
        obj = valid_household()
        obj["members"][0]["given_name"] = "   "
        message = refusal(obj)
        assert message == "ligne 12, members[0].given_name : texte non vide attendu"

    def test_a_wedding_date_is_read(self) -> None:
        obj = valid_household()
        obj["members"][1]["dependant"]["married_on"] = "2026-04-18"
        facts = read_household(obj, line=1).members[1].dependant
        assert facts is not None and facts.married_on == date(2026, 4, 18)

    def test_a_link_end_is_read_for_a_dependant(self) -> None:
        obj = valid_household()
        obj["members"][1]["affiliations"][0]["end"] = "2026-03-01"
        link = read_household(obj, line=1).members[1].affiliations[0]
        assert link.end == date(2026, 3, 1)

    def test_a_flag_as_text_is_refused(self) -> None:
        obj = valid_household()
        obj["members"][1]["dependant"]["married"] = "non"
        assert "members[1].dependant.married : booléen attendu" in refusal(obj)

    def test_an_unknown_field_is_refused(self) -> None:
        obj = valid_household()
        obj["members"][0]["affiliations"][0]["sheme"] = "AMO_SALARIES"
        assert "members[0].affiliations[0].sheme : champ inconnu" in refusal(obj)

    def test_a_member_that_is_not_an_object_is_refused(self) -> None:
        obj = valid_household()
        obj["members"][1] = "Youssef"
        assert refusal(obj) == "ligne 12, members[1] : objet attendu"
