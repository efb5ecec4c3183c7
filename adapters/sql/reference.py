"""The versioned reference tables: a dataset is stored whole and read back whole."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from adapters.sql.reftables import CATEGORY, DATASET, REF_TABLES
from domain.reference import ReferenceData
from domain.reference_kinds import KINDS, RefKind


class SqlReferenceRepository:
    """domain.uow_ports.ReferenceRepository over ref_dataset and the ref_* tables."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def current(self) -> ReferenceData | None:
        """The dataset in force, rebuilt in the order it was stored; None if none was loaded."""
        version = self._current_version()
        if version is None:
            return None
        kinds = {kind.name: self._rows(version, kind) for kind in KINDS}
        query = select(CATEGORY.c.code).where(CATEGORY.c.dataset_version == version)
        categories = self._session.execute(query.order_by(CATEGORY.c.position)).scalars()
        return ReferenceData(version=version, categories=tuple(categories), **kinds)

    def store(self, data: ReferenceData) -> bool:
        """Store a dataset under its version and make it current; False if already current."""
        if self._current_version() == data.version:
            return False
        # Reloading a former version replaces its rows (ON DELETE CASCADE).
        self._session.execute(delete(DATASET).where(DATASET.c.version == data.version))
        self._session.execute(update(DATASET).where(DATASET.c.current).values(current=False))
        dataset = {"version": data.version, "loaded_at": datetime.now(UTC), "current": True}
        self._session.execute(insert(DATASET), [dataset])
        for kind in KINDS:
            rows = [kind.flatten(row) for row in getattr(data, kind.name)]
            self._insert(REF_TABLES[kind.name], rows, data.version)
        self._insert(CATEGORY, [{"code": code} for code in data.categories], data.version)
        return True

    def _current_version(self) -> str | None:
        query = select(DATASET.c.version).where(DATASET.c.current)
        return self._session.execute(query).scalar_one_or_none()

    def _insert(self, table: Table, rows: list[dict[str, Any]], version: str) -> None:
        if rows:
            for position, row in enumerate(rows):
                row.update(dataset_version=version, position=position)
            self._session.execute(insert(table), rows)

    def _rows(self, version: str, kind: RefKind) -> tuple[Any, ...]:
        table = REF_TABLES[kind.name]
        query = select(table).where(table.c.dataset_version == version).order_by(table.c.position)
        return tuple(kind.build(row._mapping) for row in self._session.execute(query))
