"""A prise en charge's timers, run by the worker: a grant past its last valid day expires, a
request past the payer's deadline is flagged overdue; the provider is told of each."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain import prior_auth as pa_states
from domain.authorization_ports import AnswerRenderer
from domain.notifications import Topic
from domain.ports import IdGenerator
from domain.prior_auth import PriorAuthorization
from domain.records import AuditEntry, AuthorizationChange, StoredAuthorization
from domain.services.prior_auth import PRIOR_AUTH, note
from domain.uow_ports import UnitOfWork


def run_timers(
    uow: UnitOfWork, render: AnswerRenderer, *, now: datetime, new_id: IdGenerator, limit: int
) -> int:
    """Expire the grants past their last valid day, and flag the requests past the payer's
    deadline, telling the provider of each; one transaction, `limit` of each at most. A
    prise en charge changed meanwhile by someone else is left for the next run."""
    done = 0
    with uow:
        for stored in uow.authorizations.expiring(now.date(), limit):
            expired = pa_states.expire(stored.authorization, now.date())
            done += _timed(uow, stored, expired, render, now, new_id, Topic.PA_EXPIRED)
        for stored in uow.authorizations.overdue(now, limit):
            flagged = replace(stored.authorization, overdue_flagged=True)
            done += _timed(uow, stored, flagged, render, now, new_id, Topic.PA_OVERDUE)
        uow.commit()
    return done


def _timed(
    uow: UnitOfWork,
    stored: StoredAuthorization,
    changed: PriorAuthorization,
    render: AnswerRenderer,
    now: datetime,
    new_id: IdGenerator,
    topic: Topic,
) -> int:
    entry = AuditEntry(
        at=now,
        action=PRIOR_AUTH.action(topic.value.removeprefix("prior-authorization-")),
        outcome=200,
        tenant=changed.tenant,
        resource=f"ClaimResponse/{changed.id}",
    )
    body = render(stored.request_body, changed, now)
    told = note(new_id, changed, topic, now)
    change = AuthorizationChange(changed, stored.version, body, entry, (told,))
    return 1 if uow.authorizations.change(change) else 0
