"""The versioned reference tables."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from adapters.sql import SqlUnitOfWorkFactory
from domain.reference import ReferenceData
from domain.reference_rows import (
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
    Scheme,
    Validity,
)

OPEN = Validity(date(2024, 1, 1))
CLOSED = Validity(date(2020, 1, 1), date(2023, 12, 31))
LAW = Provenance("loi 65-00 art. 7", "C")


def dataset(version: str = "2026.1") -> ReferenceData:
    """A small dataset with every kind of row, in a deliberate order."""
    return ReferenceData(
        version=version,
        schemes=(
            Scheme("cnss-salaries", "Salariés", OPEN, LAW),
            Scheme("cnops", "CNOPS", OPEN, LAW),
        ),
        payers=(Payer("CNSS", "Caisse nationale", OPEN, LAW),),
        routes=(
            PayerRoute("cnops", "CNOPS", CLOSED, LAW),
            PayerRoute("cnops", "CNSS", OPEN, Provenance("loi 54-23", "P")),
        ),
        rates=(
            RateRule("cnss-salaries", "pharmacy", "standard", Decimal("0.70"), "PPV", OPEN, LAW),
            RateRule("cnss-salaries", "pharmacy", "ald", Decimal("1.00"), "PPV", OPEN, LAW),
            RateRule("cnops", "gp", "standard", Decimal("0.8333"), "TNR", OPEN, LAW),
        ),
        ald=(AldCondition("diabete-1", "Diabète type 1", "ALD", OPEN, LAW),),
        dependants=(
            DependantRule("*", "child", 21, 26, True, OPEN, LAW),
            DependantRule("*", "spouse", None, None, False, OPEN, LAW),
        ),
        params=(EligibilityParam("cnss-salaries", "min_working_days", 54, OPEN, LAW),),
        prior_auth=(PriorAuthRule("*", "hospital", "*", "hospitalisation", OPEN, LAW),),
        identifier_formats=(
            IdentifierFormat("idcs", r"^\d{10}$", OPEN, LAW, "IDCS", "10 chiffres"),
            IdentifierFormat("cin", r"^[A-Z]{1,2}\d{1,6}$", OPEN, LAW),
        ),
        categories=("pharmacy", "gp", "hospital"),
        care_categories=(
            CareCategory("pharmacy", "Pharmacie", OPEN, LAW),
            CareCategory("gp", "Médecine générale", CLOSED, LAW),
        ),
    )


class TestSqlReferenceRepository:
    def test_nothing_loaded_is_none(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            assert uow.reference.current() is None

    def test_stored_dataset_reads_back_equal(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            assert uow.reference.store(dataset()) is True
            uow.commit()
        with uow_factory() as uow:
            current = uow.reference.current()
        assert current == dataset()
        assert current is not None and str(current.rates[0].rate) == "0.70"

    def test_storing_the_current_version_again_is_a_no_op(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            uow.reference.store(dataset())
            assert uow.reference.store(replace(dataset(), categories=())) is False
            assert uow.reference.current() == dataset()

    def test_new_version_becomes_current(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        newer = replace(dataset("2026.2"), params=())
        with uow_factory() as uow:
            uow.reference.store(dataset())
            assert uow.reference.store(newer) is True
            assert uow.reference.current() == newer

    def test_former_version_can_be_made_current_again(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            uow.reference.store(dataset("2026.1"))
            uow.reference.store(dataset("2026.2"))
            assert uow.reference.store(dataset("2026.1")) is True
            assert uow.reference.current() == dataset("2026.1")
