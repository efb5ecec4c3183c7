"""Versioned reference tables: one table per kind of domain.reference row.

Every row carries the dataset version it was loaded with and its position in that dataset,
so that a dataset reads back in the order it was given.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from adapters.sql.tables import utc_column


class RefDatasetRow(SQLModel, table=True):
    """One loaded reference dataset; exactly one is current."""

    __tablename__ = "ref_dataset"

    version: str = Field(primary_key=True)
    loaded_at: datetime = utc_column()
    current: bool = False


class RefRow(SQLModel):
    """Columns every reference row has: dataset, position, validity and provenance."""

    dataset_version: str = Field(
        primary_key=True, foreign_key="ref_dataset.version", ondelete="CASCADE"
    )
    position: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})


class DatedRefRow(RefRow):
    """A reference row with an effective period and a source."""

    valid_from: date
    valid_to: date | None = None
    source: str = Field(sa_type=Text)
    confidence: str


class RefSchemeRow(DatedRefRow, table=True):
    """domain.reference.Scheme."""

    __tablename__ = "ref_scheme"

    code: str
    label: str


class RefPayerRow(DatedRefRow, table=True):
    """domain.reference.Payer."""

    __tablename__ = "ref_payer"

    code: str
    label: str


class RefPayerRouteRow(DatedRefRow, table=True):
    """domain.reference.PayerRoute."""

    __tablename__ = "ref_payer_route"

    scheme: str
    payer: str


class RefRateRow(DatedRefRow, table=True):
    """domain.reference.RateRule; the rate is Decimal text, exact ("0.70" stays "0.70")."""

    __tablename__ = "ref_rate"

    scheme: str
    category: str
    situation: str
    rate: str
    base: str


class RefAldRow(DatedRefRow, table=True):
    """domain.reference.AldCondition."""

    __tablename__ = "ref_ald"

    code: str
    label: str
    kind: str


class RefDependantRuleRow(DatedRefRow, table=True):
    """domain.reference.DependantRule."""

    __tablename__ = "ref_dependant_rule"

    scheme: str
    role: str
    max_age: int | None = None
    student_max_age: int | None = None
    disabled_unlimited: bool


class RefEligibilityParamRow(DatedRefRow, table=True):
    """domain.reference.EligibilityParam."""

    __tablename__ = "ref_eligibility_param"

    scheme: str
    name: str
    value: int


class RefPriorAuthRow(DatedRefRow, table=True):
    """domain.reference.PriorAuthRule."""

    __tablename__ = "ref_prior_auth"

    scheme: str
    category: str
    code: str
    reason: str = Field(sa_type=Text)


class RefIdentifierFormatRow(DatedRefRow, table=True):
    """domain.reference.IdentifierFormat."""

    __tablename__ = "ref_identifier_format"

    kind: str
    pattern: str = Field(sa_type=Text)
    label: str
    hint: str


class RefCareCategoryRow(DatedRefRow, table=True):
    """domain.reference.CareCategory."""

    __tablename__ = "ref_care_category"

    code: str
    label: str


class RefCategoryRow(RefRow, table=True):
    """A care category code of ReferenceData.categories, in display order."""

    __tablename__ = "ref_category"

    code: str
