"""Every refusal the domain can raise has its stable code in the reason CodeSystem, worded in
French (and, by the terminology tests, in Arabic and English): no code reaches a person
without words."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import domain
from domain.errors import DomainError
from domain.reasons import ALL_REASONS


def every_error() -> Iterator[type[DomainError]]:
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(module.name)
    waiting = [DomainError]
    while waiting:
        for sub in waiting.pop().__subclasses__():
            if sub.__module__.startswith("domain."):  # not a test's own
                yield sub
            waiting.append(sub)


def test_every_domain_error_code_is_a_worded_reason() -> None:
    errors = list(every_error())
    # the whole domain was read, its newest corners too
    assert {e.__name__ for e in errors} >= {"AlreadyPaid", "InvalidRib", "InvalidCredentials"}
    assert sorted({e.code for e in errors} - ALL_REASONS.keys()) == []
