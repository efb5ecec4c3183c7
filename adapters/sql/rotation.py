"""Key rotation: re-encrypt personal data still under an older key with the current one.

Tokens name their key, so rows written before a rotation stay readable as long as the old
key is in the keyring; this rewrites them, so that the old key can then be withdrawn.
Batches commit one at a time: the work can be interrupted and resumed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select, update

from adapters.crypto import FieldCipher
from adapters.sql.accounts import USER, totp_aad
from adapters.sql.exchanges import EXCHANGE, exchange_aad
from adapters.sql.members import MEMBER
from adapters.sql.messages import MESSAGE, message_aad
from adapters.sql.subscriptions import ENDPOINT, secret_aad

EXCHANGE_COLUMNS = ("request", "response", "patient")
# A message's body holds its documents (up to ~14 MB with its attachments): a few at a time
# keep a batch's memory bounded whatever the batch size asked for the other tables.
MESSAGE_BATCH = 8


@dataclass(frozen=True, slots=True)
class RotationReport:
    """How many rows were re-encrypted."""

    members: int
    exchanges: int
    webhook_secrets: int = 0
    messages: int = 0
    totp_secrets: int = 0  # staff accounts' second factors


def rotate_keys(engine: Engine, cipher: FieldCipher, *, batch: int = 500) -> RotationReport:
    """Re-encrypt every member, exchange, webhook secret, message and staff TOTP secret not
    yet under the current key."""
    return RotationReport(
        _members(engine, cipher, batch),
        _exchanges(engine, cipher, batch),
        _webhook_secrets(engine, cipher),
        _messages(engine, cipher, min(batch, MESSAGE_BATCH)),
        _totp_secrets(engine, cipher, batch),
    )


def _members(engine: Engine, cipher: FieldCipher, batch: int) -> int:
    done, after = 0, ""
    while True:
        with engine.begin() as connection:
            rows = connection.execute(
                select(MEMBER.c.member_id, MEMBER.c.names_enc)
                .where(MEMBER.c.member_id > after)
                .order_by(MEMBER.c.member_id)
                .limit(batch)
            ).all()
            for member_id, token in rows:
                if cipher.needs_rotation(bytes(token)):
                    aad = member_id.encode()
                    fresh = cipher.encrypt(cipher.decrypt(bytes(token), aad=aad), aad=aad)
                    connection.execute(
                        update(MEMBER)
                        .where(MEMBER.c.member_id == member_id)
                        .values(names_enc=fresh)
                    )
                    done += 1
        if len(rows) < batch:
            return done
        after = rows[-1][0]


def _exchanges(engine: Engine, cipher: FieldCipher, batch: int) -> int:
    done = 0
    columns = [EXCHANGE.c[f"{name}_enc"] for name in EXCHANGE_COLUMNS]
    while True:
        with engine.begin() as connection:
            rows = connection.execute(
                select(EXCHANGE.c.id, *columns)
                .where(EXCHANGE.c.key_id != cipher.current_key_id)
                .limit(batch)
            ).all()
            for row in rows:
                values = {
                    f"{name}_enc": _reseal(cipher, row[i + 1], exchange_aad(row[0], name))
                    for i, name in enumerate(EXCHANGE_COLUMNS)
                }
                connection.execute(
                    update(EXCHANGE)
                    .where(EXCHANGE.c.id == row[0])
                    .values(key_id=cipher.current_key_id, **values)
                )
            done += len(rows)
        if len(rows) < batch:
            return done


def _webhook_secrets(engine: Engine, cipher: FieldCipher) -> int:
    """The endpoints' signing secrets: a few rows per provider, in one transaction."""
    with engine.begin() as connection:
        rows = connection.execute(
            select(ENDPOINT.c.id, ENDPOINT.c.secret_enc).where(
                ENDPOINT.c.key_id != cipher.current_key_id
            )
        ).all()
        for endpoint_id, token in rows:
            connection.execute(
                update(ENDPOINT)
                .where(ENDPOINT.c.id == endpoint_id)
                .values(
                    key_id=cipher.current_key_id,
                    secret_enc=_reseal(cipher, token, secret_aad(endpoint_id)),
                )
            )
    return len(rows)


def _messages(engine: Engine, cipher: FieldCipher, batch: int) -> int:
    done = 0
    while True:
        with engine.begin() as connection:
            rows = connection.execute(
                select(MESSAGE.c.id, MESSAGE.c.body_enc)
                .where(MESSAGE.c.key_id != cipher.current_key_id)
                .limit(batch)
            ).all()
            for message_id, token in rows:
                connection.execute(
                    update(MESSAGE)
                    .where(MESSAGE.c.id == message_id)
                    .values(
                        key_id=cipher.current_key_id,
                        body_enc=_reseal(cipher, token, message_aad(message_id)),
                    )
                )
            done += len(rows)
        if len(rows) < batch:
            return done


def _totp_secrets(engine: Engine, cipher: FieldCipher, batch: int) -> int:
    """The staff accounts' second factors, a batch per transaction: a row rewritten carries
    the current key id, so a run stopped halfway resumes with the rest."""
    done = 0
    while True:
        with engine.begin() as connection:
            rows = connection.execute(
                select(USER.c.id, USER.c.totp_enc)
                .where(USER.c.totp_enc.is_not(None), USER.c.key_id != cipher.current_key_id)
                .limit(batch)
            ).all()
            for user_id, token in rows:
                connection.execute(
                    update(USER)
                    .where(USER.c.id == user_id)
                    .values(
                        key_id=cipher.current_key_id,
                        totp_enc=_reseal(cipher, token, totp_aad(user_id)),
                    )
                )
            done += len(rows)
        if len(rows) < batch:
            return done


def _reseal(cipher: FieldCipher, token: bytes | None, aad: bytes) -> bytes | None:
    if token is None:
        return None
    return cipher.encrypt(cipher.decrypt(bytes(token), aad=aad), aad=aad)
