"""The real reference data, loaded once for the registry tests."""

from __future__ import annotations

import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.reference import ReferenceData


@pytest.fixture(scope="session")
def ref() -> ReferenceData:
    """The dataset of the repository's refdata/ files."""
    return load_reference_files(DEFAULT_REFDATA_DIR)
