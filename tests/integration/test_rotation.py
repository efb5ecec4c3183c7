"""Key rotation: rows written under an old key are re-encrypted, then the old key can go."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from adapters.crypto import BlindIndex, FieldCipher
from adapters.sql import SqlUnitOfWorkFactory, make_engine, migrate
from adapters.sql.exchanges import EXCHANGE
from adapters.sql.members import MEMBER
from adapters.sql.messages import MESSAGE
from adapters.sql.rotation import MESSAGE_BATCH, RotationReport, rotate_keys
from domain.members import Affiliation, IdentifierKind, Member, PersonIdentifier, Role
from domain.money import Money
from domain.prior_auth import PaLine, PriorAuthorization
from domain.records import (
    AuditEntry,
    AuthorizationChange,
    ExchangeRecord,
    Message,
    MessageKind,
    PersonName,
    RegistryEntry,
)

K1, K2 = b"1" * 32, b"2" * 32
INDEX = BlindIndex(b"i" * 32)
IDCS = PersonIdentifier(IdentifierKind.IDCS, "1234567890")
NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)


def factory(engine: Engine, cipher: FieldCipher) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(engine, cipher=cipher, index=INDEX, audit_stream_id="t")


def written_under_k1(engine: Engine) -> None:
    member = Member("M1", NOW.date(), (Affiliation("AMO_TNS", Role.INSURED, NOW.date()),))
    exchange = ExchangeRecord(
        "e1", "eligibility", "p", NOW, "q1", "open", "Patient/1", (IDCS,), b'{"a":1}', b'{"b":2}'
    )
    with factory(engine, FieldCipher({"k1": K1}, "k1"))() as uow:
        uow.members.save(RegistryEntry(member, (IDCS,), PersonName("Alaoui", "Sara"), "female"))
        uow.exchanges.add(exchange)
        uow.commit()


class TestRotateKeys:
    def test_old_rows_move_to_the_current_key_and_stay_readable(self, tmp_path: Path) -> None:
        engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
        migrate(engine)
        written_under_k1(engine)
        report = rotate_keys(engine, FieldCipher({"k1": K1, "k2": K2}, "k2"))
        assert (report.members, report.exchanges) == (1, 1)
        with engine.connect() as connection:
            assert connection.execute(select(MEMBER.c.names_enc)).scalar_one().startswith(b"v1.k2.")
            row = connection.execute(select(EXCHANGE.c.key_id, EXCHANGE.c.response_enc)).one()
            assert row.key_id == "k2" and row.response_enc.startswith(b"v1.k2.")
        only_k2 = factory(engine, FieldCipher({"k2": K2}, "k2"))
        with only_k2() as uow:
            assert uow.members.identifiers_of("M1") == (IDCS,)
            stored = uow.exchanges.get("p", "eligibility", "e1")
            assert stored is not None and stored.response_body == b'{"b":2}'
            assert stored.patient_ref == "Patient/1"
        engine.dispose()

    def test_a_second_run_has_nothing_to_do(self, tmp_path: Path) -> None:
        engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
        migrate(engine)
        written_under_k1(engine)
        both = FieldCipher({"k1": K1, "k2": K2}, "k2")
        rotate_keys(engine, both)
        assert rotate_keys(engine, both) == RotationReport(members=0, exchanges=0, messages=0)
        engine.dispose()

    def test_messages_move_to_the_current_key_in_small_batches(self, tmp_path: Path) -> None:
        engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
        migrate(engine)
        written_under_k1(engine)
        under_k1 = factory(engine, FieldCipher({"k1": K1}, "k1"))
        line = PaLine(1, "hospitalisation", "hospitalisation", 1, Money.mad("100"))
        pa = PriorAuthorization("e1", "p", "CNSS", "hospitalisation", (line,), NOW, NOW)
        audit = AuditEntry(NOW, "preauthorization.ask-information", 200)
        with under_k1() as uow:
            uow.authorizations.add_many([pa])
            for n in range(MESSAGE_BATCH + 1):  # one batch and one more
                body = f'{{"n":{n}}}'.encode()
                question = Message(f"m{n}", "e1", MessageKind.REQUEST, "p", "CNSS", NOW, body)
                uow.authorizations.change(
                    AuthorizationChange(pa, n + 1, b"{}", audit, (), question)
                )
            uow.commit()
        report = rotate_keys(engine, FieldCipher({"k1": K1, "k2": K2}, "k2"))
        assert report.messages == MESSAGE_BATCH + 1
        with factory(engine, FieldCipher({"k2": K2}, "k2"))() as uow:
            assert [m.body for m in uow.authorizations.messages("e1")][:2] == [
                b'{"n":0}',
                b'{"n":1}',
            ]
            keys = uow.session.execute(select(MESSAGE.c.key_id).distinct()).scalars().all()
            assert keys == ["k2"]
        engine.dispose()
