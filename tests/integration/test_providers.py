"""Registered providers: the scopes their clients may be granted."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.sql import SqlUnitOfWorkFactory
from tests.integration.builders import provider


class TestProviderScopes:
    def test_registered_scopes_are_read_back(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        registered = replace(
            provider(), scopes=("system/*.rs", "system/CoverageEligibilityRequest.c")
        )
        with uow_factory() as uow:
            uow.providers.add(registered)
            uow.commit()
        with uow_factory() as uow:
            assert uow.providers.by_client_id(registered.client_id) == registered

    def test_no_scopes_is_the_default_policy(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            uow.providers.add(provider())
            uow.commit()
        with uow_factory() as uow:
            assert uow.providers.by_inpe(provider().inpe).scopes == ()  # type: ignore[union-attr]

    def test_a_scope_with_a_space_is_refused(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        with uow_factory() as uow, pytest.raises(ValueError):
            uow.providers.add(replace(provider(), scopes=("system/*.rs system/*.c",)))
