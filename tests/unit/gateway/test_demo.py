"""What `make demo` prints: one patient to try per situation of the population."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from adapters.population import EDGE_CASES, personas
from gateway.commands.demo import where_to_go
from gateway.settings import Settings


class TestWhereToGo:
    def test_one_patient_per_situation_is_printed(self, tmp_path: Path) -> None:
        people = personas(seed=2026, people=10_000, today=date(2026, 11, 30))
        text = where_to_go(Settings(state_dir=tmp_path), people)
        for case in EDGE_CASES:
            kind, value = people[case]
            assert f"{case:<22} {kind:<6} {value}" in text, case
