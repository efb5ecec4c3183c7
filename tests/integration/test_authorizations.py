"""Prises en charge in SQL (SQLite and PostgreSQL): stored beside their exchange, changed
only by compare-and-set, and the worker's timers (expiry, overdue) run on them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import orjson
from sqlalchemy import select

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from adapters.sql.authorizations import decode, encode
from adapters.sql.outbox import EVENT
from adapters.sql.uow import SqlUnitOfWorkFactory
from domain.eligibility import EligibilityStatus
from domain.money import Money
from domain.notifications import Topic
from domain.prior_auth import (
    Granted,
    PaLine,
    PaStatus,
    PriorAuthorization,
    Reservation,
    Use,
    grant,
)
from domain.records import AuditEntry, AuthorizationChange, ExchangeRecord, QueueQuery
from domain.services.exchanges import Stamp
from domain.services.prior_auth import PaOutcome
from domain.services.prior_auth_timers import run_timers
from fhir_profiles.claim_form import PriorAuthForm, rerender
from tests.pipeline_fakes import FakeIds
from tests.unit.fhir.claims import bare_claim

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
TODAY = NOW.date()
REF = load_reference_files(DEFAULT_REFDATA_DIR)
LINE = PaLine(1, "6111000000014", "costly-drug", 2, Money.mad("30400"))


def pending(
    pa_id: str, *, payer: str = "CNSS", deadline: datetime = NOW + timedelta(hours=48)
) -> PriorAuthorization:
    return PriorAuthorization(
        pa_id, "org-111222333", payer, "costly-drug", (LINE,), NOW, deadline,
        reasons=("quantite-au-dela-du-plafond",), date_of_care=TODAY,
    )  # fmt: skip


def granted(pa_id: str, *, until: date) -> PriorAuthorization:
    return grant(
        pending(pa_id),
        {1: (2, Money.mad("30400"))},
        valid_from=until - timedelta(days=29),
        valid_until=until,
        at=NOW,
    )


def store(uow_factory: SqlUnitOfWorkFactory, *authorizations: PriorAuthorization) -> None:
    """Each with the exchange that asked for it, its Claim stored as the Claim route does."""
    records = []
    for pa in authorizations:
        form = PriorAuthForm(bare_claim(), ref=REF, requestor_inpe="111222333")
        form.read(TODAY)
        rendered = form.render(
            PaOutcome(pa, EligibilityStatus.OPEN), Stamp(pa.id, f"claim-{pa.id}", NOW)
        )
        records.append(
            ExchangeRecord(
                pa.id,
                "preauthorization",
                pa.tenant,
                NOW,
                f"claim-{pa.id}",
                pa.status.value,
                None,
                (),
                rendered.request_body,
                rendered.response_body,
            )
        )
    with uow_factory() as uow:
        uow.exchanges.add_many(records)
        uow.authorizations.add_many(list(authorizations))
        uow.commit()


def topics(uow_factory: SqlUnitOfWorkFactory) -> list[tuple[str, str]]:
    with uow_factory() as uow:
        rows = uow.session.execute(select(EVENT.c.topic, EVENT.c.focus).order_by(EVENT.c.focus))
        return [(row.topic, row.focus) for row in rows]


def audit(action: str) -> AuditEntry:
    return AuditEntry(NOW, action, 200, tenant="org-111222333")


class TestStorage:
    def test_every_field_comes_back_as_it_was_written(self) -> None:
        pa = replace(
            granted("pa-1", until=TODAY + timedelta(days=29)),
            granted=(Granted(1, 2, Money(3_040_000), 1, Money(1_520_000)),),
            foreign=(2, 3), overdue_flagged=True, provisional=True, rules_version="v7",
            reservations=(Reservation("r-1", 1, 1, Money(1_520_000), NOW + timedelta(minutes=15)),),
            uses=(Use("F-1", 1, 1, Money(1_520_000)), Use("F-2", 1, 0, Money(1))),
            patient="5f0c1d2e3a4b59687786a5b4c3d2e1f0",
        )  # fmt: skip
        assert decode(encode(pa)) == pa

    def test_a_state_written_before_claims_kept_their_uses_reads_with_none(self) -> None:
        pa = granted("pa-1", until=TODAY + timedelta(days=29))
        written = orjson.loads(encode(pa))
        del written["uses"]
        assert decode(orjson.dumps(written).decode()) == pa

    def test_a_state_written_before_its_patient_s_key_was_kept_reads_with_none(self) -> None:
        pa = replace(granted("pa-1", until=TODAY + timedelta(days=29)), patient="k")
        written = orjson.loads(encode(pa))
        del written["patient"]
        assert decode(orjson.dumps(written).decode()) == replace(pa, patient="")

    def test_a_change_applies_once_from_its_version(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        store(uow_factory, pending("pa-1"))
        refused = replace(pending("pa-1"), status=PaStatus.REFUSED, reasons=("refus-non-justifie",))
        change = AuthorizationChange(refused, 1, b'{"refused":1}', audit("preauthorization.decide"))
        with uow_factory() as uow:
            assert uow.authorizations.change(change)
            assert not uow.authorizations.change(change)  # the same version again: lost
            uow.commit()
        with uow_factory() as uow:
            stored = uow.authorizations.get("pa-1")
            assert stored is not None and stored.version == 2
            assert stored.authorization.status is PaStatus.REFUSED
            record = uow.exchanges.get("org-111222333", "preauthorization", "pa-1")
            assert record is not None and (record.status, record.response_body) == (
                "refused",
                b'{"refused":1}',
            )

    def test_the_queue_is_one_payers_pending_requests_by_deadline(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        store(
            uow_factory,
            pending("late", deadline=NOW + timedelta(hours=72)),
            pending("soon", deadline=NOW + timedelta(hours=24)),
            pending("cnops", payer="CNOPS"),
            granted("done", until=TODAY + timedelta(days=29)),
        )
        with uow_factory() as uow:
            found, total = uow.authorizations.queue(QueueQuery("CNSS"))
            assert (total, [r.id for r in found]) == (2, ["soon", "late"])
            overdue, count = uow.authorizations.queue(
                QueueQuery("CNSS", overdue_at=NOW + timedelta(hours=24, seconds=1))
            )
            assert (count, [r.id for r in overdue]) == (1, ["soon"])


class TestTimers:
    def test_expiry_and_overdue_are_done_once_and_notified(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        store(
            uow_factory,
            granted("past", until=TODAY - timedelta(days=1)),
            granted("last-day", until=TODAY),
            pending("overdue", deadline=NOW - timedelta(seconds=1)),
            pending("in-time", deadline=NOW + timedelta(seconds=1)),
        )
        done = run_timers(uow_factory(), rerender, now=NOW, new_id=FakeIds(), limit=100)
        assert done == 2
        assert topics(uow_factory) == [
            (Topic.PA_OVERDUE.value, "ClaimResponse/overdue"),
            (Topic.PA_EXPIRED.value, "ClaimResponse/past"),
        ]
        with uow_factory() as uow:
            states = {
                pid: uow.authorizations.get(pid)
                for pid in ("past", "last-day", "overdue", "in-time")
            }
            assert states["past"].authorization.status is PaStatus.EXPIRED  # type: ignore[union-attr]
            assert states["last-day"].authorization.status is PaStatus.GRANTED  # type: ignore[union-attr]
            assert states["overdue"].authorization.overdue_flagged  # type: ignore[union-attr]
            assert not states["in-time"].authorization.overdue_flagged  # type: ignore[union-attr]
            answer = uow.exchanges.get("org-111222333", "preauthorization", "overdue")
            assert answer is not None
            extensions = [e["url"] for e in orjson.loads(answer.response_body).get("extension", [])]
            assert any(url.endswith("decision-overdue") for url in extensions)
        assert run_timers(uow_factory(), rerender, now=NOW, new_id=FakeIds(), limit=100) == 0
