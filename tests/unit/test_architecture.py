"""The dependency rule, checked on the source: domain/ imports the standard library only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_roots(path: Path) -> set[str]:
    """Top-level names of the modules a file imports (relative imports excluded)."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


class TestDependencyRule:
    def test_domain_imports_only_the_standard_library(self) -> None:
        allowed = set(sys.stdlib_module_names) | {"domain", "__future__"}
        offenders = {
            str(path.relative_to(ROOT)): sorted(imported_roots(path) - allowed)
            for path in (ROOT / "domain").rglob("*.py")
            if imported_roots(path) - allowed
        }
        assert offenders == {}

    def test_the_check_sees_a_third_party_import(self, tmp_path: Path) -> None:
        sample = tmp_path / "sample.py"
        sample.write_text("import os\nfrom fastapi import FastAPI\nfrom . import sibling\n")
        assert imported_roots(sample) == {"os", "fastapi"}

    def test_fhir_profiles_and_adapters_never_import_the_gateway(self) -> None:
        for package, banned in (
            ("fhir_profiles", {"gateway", "adapters"}),
            ("adapters", {"gateway", "fhir_profiles"}),
        ):
            for path in (ROOT / package).rglob("*.py"):
                assert not imported_roots(path) & banned, path
