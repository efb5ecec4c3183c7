"""Prises en charge recorded before they kept their patient's key, keyed afterwards from the
request each answers (`amo-gateway authorizations key-patients`), in SQL (SQLite and
PostgreSQL): keyed once, the rest of their state untouched, and those whose request finds no
member left for no one."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.crypto import BlindIndex
from adapters.patient_keys import BlindPatientKey
from adapters.sql.uow import SqlUnitOfWorkFactory
from domain.members import IdentifierKind, PersonIdentifier
from domain.prior_auth import PaStatus
from domain.records import PersonName, RegistryEntry
from gateway import cli
from gateway.bootstrap import open_storage
from gateway.commands import admin
from gateway.commands.patient_keys import key_all
from gateway.settings import Settings
from tests.integration.test_authorizations import REF, TODAY, granted, store
from tests.unit.domain.builders import member, salarie
from tests.unit.fhir.builders import IDCS_VALUE

PATIENT = PersonIdentifier(IdentifierKind.IDCS, IDCS_VALUE)  # whom bare_claim() is about


def registered(uow_factory: SqlUnitOfWorkFactory) -> None:
    """The member the stored requests name, covered on their date of care."""
    entry = RegistryEntry(member(salarie(TODAY), member_id="M-7"), (PATIENT,),
                          PersonName("Alaoui", "Fatima"), "female")  # fmt: skip
    with uow_factory() as uow:
        uow.members.save(entry)
        uow.commit()


class TestKeyPatients:
    def test_one_recorded_without_its_key_is_keyed_once_and_nothing_else_changes(
        self, uow_factory: SqlUnitOfWorkFactory, index: BlindIndex
    ) -> None:
        key = BlindPatientKey(index)
        registered(uow_factory)
        legacy = granted("pa-1", until=TODAY + timedelta(days=29))
        refused = replace(legacy, id="pa-3", status=PaStatus.REFUSED)  # never usable: left
        store(uow_factory, legacy, replace(legacy, id="pa-2", patient="already"), refused)
        report = key_all(uow_factory, REF, key, batch=1)  # a batch each: paging too
        assert (report.keyed, report.unresolved, report.changed) == (1, (), ())
        with uow_factory() as uow:
            closed = uow.authorizations.get("pa-3")
        assert closed is not None and (closed.authorization.patient, closed.version) == ("", 1)
        with uow_factory() as uow:
            first, second = uow.authorizations.get("pa-1"), uow.authorizations.get("pa-2")
        assert first is not None and second is not None
        assert first.authorization == replace(legacy, patient=key("M-7")) and first.version == 2
        assert second.authorization.patient == "already" and second.version == 1
        assert key_all(uow_factory, REF, key).keyed == 0  # run again: nothing left to do

    def test_one_whose_request_finds_no_member_stays_for_no_one(
        self, uow_factory: SqlUnitOfWorkFactory, index: BlindIndex
    ) -> None:
        store(uow_factory, granted("pa-1", until=TODAY + timedelta(days=29)))  # none registered
        report = key_all(uow_factory, REF, BlindPatientKey(index))
        assert (report.keyed, report.unresolved) == (0, ("pa-1",))
        with uow_factory() as uow:
            stored = uow.authorizations.get("pa-1")
        assert stored is not None and (stored.authorization.patient, stored.version) == ("", 1)


class TestCommand:
    def test_the_command_keys_them_and_says_how_many(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.setenv("AMO_STATE_DIR", str(tmp_path))
        monkeypatch.setenv("AMO_DATABASE_URL", f"sqlite:///{tmp_path / 'gateway.db'}")
        monkeypatch.setenv("AMO_LOG_LEVEL", "WARNING")
        settings = Settings.from_env().with_secrets()
        admin.run_migrations(settings)
        with open_storage(settings) as storage:
            registered(storage.uow)
            store(storage.uow, granted("pa-1", until=TODAY + timedelta(days=29)))
        assert cli.main(["authorizations", "key-patients"]) == 0
        assert "prises en charge rattachées à leur patient : 1" in capsys.readouterr().out
        with open_storage(settings) as storage, storage.uow() as uow:
            stored = uow.authorizations.get("pa-1")
            assert stored is not None
            assert stored.authorization.patient == BlindPatientKey(storage.index)("M-7")
