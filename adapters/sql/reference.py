"""The versioned reference tables: a dataset is stored whole and read back whole."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from adapters.sql.reftables import (
    RefAldRow,
    RefCareCategoryRow,
    RefCategoryRow,
    RefDatasetRow,
    RefDependantRuleRow,
    RefEligibilityParamRow,
    RefIdentifierFormatRow,
    RefPayerRouteRow,
    RefPayerRow,
    RefPriorAuthRow,
    RefRateRow,
    RefSchemeRow,
)
from domain.reference import (
    AldCondition,
    CareCategory,
    DependantRule,
    EligibilityParam,
    IdentifierFormat,
    Payer,
    PayerRoute,
    PriorAuthRule,
    Provenance,
    RateRule,
    ReferenceData,
    Scheme,
    Validity,
)

DATASET = RefDatasetRow.__table__
CATEGORY = RefCategoryRow.__table__
# ReferenceData attribute -> row class -> table; every dated row has validity and provenance.
KINDS: tuple[tuple[str, type[Any], Table], ...] = (
    ("schemes", Scheme, RefSchemeRow.__table__),
    ("payers", Payer, RefPayerRow.__table__),
    ("routes", PayerRoute, RefPayerRouteRow.__table__),
    ("rates", RateRule, RefRateRow.__table__),
    ("ald", AldCondition, RefAldRow.__table__),
    ("dependants", DependantRule, RefDependantRuleRow.__table__),
    ("params", EligibilityParam, RefEligibilityParamRow.__table__),
    ("prior_auth", PriorAuthRule, RefPriorAuthRow.__table__),
    ("identifier_formats", IdentifierFormat, RefIdentifierFormatRow.__table__),
    ("care_categories", CareCategory, RefCareCategoryRow.__table__),
)
_DATING = ("validity", "provenance")


class SqlReferenceRepository:
    """domain.ports.ReferenceRepository over ref_dataset and the ref_* tables."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def current(self) -> ReferenceData | None:
        """The dataset in force, rebuilt in the order it was stored; None if none was loaded."""
        version = self._current_version()
        if version is None:
            return None
        kinds = {name: self._rows(version, cls, table) for name, cls, table in KINDS}
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
        for name, _cls, table in KINDS:
            self._insert(table, [_encode(row) for row in getattr(data, name)], data.version)
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

    def _rows(self, version: str, cls: type[Any], table: Table) -> tuple[Any, ...]:
        query = select(table).where(table.c.dataset_version == version).order_by(table.c.position)
        return tuple(_decode(cls, row._mapping) for row in self._session.execute(query))


def _encode(item: Any) -> dict[str, Any]:
    row = {
        f.name: str(value) if isinstance(value := getattr(item, f.name), Decimal) else value
        for f in fields(item)
        if f.name not in _DATING
    }
    row.update(
        valid_from=item.validity.valid_from,
        valid_to=item.validity.valid_to,
        source=item.provenance.source,
        confidence=item.provenance.confidence,
    )
    return row


def _decode(cls: type[Any], row: Any) -> Any:
    values = {
        f.name: Decimal(row[f.name]) if f.type == "Decimal" else row[f.name]
        for f in fields(cls)
        if f.name not in _DATING
    }
    validity = Validity(row["valid_from"], row["valid_to"])
    return cls(**values, validity=validity, provenance=Provenance(row["source"], row["confidence"]))
