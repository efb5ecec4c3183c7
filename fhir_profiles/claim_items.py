"""Claim.item -> the lines of a prise en charge (`domain.prior_auth.PaLine`), and the items the
payer cannot read.

An item is a line of ours when its productOrService carries a code the payer reads:

- a drug: a GTIN (`https://www.gs1.org/gtin`, or the GS1 root OID `urn:oid:1.3.160`) that is an
  EAN-13 once its leading zeros are set right (a GTIN-12 or a GTIN-14 of the unit itself);
  its category is the item's care category of ours when written, else `costly-drug` for a
  drug of the costly list, else `pharmacy`;
- an act or a stay of one of our care categories (CodeSystem care-category): the category is
  its code.

An item coded in any other system is not refused: its sequence is kept apart (`foreign`) and
the answer says, item by item, that it was not examined.

A line's quantity is a positive whole number (1 when absent). Its amount is `net`, else
`unitPrice` × quantity (× `factor`), in MAD (a Money without currency is read as MAD, the only
currency the payer pays in), exact to the centime and positive.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from domain.errors import InvalidRequest, UnknownCode
from domain.money import ZERO, Money
from domain.prior_auth import PaLine
from domain.reference import ReferenceData
from domain.reference_rows import Ean13
from fhir_profiles import labels, structure, systems
from fhir_profiles.limits import MAX_ITEMS

Json = dict[str, Any]
REQUEST: Final = "Claim"
# The elements of an R4 Claim.item (anything else is refused).
ITEM_ELEMENTS: Final = frozenset(
    {
        "id", "extension", "modifierExtension", "sequence", "careTeamSequence",
        "diagnosisSequence", "procedureSequence", "informationSequence", "revenue", "category",
        "productOrService", "modifier", "programCode", "servicedDate", "servicedPeriod",
        "locationCodeableConcept", "locationAddress", "locationReference", "quantity",
        "unitPrice", "factor", "net", "udi", "bodySite", "subSite", "encounter", "detail",
    }
)  # fmt: skip
CURRENCY: Final = "MAD"
# Far above any care (a costly-drug file averages ~15,000 MAD, DOMAIN.md), and within what the
# stores hold: a line past these is a mistake, refused before it reaches a reviewer.
MAX_AMOUNT: Final = Money.mad(100_000_000)
MAX_QUANTITY: Final = 100_000
_EAN13: Final = Ean13()


@dataclass(frozen=True, slots=True)
class Lines:
    """The Claim's items: the lines of ours, and the sequences of the foreign ones."""

    lines: tuple[PaLine, ...] = ()
    foreign: tuple[int, ...] = ()


def items(claim: Json, purpose: str) -> Iterator[tuple[Json, int, str]]:
    """Each item of the Claim with its sequence and FHIRPath, its elements and sequence
    checked; at least one (`purpose` says what they are for)."""
    values = structure.objects(claim, "item", REQUEST, limit=MAX_ITEMS)
    if not values:
        raise InvalidRequest(
            f"Au moins une ligne (item) est requise : {purpose}", expression=f"{REQUEST}.item"
        )
    seen: set[int] = set()
    for i, item in enumerate(values):
        path = f"{REQUEST}.item[{i}]"
        structure.only_known(item, ITEM_ELEMENTS, path)
        yield item, _sequence(item, path, seen), path


def read(claim: Json, ref: ReferenceData, day: date) -> Lines:
    """Every item of the Claim, in the order written: a line of ours, or a foreign item."""
    known = labels.categories(ref, day)
    lines: list[PaLine] = []
    foreign: list[int] = []
    for item, sequence, path in items(claim, "ce que la prise en charge doit couvrir"):
        line = _line(item, sequence, path, known, ref, day)
        if line is None:
            foreign.append(sequence)
        else:
            lines.append(line)
    return Lines(tuple(lines), tuple(foreign))


def date_of_care(claim: Json, today: date) -> date:
    """The first day of care an item names (servicedDate, servicedPeriod.start), else
    billablePeriod.start, else today."""
    days = [
        day
        for i, item in enumerate(structure.objects(claim, "item", REQUEST, limit=MAX_ITEMS))
        if (day := served(item, f"{REQUEST}.item[{i}]")) is not None
    ]
    if days:
        return min(days)
    period = structure.optional_object(claim, "billablePeriod", REQUEST)
    return _start(period, f"{REQUEST}.billablePeriod") or today


def served(item: Json, path: str) -> date | None:
    """An item's day of care, if it names one."""
    if "servicedDate" in item and "servicedPeriod" in item:
        raise structure.invalid("servicedDate et servicedPeriod sont exclusifs", f"{path}.serviced")
    written = structure.optional_string(item, "servicedDate", path)
    if written is not None:
        return structure.full_date(written, f"{path}.servicedDate")
    return _start(structure.optional_object(item, "servicedPeriod", path), f"{path}.servicedPeriod")


def _start(period: Json | None, path: str) -> date | None:
    """The day a Period starts on, if it says."""
    start = None if period is None else structure.optional_string(period, "start", path)
    if start is None:
        return None
    return structure.full_date(structure.date_time(start, f"{path}.start")[:10], f"{path}.start")


def _sequence(item: Json, path: str, seen: set[int]) -> int:
    """The item's sequence: a positive integer, unique in the Claim."""
    value = item.get("sequence")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise structure.invalid(
            "Un entier positif est attendu (numéro de ligne)", f"{path}.sequence"
        )
    if value in seen:
        raise InvalidRequest(
            f"Le numéro de ligne {value} est répété : chaque item porte le sien",
            expression=f"{path}.sequence",
        )
    seen.add(value)
    return value


def _line(
    item: Json, sequence: int, path: str, known: dict[str, str], ref: ReferenceData, day: date
) -> PaLine | None:
    """The line an item asks for, or None when its product is coded in no system of ours."""
    product = structure.required_object(item, "productOrService", path)
    ppath = f"{path}.productOrService"
    for j, coding in enumerate(structure.codings(product, ppath)):
        system, code = coding.get("system"), coding.get("code")
        if code is None:
            continue
        if system in systems.GTIN_SYSTEMS:
            box = ean13(code, f"{ppath}.coding[{j}].code")
            written = category(item, path, known) or drug_category(box, ref, day)
            return _priced(item, sequence, box, written, path)
        if system == systems.CS_CARE_CATEGORY:
            known_category(code, known, f"{ppath}.coding[{j}].code")
            return _priced(item, sequence, code, code, path)
    return None


def ean13(code: str, path: str) -> str:
    """A GTIN as the EAN-13 of the drug's box (GTIN-8, -12 and -13 padded, a GTIN-14 whose
    packaging digit is 0 trimmed)."""
    digits = code.strip()
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        raise UnknownCode("GTIN invalide : 8, 12, 13 ou 14 chiffres attendus", expression=path)
    padded = digits.zfill(14)
    if padded[0] != "0":
        raise UnknownCode(
            "GTIN-14 d'un conditionnement groupé : indiquez l'EAN-13 de la boîte",
            expression=path,
        )
    problem = _EAN13.problem(padded[1:])
    if problem is not None:
        raise UnknownCode(f"GTIN invalide : {problem}", expression=path)
    return padded[1:]


def category(item: Json, path: str, known: dict[str, str]) -> str | None:
    """The item's care category in our system, when written."""
    concept = structure.optional_object(item, "category", path)
    code = structure.code_in(concept, systems.CS_CARE_CATEGORY, f"{path}.category")
    return None if code is None else known_category(code, known, f"{path}.category")


def known_category(code: str, known: dict[str, str], path: str) -> str:
    """A care category of ours in force, else UnknownCode."""
    if code not in known:
        raise UnknownCode(f"Catégorie de soins inconnue : « {code[:64]} »", expression=path)
    return code


def drug_category(box: str, ref: ReferenceData, day: date) -> str:
    """costly-drug for a drug of the costly list on the day, else pharmacy."""
    drug = ref.drug(box, day)
    return "costly-drug" if drug is not None and drug.costly else "pharmacy"


def _priced(item: Json, sequence: int, code: str, care: str, path: str) -> PaLine:
    """The line with its quantity and amount."""
    count = quantity(item, path)
    return PaLine(sequence, code, care, count, amount(item, count, path))


def quantity(item: Json, path: str) -> int:
    """quantity.value: a positive whole number, 1 when absent."""
    written = structure.optional_object(item, "quantity", path)
    value = None if written is None else written.get("value")
    if value is None:
        return 1
    vpath = f"{path}.quantity.value"
    number = decimal(value, vpath)
    if number != number.to_integral_value() or not 1 <= number <= MAX_QUANTITY:
        raise InvalidRequest(
            f"Quantité « {value} » : un nombre entier de 1 à {MAX_QUANTITY} est attendu",
            code="quantite-invalide",
            expression=vpath,
        )
    return int(number)


def amount(item: Json, count: int, path: str) -> Money:
    """What the line asks: net, else unitPrice × quantity × factor."""
    net = structure.optional_object(item, "net", path)
    if net is not None:
        return _bounded(money(net, f"{path}.net"), f"{path}.net.value")
    unit = structure.optional_object(item, "unitPrice", path)
    if unit is None:
        raise InvalidRequest(
            "Montant de la ligne requis : net, ou unitPrice (et quantity)",
            code="montant-invalide",
            expression=f"{path}.net",
        )
    total = money(unit, f"{path}.unitPrice").times(count)
    if item.get("factor") is not None:
        total = total.times(decimal(item["factor"], f"{path}.factor"))
    return _bounded(total, f"{path}.unitPrice.value")


def money(value: Json, path: str) -> Money:
    """A Money in MAD as integer centimes."""
    currency = structure.optional_string(value, "currency", path)
    if currency is not None and currency != CURRENCY:
        raise InvalidRequest(
            f"Devise « {currency[:8]} » non prise en charge : les montants s'expriment en "
            "dirhams (MAD)",
            code="devise-non-prise-en-charge",
            expression=f"{path}.currency",
        )
    if value.get("value") is None:
        raise InvalidRequest(
            "Montant sans valeur", code="montant-invalide", expression=f"{path}.value"
        )
    try:
        return Money.mad(decimal(value["value"], f"{path}.value"))
    except ValueError:
        raise InvalidRequest(
            "Un montant s'exprime au centime près (deux décimales au plus)",
            code="montant-invalide",
            expression=f"{path}.value",
        ) from None


def _bounded(total: Money, path: str) -> Money:
    """A line's amount: positive, and not past the ceiling."""
    if not ZERO < total <= MAX_AMOUNT:
        raise InvalidRequest(
            f"Le montant d'une ligne est positif et d'au plus {MAX_AMOUNT.as_decimal():.0f} MAD",
            code="montant-invalide",
            expression=path,
        )
    return total


def decimal(value: Any, path: str) -> Decimal:
    """A FHIR decimal (a JSON number) as a Decimal, exactly as written."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise structure.invalid("Un nombre est attendu", path)
    try:
        number = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
    except InvalidOperation:
        raise structure.invalid("Un nombre est attendu", path) from None
    if not number.is_finite():
        raise structure.invalid("Un nombre fini est attendu", path)
    return number
