"""The reference tables derived from the kinds' declarations, against the migrated schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from alembic.autogenerate import compare_metadata, produce_migrations, render_python_code
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, MetaData

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from adapters.sql import SqlUnitOfWorkFactory
from adapters.sql.reftables import CATEGORY, DATASET, REF_TABLES, kind_table
from adapters.sql.tables import render_type
from domain.reference_kinds import KINDS, RATES, RefKind
from domain.reference_rows import Prose, Provenance, Validity


@dataclass(frozen=True, slots=True)
class Tariff:
    """A kind the migrations do not have yet."""

    code: str
    price: int
    note: Annotated[str, Prose()]
    validity: Validity
    provenance: Provenance
    ceiling: int | None = None


TARIFFS = RefKind("samples", "samples.csv", "ref_sample", Tariff, key=("code",))


def only(metadata: MetaData) -> dict[str, Any]:
    """Migration context options that look at the tables of `metadata` alone."""
    names = set(metadata.tables)

    def include(name: str | None, type_: str, _parent: Any) -> bool:
        return type_ != "table" or name in names

    return {"compare_type": True, "include_name": include}


def differences(connection: Connection, metadata: MetaData) -> list[Any]:
    """What Alembic would change to bring the database to `metadata`."""
    return compare_metadata(MigrationContext.configure(connection, opts=only(metadata)), metadata)


def reference_metadata(*extra: RefKind) -> MetaData:
    """The reference tables alone (and those of extra kinds), in a metadata of their own."""
    metadata = MetaData()
    for table in (DATASET, CATEGORY, *REF_TABLES.values()):
        table.to_metadata(metadata)
    for kind in extra:
        kind_table(kind, metadata)
    return metadata


class TestDerivedTables:
    def test_every_kind_has_a_table(self) -> None:
        assert {table.name for table in REF_TABLES.values()} == {kind.table for kind in KINDS}

    def test_the_derived_tables_match_the_migrations(self, engine: Engine) -> None:
        with engine.connect() as connection:
            assert differences(connection, reference_metadata()) == []

    def test_the_migration_of_a_new_kind_derives_from_its_declaration(self, engine: Engine) -> None:
        metadata = reference_metadata(TARIFFS)
        with engine.connect() as connection:
            found = differences(connection, metadata)
            context = MigrationContext.configure(connection, opts=only(metadata))
            upgrade = produce_migrations(context, metadata).upgrade_ops
        script = render_python_code(upgrade, render_item=render_type)
        assert [(diff[0], diff[1].name) for diff in found] == [("add_table", "ref_sample")]
        assert script.count("op.create_table(") == 1
        assert "sa.Column('note', sa.Text(), nullable=False)" in script
        assert "sa.Column('ceiling', sa.Integer(), nullable=True)" in script
        assert "name='fk_ref_sample_dataset', ondelete='CASCADE'" in script

    def test_a_migration_writes_our_types_as_plain_sql(self, engine: Engine) -> None:
        metadata = MetaData()
        REF_TABLES[RATES.name].to_metadata(metadata)
        DATASET.to_metadata(metadata)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_name": lambda *_: False}
            )
            upgrade = produce_migrations(context, metadata).upgrade_ops
        script = render_python_code(upgrade, render_item=render_type)
        assert "sa.Column('rate', sa.String(), nullable=False)" in script
        assert "sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False)" in script
        assert "adapters" not in script and "sqlmodel" not in script


class TestRoundTrip:
    def test_the_files_read_back_equal_from_sql(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        from_files = load_reference_files(DEFAULT_REFDATA_DIR)
        with uow_factory() as uow:
            uow.reference.store(from_files)
            uow.commit()
        with uow_factory() as uow:
            assert uow.reference.current() == from_files
