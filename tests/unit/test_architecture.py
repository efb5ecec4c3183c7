"""The dependency rule, checked on the source: domain/ imports the standard library only,
and its modules form no import cycle."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]


def cyclic_imports(graph: grimp.ImportGraph) -> list[tuple[str, str]]:
    """Every direct import (importer, imported) that closes a cycle: imported leads back."""
    return sorted(
        (importer, imported)
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if graph.chain_exists(importer=imported, imported=importer)
    )


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


class TestNoImportCycle:
    def test_domain_modules_import_each_other_without_cycle(self) -> None:
        # Every import counts, those under TYPE_CHECKING and inside functions included.
        assert cyclic_imports(grimp.build_graph("domain", cache_dir=None)) == []

    def test_the_check_sees_a_cycle_through_a_third_module(self) -> None:
        graph = grimp.ImportGraph()
        for importer, imported in (("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")):
            graph.add_import(importer=importer, imported=imported)
        assert cyclic_imports(graph) == [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a")]
