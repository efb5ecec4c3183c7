"""The outbox: notifications written in the transaction of the change that caused them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.orm import Session

from adapters.sql.tables import OutboxEventRow
from domain.records import Notification

EVENT = OutboxEventRow.__table__


class SqlOutbox:
    """domain.uow_ports.Outbox over the outbox_event table; it never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add_many(self, notifications: Sequence[Notification]) -> None:
        """Queue notifications in the caller's transaction."""
        rows = [
            {"id": n.id, "tenant": n.tenant, "topic": n.topic, "focus": n.focus, "at": n.at}
            for n in notifications
        ]
        if rows:
            self._session.execute(insert(EVENT), rows)
