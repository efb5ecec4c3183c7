"""Versioned reference tables: one table per kind of domain.reference_kinds, derived from it.

Every row carries the dataset version it was loaded with and its position in that dataset,
so that a dataset reads back in the order it was given. A kind's other columns are its
declared columns: str -> String (Text for prose), int -> Integer, bool -> Boolean,
date -> Date, Decimal -> its exact text (String), nullable where the field admits None.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import Field, SQLModel

from adapters.sql.tables import utc_column
from domain.reference_kinds import KINDS, RefKind
from domain.reference_kinds import Column as DeclaredColumn


class RefDatasetRow(SQLModel, table=True):
    """One loaded reference dataset; exactly one is current."""

    __tablename__ = "ref_dataset"

    version: str = Field(primary_key=True)
    loaded_at: datetime = utc_column()
    current: bool = False


class DecimalText(TypeDecorator[Decimal]):
    """A Decimal stored as its text: exact on every backend ("0.70" stays "0.70")."""

    impl = String()
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        """The decimal's text."""
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        """The decimal the text spells."""
        return None if value is None else Decimal(value)


# A declared column's type -> its SQL type; prose is Text whatever its length.
_SQL_TYPES: dict[type[Any], TypeEngine[Any]] = {
    str: String(),
    int: Integer(),
    bool: Boolean(),
    date: Date(),
    Decimal: DecimalText(),
}


def _sql_type(column: DeclaredColumn) -> TypeEngine[Any]:
    return Text() if column.prose else _SQL_TYPES[column.type]


def versioned_table(name: str, *columns: Column[Any], metadata: MetaData | None = None) -> Table:
    """A table of rows numbered within their dataset, dropped with it."""
    return Table(
        name,
        SQLModel.metadata if metadata is None else metadata,
        Column("dataset_version", String(), nullable=False),
        Column("position", Integer(), nullable=False, autoincrement=False),
        *columns,
        PrimaryKeyConstraint("dataset_version", "position", name=f"pk_{name}"),
        ForeignKeyConstraint(
            ["dataset_version"],
            ["ref_dataset.version"],
            name=f"fk_{name}_dataset",
            ondelete="CASCADE",
        ),
    )


def kind_table(kind: RefKind, metadata: MetaData | None = None) -> Table:
    """The table of one kind of reference row, from its declaration (in the app's metadata)."""
    columns = (Column(c.name, _sql_type(c), nullable=c.nullable) for c in kind.columns)
    return versioned_table(kind.table, *columns, metadata=metadata)


# Kind name -> its table.
REF_TABLES: dict[str, Table] = {kind.name: kind_table(kind) for kind in KINDS}
# ReferenceData.categories: the care category codes in display order (no period, no source).
CATEGORY = versioned_table("ref_category", Column("code", String(), nullable=False))
DATASET = RefDatasetRow.__table__
