"""Reference data from the CSV files of `refdata/` (one file per table, UTF-8, header row).

A bad cell stops the load with its file, line and column named; nothing half-loaded is
returned. The dataset version is a digest of the files' bytes, so the same files always give
the same version and any edit gives a new one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from domain.errors import ReferenceDataError
from domain.reference import (
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
    ReferenceData,
    Scheme,
    Validity,
)

T = TypeVar("T")

DEFAULT_REFDATA_DIR = Path(__file__).parent.parent / "refdata"

CONFIDENCE = frozenset({"C", "P", "U"})
SITUATIONS = frozenset({"standard", "public-hospital", "generic", "costly", "ald"})
BASES = frozenset({"TNR", "PPV", "PBR", "FLAT"})
ALD_KINDS = frozenset({"ALD", "ALC"})
ROLES = frozenset({"spouse", "child"})
_BOOLEANS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}


@dataclass(frozen=True, slots=True)
class Cell:
    """Where a value was read, so that an error can point at it."""

    file: str
    line: int
    column: str

    def fail(self, problem: str) -> ReferenceDataError:
        """The error naming this cell."""
        where = f"{self.file}, ligne {self.line}, colonne {self.column}"
        return ReferenceDataError(f"{where} : {problem}")


class Row:
    """One CSV row with typed accessors that name the cell on bad data."""

    def __init__(self, file: str, line: int, values: dict[str, str]) -> None:
        self.file, self.line, self._values = file, line, values

    def text(self, column: str) -> str:
        """A required, non-empty text cell."""
        value = self._values.get(column) or ""
        if not value.strip():
            raise self.cell(column).fail("valeur obligatoire absente")
        return value.strip()

    def optional(self, column: str) -> str | None:
        """A text cell that may be empty."""
        value = (self._values.get(column) or "").strip()
        return value or None

    def choice(self, column: str, allowed: frozenset[str]) -> str:
        """A cell whose value must be one of a closed set."""
        value = self.text(column)
        if value not in allowed:
            raise self.cell(column).fail(f"« {value} » hors de {sorted(allowed)}")
        return value

    def day(self, column: str) -> date:
        """A required ISO date."""
        return self._parse(column, date.fromisoformat, "date AAAA-MM-JJ attendue")

    def optional_day(self, column: str) -> date | None:
        """An ISO date, or None when empty."""
        return None if self.optional(column) is None else self.day(column)

    def integer(self, column: str) -> int:
        """A required whole number."""
        return self._parse(column, int, "nombre entier attendu")

    def optional_integer(self, column: str) -> int | None:
        """A whole number, or None when empty."""
        return None if self.optional(column) is None else self.integer(column)

    def rate(self, column: str) -> Decimal:
        """A decimal rate between 0 and 1."""
        value = self._parse(column, Decimal, "nombre décimal attendu")
        if not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
            raise self.cell(column).fail("taux entre 0 et 1 attendu")
        return value

    def boolean(self, column: str) -> bool:
        """true/false (also yes/no, 1/0)."""
        value = self.text(column).lower()
        if value not in _BOOLEANS:
            raise self.cell(column).fail("true ou false attendu")
        return _BOOLEANS[value]

    def pattern(self, column: str) -> str:
        """A regular expression that compiles."""
        value = self.text(column)
        try:
            re.compile(value)
        except re.error as exc:
            raise self.cell(column).fail(f"expression régulière invalide ({exc})") from None
        return value

    def validity(self) -> Validity:
        """valid_from and valid_to (empty: open-ended), in that order."""
        start, end = self.day("valid_from"), self.optional_day("valid_to")
        if end is not None and end < start:
            raise self.cell("valid_to").fail("valid_to antérieure à valid_from")
        return Validity(start, end)

    def provenance(self) -> Provenance:
        """The source citation and its confidence tag."""
        return Provenance(self.text("source"), self.choice("confidence", CONFIDENCE))

    def cell(self, column: str) -> Cell:
        """The position of a cell of this row."""
        return Cell(self.file, self.line, column)

    def _parse(self, column: str, parse: Callable[[str], T], expected: str) -> T:
        text = self.text(column)
        try:
            return parse(text)
        except (ValueError, InvalidOperation):
            raise self.cell(column).fail(f"{expected}, lu « {text} »") from None


def _scheme(row: Row) -> Scheme:
    return Scheme(row.text("code"), row.text("label"), row.validity(), row.provenance())


def _payer(row: Row) -> Payer:
    return Payer(row.text("code"), row.text("label"), row.validity(), row.provenance())


def _route(row: Row) -> PayerRoute:
    return PayerRoute(row.text("scheme"), row.text("payer"), row.validity(), row.provenance())


def _category(row: Row) -> CareCategory:
    return CareCategory(row.text("code"), row.text("label"), row.validity(), row.provenance())


def _rate(row: Row) -> RateRule:
    return RateRule(
        scheme=row.text("scheme"),
        category=row.text("category"),
        situation=row.choice("situation", SITUATIONS),
        rate=row.rate("rate"),
        base=row.choice("base", BASES),
        validity=row.validity(),
        provenance=row.provenance(),
    )


def _ald(row: Row) -> AldCondition:
    kind = row.choice("kind", ALD_KINDS)
    code = row.text("code")
    if not re.fullmatch(rf"{kind}[0-9]{{2,3}}", code):
        raise row.cell("code").fail(f"code {kind} suivi de 2 ou 3 chiffres attendu")
    return AldCondition(code, row.text("label"), kind, row.validity(), row.provenance())


def _dependant(row: Row) -> DependantRule:
    return DependantRule(
        scheme=row.text("scheme"),
        role=row.choice("role", ROLES),
        max_age=row.optional_integer("max_age"),
        student_max_age=row.optional_integer("student_max_age"),
        disabled_unlimited=row.boolean("disabled_unlimited"),
        validity=row.validity(),
        provenance=row.provenance(),
    )


def _param(row: Row) -> EligibilityParam:
    return EligibilityParam(
        row.text("scheme"), row.text("name"), row.integer("value"), row.validity(), row.provenance()
    )


def _prior_auth(row: Row) -> PriorAuthRule:
    return PriorAuthRule(
        scheme=row.text("scheme"),
        category=row.text("category"),
        code=row.text("code"),
        reason=row.text("reason"),
        validity=row.validity(),
        provenance=row.provenance(),
    )


def _format(row: Row) -> IdentifierFormat:
    return IdentifierFormat(
        kind=row.text("kind"),
        pattern=row.pattern("pattern"),
        validity=row.validity(),
        provenance=row.provenance(),
        label=row.optional("label") or "",
        hint=row.optional("hint") or "",
    )


# file name -> row builder; the order is the load order.
TABLES: dict[str, Callable[[Row], Any]] = {
    "schemes.csv": _scheme,
    "payers.csv": _payer,
    "payer_routes.csv": _route,
    "categories.csv": _category,
    "rates.csv": _rate,
    "ald.csv": _ald,
    "dependants.csv": _dependant,
    "eligibility_params.csv": _param,
    "prior_auth.csv": _prior_auth,
    "identifier_formats.csv": _format,
}


def load_reference_files(directory: Path) -> ReferenceData:
    """Every table of a refdata directory, checked, as one versioned dataset."""
    raw = {name: _read_bytes(directory / name) for name in TABLES}
    lines = {name: _parse(name, data, TABLES[name]) for name, data in raw.items()}
    _check_references(lines)
    rows = {name: tuple(row for _, row in parsed) for name, parsed in lines.items()}
    return ReferenceData(
        version=dataset_version(raw),
        schemes=rows["schemes.csv"],
        payers=rows["payers.csv"],
        routes=rows["payer_routes.csv"],
        rates=rows["rates.csv"],
        ald=rows["ald.csv"],
        dependants=rows["dependants.csv"],
        params=rows["eligibility_params.csv"],
        prior_auth=rows["prior_auth.csv"],
        identifier_formats=rows["identifier_formats.csv"],
        categories=tuple(c.code for c in rows["categories.csv"]),
        care_categories=rows["categories.csv"],
    )


def dataset_version(raw: dict[str, bytes]) -> str:
    """ "ref-" and 12 hex digits of the SHA-256 of the files (names and bytes, in order)."""
    digest = hashlib.sha256()
    for name in sorted(raw):
        digest.update(name.encode() + b"\0" + raw[name] + b"\0")
    return f"ref-{digest.hexdigest()[:12]}"


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReferenceDataError(f"{path.name} : fichier illisible ({exc.strerror})") from None


Parsed = list[tuple[int, Any]]  # (line number, row object)


def _parse(name: str, data: bytes, build: Callable[[Row], Any]) -> Parsed:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReferenceDataError(f"{name} : le fichier n'est pas en UTF-8") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    _check_header(name, reader.fieldnames)
    parsed: Parsed = []
    for values in reader:
        if None in values:
            raise ReferenceDataError(f"{name}, ligne {reader.line_num} : colonnes en trop")
        if any(v.strip() for v in values.values() if v):
            parsed.append((reader.line_num, build(Row(name, reader.line_num, values))))
    return parsed


def _check_header(name: str, header: Sequence[str] | None) -> None:
    if not header:
        raise ReferenceDataError(f"{name} : ligne d'en-tête absente")
    for column in ("valid_from", "valid_to", "source", "confidence"):
        if column not in header:
            raise ReferenceDataError(f"{name}, ligne 1 : colonne « {column} » absente")


# (file, column) -> the file whose codes it must name; "*" is always allowed where rows
# may apply to every scheme or every code.
_REFERENCES = (
    ("payer_routes.csv", "scheme", "schemes.csv"),
    ("payer_routes.csv", "payer", "payers.csv"),
    ("rates.csv", "scheme", "schemes.csv"),
    ("rates.csv", "category", "categories.csv"),
    ("dependants.csv", "scheme", "schemes.csv"),
    ("eligibility_params.csv", "scheme", "schemes.csv"),
    ("prior_auth.csv", "scheme", "schemes.csv"),
    ("prior_auth.csv", "category", "categories.csv"),
)


def _check_references(lines: dict[str, Parsed]) -> None:
    codes = {name: {row.code for _, row in lines[name]} | {"*"} for name in _CODE_FILES}
    for file, column, target in _REFERENCES:
        for line, row in lines[file]:
            value = getattr(row, column)
            if value not in codes[target]:
                problem = f"« {value} » absent de {target}"
                raise Cell(file, line, column).fail(problem)


_CODE_FILES = ("schemes.csv", "payers.csv", "categories.csv")
