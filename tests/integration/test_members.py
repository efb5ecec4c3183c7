"""The member repository: blind-index lookup, insureds, encryption at rest."""

from __future__ import annotations

import orjson
from sqlalchemy import Engine

from adapters.sql import SqlUnitOfWorkFactory
from adapters.sql.member_codec import decode_member, encode_facts
from domain.members import EligibilityFacts, IdentifierKind, PersonIdentifier
from tests.integration.builders import CIN, IDCS, child, entry, insured


class TestSqlMemberRepository:
    def test_saved_member_is_found_by_each_identifier(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            uow.members.save(entry(insured(), CIN, IDCS))
            uow.commit()
        with uow_factory() as uow:
            assert uow.members.find(CIN) == [EligibilityFacts(insured(), {})]
            assert uow.members.find(IDCS) == [EligibilityFacts(insured(), {})]

    def test_unknown_identifier_finds_nobody(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            uow.members.save(entry(insured()))
            assert uow.members.find(PersonIdentifier(IdentifierKind.CIN, "ZZ1")) == []

    def test_same_value_of_another_kind_is_not_a_match(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            uow.members.save(entry(insured(), CIN))
            assert uow.members.find(PersonIdentifier(IdentifierKind.CNSS, CIN.value)) == []

    def test_double_affiliation_finds_both_records(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            uow.members.save(entry(insured("M-1", "cnss-salaries"), CIN))
            uow.members.save(entry(insured("M-2", "cnops"), CIN))
            found = uow.members.find(CIN)
        assert [facts.member.member_id for facts in found] == ["M-1", "M-2"]

    def test_dependant_comes_with_its_insured(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        kid = PersonIdentifier(IdentifierKind.IDCS, "5550001112")
        with uow_factory() as uow:
            uow.members.save(entry(insured("M-1"), CIN))
            uow.members.save(entry(child("C-1", insured_id="M-1"), kid))
            assert uow.members.find(kid) == [EligibilityFacts(child(), {"M-1": insured()})]

    def test_save_replaces_facts_and_identifiers_and_bumps_the_version(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            uow.members.save(entry(insured(), CIN))
            uow.members.save(entry(child("M-1", insured_id=None), IDCS))
            uow.commit()
        with uow_factory() as uow:
            assert uow.members.find(CIN) == []
            (facts,) = uow.members.find(IDCS)
            assert facts.member.version == 2
            assert facts.member.birth_date == child().birth_date
            assert uow.members.count() == 1

    def test_identifiers_of_decrypts_the_stored_identifiers(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            uow.members.save(entry(insured(), CIN, IDCS))
            assert uow.members.identifiers_of("M-1") == (CIN, IDCS)
            assert uow.members.identifiers_of("nobody") == ()

    def test_names_and_identifiers_are_not_stored_in_clear(
        self, uow_factory: SqlUnitOfWorkFactory, engine: Engine
    ) -> None:
        with uow_factory() as uow:
            uow.members.save(entry(insured(), CIN, family="Bennani"))
            uow.commit()
        with engine.connect() as connection:
            dump = repr(connection.exec_driver_sql("SELECT * FROM member").all())
            dump += repr(connection.exec_driver_sql("SELECT * FROM member_identifier").all())
        assert "Bennani" not in dump and CIN.value not in dump and "M-1" in dump


class TestStoredFacts:
    def test_facts_stored_before_the_wedding_date_existed_are_read(self) -> None:
        """Facts written by an earlier version have no married_on: read as not known."""
        stored = orjson.loads(encode_facts(child()))
        del stored["dependant"]["married_on"]
        member = decode_member("C-1", 1, orjson.dumps(stored).decode())
        assert member.dependant is not None and member.dependant.married_on is None
