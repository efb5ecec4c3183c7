"""The real reference data, loaded once for every domain test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.reference import ReferenceData

# `make mutate` runs the same tests several times in one process (mutmut): hypothesis would
# take that for a flaky executor.
settings.register_profile(
    "mutation", suppress_health_check=[HealthCheck.differing_executors], database=None
)


@pytest.fixture(scope="session")
def ref() -> ReferenceData:
    """The dataset of the repository's refdata/ files."""
    return load_reference_files(DEFAULT_REFDATA_DIR)


@pytest.fixture
def refdir(tmp_path: Path) -> Path:
    """A writable copy of the refdata directory."""
    return Path(shutil.copytree(DEFAULT_REFDATA_DIR, tmp_path / "refdata"))
