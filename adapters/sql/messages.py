"""Requests for information and their answers in SQL, their bodies encrypted at rest.

A body may carry documents about the patient (reports, results): it is compressed, then
encrypted under the current key, bound to its row and column, so that a body copied into
another row does not decrypt. A request's answer is found by a join, never stored twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from adapters.crypto import FieldCipher
from adapters.sql.exchanges import pack_body, unpack_body
from adapters.sql.tables import MessageRow
from domain.records import Message, MessageKind

MESSAGE = MessageRow.__table__
_ANSWER = MESSAGE.alias("answer")
_SELECT = select(
    MESSAGE.c.id,
    MESSAGE.c.authorization_id,
    MESSAGE.c.kind,
    MESSAGE.c.tenant,
    MESSAGE.c.payer,
    MESSAGE.c.at,
    MESSAGE.c.reason,
    MESSAGE.c.based_on,
    MESSAGE.c.body_enc,
    _ANSWER.c.id.label("answered_by"),
).select_from(MESSAGE.outerjoin(_ANSWER, _ANSWER.c.based_on == MESSAGE.c.id))


class SqlMessageRepository:
    """A prise en charge's messages, written only with the change they make (by
    SqlAuthorizationRepository.change) and read by id or by prise en charge."""

    def __init__(self, session: Session, *, cipher: FieldCipher) -> None:
        self._session = session
        self._cipher = cipher

    def add(self, message: Message) -> None:
        """Store a message, its body encrypted under the current key."""
        sealed = self._cipher.encrypt(pack_body(message.body), aad=message_aad(message.id))
        self._session.execute(
            MESSAGE.insert().values(
                id=message.id,
                authorization_id=message.authorization_id,
                kind=message.kind.value,
                tenant=message.tenant,
                payer=message.payer,
                at=message.at,
                reason=message.reason,
                based_on=message.based_on,
                key_id=self._cipher.current_key_id,
                body_enc=sealed,
            )
        )

    def get(self, message_id: str) -> Message | None:
        """A message by id, a request with its answer's id once answered."""
        row = self._session.execute(_SELECT.where(MESSAGE.c.id == message_id)).first()
        return None if row is None else self._message(row)

    def of_authorization(
        self, authorization_id: str, kind: MessageKind | None = None
    ) -> list[Message]:
        """A prise en charge's messages (of one kind), oldest first."""
        query = _SELECT.where(MESSAGE.c.authorization_id == authorization_id)
        if kind is not None:
            query = query.where(MESSAGE.c.kind == kind.value)
        rows = self._session.execute(query.order_by(MESSAGE.c.at, MESSAGE.c.id))
        return [self._message(row) for row in rows]

    def _message(self, row: Row[Any]) -> Message:
        body = self._cipher.decrypt(bytes(row.body_enc), aad=message_aad(row.id))
        return Message(
            id=row.id,
            authorization_id=row.authorization_id,
            kind=MessageKind(row.kind),
            tenant=row.tenant,
            payer=row.payer,
            at=row.at,
            body=unpack_body(body),
            reason=row.reason,
            based_on=row.based_on,
            answered_by=row.answered_by,
        )


def message_aad(message_id: str, column: str = "body") -> bytes:
    """The associated data binding a token to its message row and column."""
    return f"message/{message_id}/{column}".encode()
