"""Reference data from the CSV files of `refdata/` (one file per kind, UTF-8, header row).

Every file is read the same way, from its kind's declaration in `domain.reference_kinds`:
one column per field, each cell read by the field's type and checked by its constraints.
A bad cell stops the load with its file, line and column named; nothing half-loaded is
returned. The dataset version is a digest of the files' bytes, so the same files always give
the same version and any edit gives a new one.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from domain.errors import ReferenceDataError
from domain.reference import ReferenceData
from domain.reference_kinds import ANY, CARE_CATEGORIES, KINDS, Column, RefKind

DEFAULT_REFDATA_DIR = Path(__file__).parent.parent / "refdata"

_BOOLEANS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}


def _boolean(text: str) -> bool:
    """true/false (also yes/no, 1/0), in any case."""
    return _BOOLEANS[text.lower()]


# A column's type -> how its cells are read, and what is expected when one cannot be.
_READERS: dict[type[Any], tuple[Callable[[str], Any], str]] = {
    str: (str, "texte attendu"),
    int: (int, "nombre entier attendu"),
    Decimal: (Decimal, "nombre décimal attendu"),
    date: (date.fromisoformat, "date AAAA-MM-JJ attendue"),
    bool: (_boolean, "true ou false attendu"),
}


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


def read_cell(column: Column, text: str, cell: Cell) -> Any:
    """One cell's value, read by its column's type and checked by its constraints."""
    text = text.strip()
    if not text:
        if column.blank:
            return None if column.nullable else column.default
        raise cell.fail("valeur obligatoire absente")
    read, expected = _READERS[column.type]
    try:
        value = read(text)
    except (ValueError, KeyError, InvalidOperation):
        raise cell.fail(f"{expected}, lu « {text} »") from None
    problem = column.problem(value)
    if problem is not None:
        raise cell.fail(problem)
    return value


Parsed = list[tuple[int, Any]]  # (line number, row object)


def parse_file(kind: RefKind, data: bytes) -> Parsed:
    """The rows of one kind's file, each with its line number; blank lines skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReferenceDataError(f"{kind.file} : le fichier n'est pas en UTF-8") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    _check_header(kind, reader.fieldnames)
    parsed: Parsed = []
    for values in reader:
        if None in values:
            raise ReferenceDataError(f"{kind.file}, ligne {reader.line_num} : colonnes en trop")
        if any(v.strip() for v in values.values() if v):
            parsed.append((reader.line_num, _row(kind, reader.line_num, values)))
    return parsed


def _row(kind: RefKind, line: int, values: Mapping[str, str]) -> Any:
    typed = {
        column.name: read_cell(
            column, values[column.name] or "", Cell(kind.file, line, column.name)
        )
        for column in kind.columns
    }
    row = kind.build(typed)
    problem = kind.problem(row)
    if problem is not None:
        raise Cell(kind.file, line, problem[0]).fail(problem[1])
    return row


def _check_header(kind: RefKind, header: Sequence[str] | None) -> None:
    if not header:
        raise ReferenceDataError(f"{kind.file} : ligne d'en-tête absente")
    for column in kind.columns:
        if column.name not in header:
            raise ReferenceDataError(f"{kind.file}, ligne 1 : colonne « {column.name} » absente")


def load_reference_files(directory: Path) -> ReferenceData:
    """Every kind's file of a refdata directory, checked, as one versioned dataset."""
    raw = {kind.file: _read_bytes(directory / kind.file) for kind in KINDS}
    parsed = {kind.name: parse_file(kind, raw[kind.file]) for kind in KINDS}
    _check_references(parsed)
    rows = {name: tuple(row for _, row in lines) for name, lines in parsed.items()}
    categories = tuple(category.code for category in rows[CARE_CATEGORIES.name])
    return ReferenceData(version=dataset_version(raw), categories=categories, **rows)


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


def _check_references(parsed: Mapping[str, Parsed]) -> None:
    """Every declared reference names a row of its target kind, or "*"."""
    for kind in KINDS:
        for column, target in kind.references:
            known = {getattr(row, target.key[0]) for _, row in parsed[target.name]} | {ANY}
            for line, row in parsed[kind.name]:
                value = getattr(row, column)
                for code in (value or "").split() if column in kind.listed else (value,):
                    if code not in known:
                        message = f"« {code} » absent de {target.file}"
                        raise Cell(kind.file, line, column).fail(message)
