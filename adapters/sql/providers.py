"""Registered providers and their OAuth clients."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.orm import Session

from adapters.sql.tables import ProviderRow
from domain.records import Convention, Provider

PROVIDER = ProviderRow.__table__
_COLUMNS = (
    PROVIDER.c.id,
    PROVIDER.c.inpe,
    PROVIDER.c.name,
    PROVIDER.c.category,
    PROVIDER.c.payers,
    PROVIDER.c.client_id,
    PROVIDER.c.jwks,
    PROVIDER.c.active,
    PROVIDER.c.scopes,
    PROVIDER.c.convention,
)


class SqlProviderRepository:
    """domain.uow_ports.ProviderRepository over the provider table."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, provider: Provider) -> None:
        """Register a provider; a taken INPE or client id raises IntegrityError."""
        if any("," in payer for payer in provider.payers):
            raise ValueError("a payer code cannot contain a comma")
        if any(not scope or scope != "".join(scope.split()) for scope in provider.scopes):
            raise ValueError("a scope is one word")
        row = {
            "id": provider.id,
            "inpe": provider.inpe,
            "name": provider.name,
            "category": provider.category,
            "payers": ",".join(provider.payers),
            "client_id": provider.client_id,
            "jwks": provider.jwks,
            "active": provider.active,
            "convention": provider.convention.value,
            "created_at": datetime.now(UTC),
            "scopes": " ".join(provider.scopes),
        }
        self._session.execute(insert(PROVIDER), [row])

    def by_client_id(self, client_id: str) -> Provider | None:
        """The provider owning that OAuth client."""
        return self._one(PROVIDER.c.client_id == client_id)

    def by_inpe(self, inpe: str) -> Provider | None:
        """The provider with that INPE."""
        return self._one(PROVIDER.c.inpe == inpe)

    def all(self) -> list[Provider]:
        """Every registered provider, by id."""
        rows = self._session.execute(select(*_COLUMNS).order_by(PROVIDER.c.id))
        return [_provider(row) for row in rows]

    def set_convention(self, inpe: str, convention: Convention) -> bool:
        """Change where a provider stands in its convention; False if no such INPE."""
        change = update(PROVIDER).where(PROVIDER.c.inpe == inpe).values(convention=convention.value)
        return bool(self._session.execute(change).rowcount)

    def _one(self, condition: Any) -> Provider | None:
        row = self._session.execute(select(*_COLUMNS).where(condition)).first()
        return None if row is None else _provider(row)


def _provider(row: Row[Any]) -> Provider:
    return Provider(
        id=row.id,
        inpe=row.inpe,
        name=row.name,
        category=row.category,
        payers=tuple(filter(None, row.payers.split(","))),
        client_id=row.client_id,
        jwks=row.jwks,
        active=row.active,
        scopes=tuple(row.scopes.split()),
        convention=Convention(row.convention),
    )
