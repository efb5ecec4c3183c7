"""The synthetic population: deterministic, well-formed, and holding every edge case."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest

from adapters.population import EDGE_CASES, generate_population, personas, write_population
from adapters.registry_files import count_lines, read_registry
from adapters.registry_format import read_households
from domain.eligibility import EligibilityDecision, EligibilityStatus
from domain.members import IdentifierKind, PersonIdentifier, Role
from domain.records import RegistryEntry
from domain.reference import ReferenceData
from domain.rules.rights import decide_eligibility
from domain.services.registry import import_registry
from tests.fakes import FakeMemberRepository, FakeUnitOfWork
from tests.pipeline_fakes import FakeDecisionCache

TODAY = date(2026, 3, 2)
Status = EligibilityStatus

# The answer the real rules must give each edge case's person on TODAY.
EXPECTED = {
    "polygamous": Status.OPEN,
    "student": Status.OPEN,
    "married-student": Status.NOT_FOUND,
    "over-age-child": Status.NOT_FOUND,
    "disabled-child": Status.OPEN,
    "ald": Status.OPEN,
    "waiting-period": Status.WAITING_PERIOD,
    "transferred": Status.OPEN,
    "suspended": Status.SUSPENDED,
    "tns-waiting": Status.WAITING_PERIOD,
    "tns-settled": Status.OPEN,
    "maintained": Status.MAINTAINED,
    "lapsed": Status.NOT_FOUND,
    "double-affiliation": Status.DOUBLE_AFFILIATION,
    "open": Status.OPEN,
    "etudiant": Status.OPEN,
    "achamil": Status.OPEN,
    "child-maintained": Status.MAINTAINED,
    "student-maintained": Status.MAINTAINED,
    "divorced-spouse": Status.MAINTAINED,
    "employer-arrears": Status.SUSPENDED,
    "ald-after-job": Status.SUSPENDED,
    "stage-capped": Status.OPEN,
    "declarations-skipped": Status.OPEN,
    "own-cover-first": Status.SUSPENDED,
    "dialysis": Status.OPEN,
}


def imported(ref: ReferenceData, people: int, seed: int = 1) -> FakeMemberRepository:
    """A generated population, imported through the use case into a fake store."""
    uow = FakeUnitOfWork()
    households = read_households(
        enumerate(generate_population(seed=seed, people=people, today=TODAY), 1)
    )
    import_registry(households, uow=uow, cache=FakeDecisionCache(), ref=ref, today=TODAY)
    return uow.members


def members_of(household: Mapping[str, object]) -> list[dict[str, Any]]:
    """A generated household's members."""
    return cast(list[dict[str, Any]], household["members"])


def decision(
    members: FakeMemberRepository, ref: ReferenceData, kind: str, value: str
) -> EligibilityDecision:
    """The real rules' answer for one identifier on TODAY."""
    found = members.find(PersonIdentifier(IdentifierKind(kind), value))
    return decide_eligibility(found, TODAY, ref)


@pytest.fixture(scope="module")
def persona_answers(ref: ReferenceData) -> dict[str, EligibilityDecision]:
    """The rules' answer for each persona of a population of 5,000."""
    members = imported(ref, 5000)
    return {
        kind: decision(members, ref, *identifier)
        for kind, identifier in personas(1, 5000, TODAY).items()
    }


@pytest.fixture(scope="module")
def thousand(ref: ReferenceData) -> FakeMemberRepository:
    """A population of 1,000 people, imported."""
    return imported(ref, 1000)


@pytest.fixture(scope="module")
def answers(thousand: FakeMemberRepository, ref: ReferenceData) -> list[EligibilityDecision]:
    """The rules' answer for each of the 1,000 people, found by IDCS."""
    return [decision(thousand, ref, "idcs", _idcs(e)) for e in thousand.entries.values()]


class TestGeneratePopulation:
    @pytest.mark.parametrize("people", [1, 2, 7, 1000])
    def test_it_holds_exactly_the_people_asked(self, people: int) -> None:
        households = generate_population(seed=3, people=people, today=TODAY)
        assert sum(len(members_of(h)) for h in households) == people

    def test_households_hold_one_to_seven_people(self) -> None:
        sizes = Counter(
            len(members_of(h)) for h in generate_population(seed=3, people=3000, today=TODAY)
        )
        assert set(sizes) == set(range(1, 8))

    def test_member_ids_are_unique(self, thousand: FakeMemberRepository) -> None:
        assert thousand.count() == 1000

    def test_identifiers_are_unique_but_for_double_affiliations(
        self, thousand: FakeMemberRepository
    ) -> None:
        holders: dict[PersonIdentifier, list[RegistryEntry]] = defaultdict(list)
        for entry in thousand.entries.values():
            for identifier in entry.identifiers:
                holders[identifier].append(entry)
        shared = [entries for entries in holders.values() if len(entries) > 1]
        assert shared
        for first, second in shared:
            assert (first.name, first.member.birth_date) == (second.name, second.member.birth_date)
            assert first.member.affiliations[0].scheme != second.member.affiliations[0].scheme

    def test_a_population_does_not_depend_on_the_global_random(self) -> None:
        random.seed(1)
        first = list(generate_population(seed=5, people=200, today=TODAY))
        random.seed(2)
        assert list(generate_population(seed=5, people=200, today=TODAY)) == first

    def test_a_later_day_moves_the_dates(self) -> None:
        first = next(generate_population(seed=5, people=10, today=TODAY))
        later = next(generate_population(seed=5, people=10, today=date(2027, 3, 2)))
        assert first["members"] != later["members"]

    def test_polygamous_households_have_two_spouses(self) -> None:
        spouses = [
            sum(m["role"] == "spouse" for m in members_of(h))
            for h in generate_population(seed=3, people=1000, today=TODAY)
        ]
        assert spouses.count(2) >= 3


class TestEdgeCases:
    @pytest.mark.parametrize(
        "reason",
        [
            "ayant-droit-etudiant",
            "ayant-droit-handicape",
            "ayant-droit-age-limite",
            "jours-cotises-insuffisants",
            "mutation-sans-stage",
            "stage-en-cours",
            "cotisations-impayees",
            "droits-maintenus",
            "droits-expires",
            "double-affiliation",
        ],
    )
    def test_a_thousand_people_give_each_reason_several_times(
        self, answers: list[EligibilityDecision], reason: str
    ) -> None:
        assert sum(reason in answer.reasons for answer in answers) >= 3

    def test_a_thousand_people_hold_several_ald_members(
        self, answers: list[EligibilityDecision]
    ) -> None:
        assert sum(bool(answer.ald_conditions) for answer in answers) >= 3

    def test_each_persona_gets_its_status_from_the_rules(
        self, persona_answers: dict[str, EligibilityDecision]
    ) -> None:
        assert {kind: answer.status for kind, answer in persona_answers.items()} == EXPECTED

    @pytest.mark.parametrize(
        ("kind", "reason"),
        [
            ("child-maintained", "ayant-droit-age-limite"),
            ("student-maintained", "ayant-droit-age-limite"),
            ("divorced-spouse", "ayant-droit-lien-termine"),
            ("ald-after-job", "droits-maintenus"),
            ("employer-arrears", "cotisations-impayees"),
        ],
    )
    def test_the_new_personas_say_why(
        self, persona_answers: dict[str, EligibilityDecision], kind: str, reason: str
    ) -> None:
        assert reason in persona_answers[kind].reasons

    def test_the_sick_personas_keep_their_ald_care(
        self, persona_answers: dict[str, EligibilityDecision]
    ) -> None:
        for kind in ("ald-after-job", "employer-arrears"):
            assert persona_answers[kind].benefits, kind
        assert persona_answers["dialysis"].ald_conditions == ("ALD17",)

    def test_the_own_cover_persona_is_answered_by_own_right(
        self, persona_answers: dict[str, EligibilityDecision]
    ) -> None:
        answer = persona_answers["own-cover-first"]
        assert (answer.scheme, answer.role) == ("AMO_TNS", Role.INSURED)

    def test_personas_cover_every_edge_case(self) -> None:
        assert set(personas(9, 1000, TODAY)) == set(EDGE_CASES)

    def test_every_status_has_a_persona(self) -> None:
        assert set(EXPECTED.values()) == set(Status)


def _idcs(entry: RegistryEntry) -> str:
    """The person's IDCS (every generated person has one)."""
    return next(i.value for i in entry.identifiers if i.kind is IdentifierKind.IDCS)


class TestWritePopulation:
    def test_the_same_seed_gives_the_same_bytes(self, tmp_path: Path) -> None:
        write_population(tmp_path / "a.jsonl", seed=11, people=500, today=TODAY)
        write_population(tmp_path / "b.jsonl", seed=11, people=500, today=TODAY)
        assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()

    def test_another_seed_gives_other_bytes(self, tmp_path: Path) -> None:
        write_population(tmp_path / "a.jsonl", seed=11, people=500, today=TODAY)
        write_population(tmp_path / "b.jsonl", seed=12, people=500, today=TODAY)
        assert (tmp_path / "a.jsonl").read_bytes() != (tmp_path / "b.jsonl").read_bytes()

    def test_the_written_file_imports_cleanly(self, tmp_path: Path, ref: ReferenceData) -> None:
        path = tmp_path / "registry.jsonl"
        written = write_population(path, seed=4, people=2000, today=TODAY)
        uow = FakeUnitOfWork()
        report = import_registry(
            read_registry(path), uow=uow, cache=FakeDecisionCache(), ref=ref, today=TODAY
        )
        assert (written, report.members, uow.members.count()) == (2000, 2000, 2000)
        assert report.households == count_lines(path)
