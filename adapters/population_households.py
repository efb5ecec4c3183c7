"""Households of the synthetic population: an insured, their affiliation, their dependants.

`households(f, plan)` builds what a `Plan` describes, drawing everything from the `Factory`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

from adapters.population_names import (
    FAMILY_NAMES,
    FEMALE_NAMES,
    MALE_NAMES,
    Factory,
    iso,
    months_before,
    years_before,
)

Person = dict[str, object]

# Per scheme: the registry its households come from (the file's sender), its weight among
# ordinary households (roughly its share of the insured), and how many days before today an
# open affiliation may have started (the schemes' own ages).
SCHEMES: dict[str, tuple[str, int, int, int]] = {
    "AMO_SALARIES": ("CNSS", 52, 400, 7000),
    "AMO_TADAMON": ("CNSS", 20, 90, 1000),
    "AMO_PUBLIC": ("CNOPS", 14, 400, 9000),
    "AMO_TNS": ("CNSS", 10, 450, 1500),
    "AMO_ACHAMIL": ("CNSS", 2, 200, 900),
    "AMO_ETUDIANTS": ("CNOPS", 2, 60, 1400),
}
_ALD_SHARE = 0.06  # adults with a long-term condition in ordinary households
_MOVED_FROM = ("AMO_TNS", "AMO_TADAMON", "AMO_PUBLIC", "AMO_ACHAMIL")


@dataclass(frozen=True, slots=True)
class Plan:
    """What one household will be: the case it shows, its scheme, standing, shape and size."""

    kind: str  # an EDGE_CASES key, or "ordinary"
    scheme: str
    standing: str
    shape: str
    size: int


# Affiliations.

_UNSET = {"end": None, "contributions": []} | dict.fromkeys(
    ("first_payment", "suspended_from", "suspended_until", "transferred_from")
)


def _affiliation(scheme: str, start: date, **fields: object) -> dict[str, object]:
    """An insured's affiliation in the file format, every field written (null when unset)."""
    given = {k: iso(v) if isinstance(v, date) else v for k, v in fields.items() if v}
    return {"scheme": scheme, "start": start.isoformat(), **_UNSET, **given}


def _insured_affiliation(f: Factory, scheme: str, standing: str, adult: date) -> dict[str, object]:
    """The insured's affiliation as the standing asks (see `adapters.population`)."""
    if standing in ("waiting", "transferred"):
        return _newcomer(f, scheme, moved=standing == "transferred")
    if standing in ("maintained", "lapsed", "arrears-lost"):
        return _ended(f, scheme, adult, standing)
    if standing == "tns-waiting":
        start = f.ago(10, 70)
        return _affiliation(scheme, start, first_payment=start)
    if standing == "stage-capped":
        return _stage_capped(f, scheme)
    return _current(f, scheme, standing, adult)


def _newcomer(f: Factory, scheme: str, *, moved: bool) -> dict[str, object]:
    """Hired last month: one month declared, short of the minimum unless moved from a scheme."""
    start = months_before(f.today, 1)[0]
    days = [{"month": start.strftime("%Y-%m"), "days": f.rng.randint(8, 26)}]
    source = f.rng.choice(_MOVED_FROM) if moved else None
    return _affiliation(scheme, start, contributions=days, transferred_from=source)


def _ended(f: Factory, scheme: str, adult: date, standing: str) -> dict[str, object]:
    """Left the scheme: within the 6 months' maintenance of rights, or long before; or within
    it while the employer owed contributions ("arrears-lost": ALD care kept)."""
    end = f.ago(200, 1000) if standing == "lapsed" else f.ago(15, 160)
    start = max(adult, end - timedelta(days=f.rng.randint(400, 6000)))
    owing = end - timedelta(days=f.rng.randint(30, 200)) if standing == "arrears-lost" else None
    months = f.contributions(end)
    return _affiliation(scheme, start, end=end, contributions=months, suspended_from=owing)


def _stage_capped(f: Factory, scheme: str) -> dict[str, object]:
    """Immatriculated 6 to 7 months ago, short of the 54 days: the stage is over all the same."""
    start = f.ago(190, 210)
    days = [{"month": start.strftime("%Y-%m"), "days": f.rng.randint(5, 20)}]
    return _affiliation(scheme, start, contributions=days)


def _current(f: Factory, scheme: str, standing: str, adult: date) -> dict[str, object]:
    """Affiliated for a while: open, or a TNS in arrears (suspended) or once in arrears."""
    _, _, low, high = SCHEMES[scheme]
    start = max(adult, f.ago(low, high))
    salaried = scheme == "AMO_SALARIES"
    paying = scheme in ("AMO_TNS", "AMO_ACHAMIL")
    arrears = {
        "suspended": {"suspended_from": f.ago(30, 300)},
        "settled": {"suspended_from": f.ago(200, 400), "suspended_until": f.ago(10, 150)},
    }.get(standing, {})
    # "skipped": no declaration for the last months, years after the stage: still open.
    declared_to = f.ago(120, 200) if standing == "skipped" else f.today
    return _affiliation(
        scheme,
        start,
        contributions=f.contributions(declared_to) if salaried else None,
        first_payment=start + timedelta(days=f.rng.randint(0, 30)) if paying else None,
        **arrears,
    )


# Households.

# Ages by shape; past the children's limit (22) by more than the 6 maintained months where
# the case is a person no longer covered.
_CHILD_SHAPES = {
    "student": (22, 25),
    "married-student": (23, 25),
    "over-age": (23, 25),
    "disabled": (27, 40),
    "aged-out": (22, 22),  # 22 a few months ago: rights maintained
    "graduated": (23, 25),  # studies ended a few months ago: rights maintained
}


_SPOUSE_SHAPES = ("divorced", "own-cover")  # the case is the spouse's


def _birth(f: Factory, shape: str, age: int) -> date:
    """A birth date giving that age today; for "aged-out", the 22nd birthday 10 to 150 days ago."""
    if shape == "aged-out":
        return years_before(f.ago(10, 150), age)
    return f.born(age)


def _child_facts(f: Factory, shape: str, age: int) -> dict[str, object]:
    """The dependant facts of a child of that shape ("plain": an ordinary child)."""
    ordinary_student = shape == "plain" and age >= 18 and f.rng.random() < 0.4
    studying = shape in ("student", "married-student") or ordinary_student
    until = date(f.today.year + f.rng.randint(1, 2), 6, 30) if studying else None
    if shape == "graduated":
        until = f.ago(10, 150)
    married = shape == "married-student"
    return {"student_until": iso(until), "married": married, "disabled": shape == "disabled"}


def _children(f: Factory, shape: str, count: int) -> list[tuple[date, dict[str, object]]]:
    """Children's birth dates and facts, the one showing the household's case first."""
    shapes = [shape] if shape in _CHILD_SHAPES else []
    shapes += ["plain"] * (count - len(shapes))
    ages = [f.rng.randint(*_CHILD_SHAPES.get(s, (0, 20))) for s in shapes]
    return [
        (_birth(f, s, age), _child_facts(f, s, age)) for s, age in zip(shapes, ages, strict=True)
    ]


def _spouses(f: Factory, shape: str, others: int) -> int:
    """How many spouses among the insured's `others` dependants."""
    if shape == "polygamous":
        return 2
    if shape in _SPOUSE_SHAPES:
        return 1
    wanted = 1 if others > 0 and f.rng.random() < 0.85 else 0
    return min(wanted, others - (shape in _CHILD_SHAPES))


def _age(f: Factory, born: date) -> int:
    """Roughly the age today (whole years of 365 days): enough to size a household."""
    return (f.today - born).days // 365


def _person(
    f: Factory, head: Person, sex: str, born: date, family: str, number: str = ""
) -> Person:
    """A person born on `born` with fresh identifiers (the payer's `number`, a CIN from 18)."""
    identifiers = {"idcs": str(next(f.idcs))}
    if number:
        identifiers[str(head["member_id"]).split("-")[0].lower()] = number
    if born <= years_before(f.today, 18):
        identifiers["cin"] = f.cin_number()
    given = f.rng.choice(MALE_NAMES if sex == "male" else FEMALE_NAMES)
    names = {"family_name": family, "given_name": given}
    return {**head, "identifiers": identifiers, **names, "birth_date": iso(born), "sex": sex}


def _ald_count(f: Factory, shape: str, role: str, adult: bool) -> int:
    """How many long-term conditions a person has."""
    if role == "insured" and shape == "ald":
        return f.rng.randint(1, 2)
    return int(f.rng.random() < (_ALD_SHARE if adult else _ALD_SHARE / 6))


def _grants(f: Factory, plan: Plan, born: date, adult: bool) -> list[dict[str, object]]:
    """The insured's long-term conditions; end-stage renal failure for "dialysis"."""
    if plan.shape == "dialysis":
        return [{"condition": "ALD17", "start": iso(max(born, f.ago(100, 2000))), "end": None}]
    return f.ald(born, _ald_count(f, plan.shape, "insured", adult))


def _insured(f: Factory, plan: Plan, oldest: int | None, married: bool) -> tuple[Person, int]:
    """The head of the household, affiliated as the plan says, and their age."""
    if plan.scheme == "AMO_ETUDIANTS":
        age = f.rng.randint(18, 25)
    else:
        age = f.rng.randint(23, 70) if oldest is None else min(85, oldest + f.rng.randint(20, 38))
    male = plan.shape == "polygamous" or f.rng.random() < (0.7 if married else 0.5)
    registry = SCHEMES[plan.scheme][0]
    number = str(next(f.cnss) if registry == "CNSS" else next(f.cnops))
    head: Person = {"member_id": f"{registry}-{number}", "role": "insured"}
    sex, family = "male" if male else "female", f.rng.choice(FAMILY_NAMES)
    born = f.born(age)
    person = _person(f, head, sex, born, family, number)
    cover = _insured_affiliation(f, plan.scheme, plan.standing, years_before(born, -18))
    grants = _grants(f, plan, born, age >= 18)
    return person | {"affiliations": [cover], "ald": grants}, age


def _dependant(
    f: Factory,
    insured: Person,
    rank: int,
    who: tuple[str, str, date, str],
    facts: Person,
    ended: date | None = None,
) -> Person:
    """A spouse or child (`who`: role, sex, birth, family name) covered through the insured;
    `ended`: the day the link ended (a divorce)."""
    role, sex, born, family = who
    member_id = str(insured["member_id"])
    head: Person = {"member_id": f"{member_id}-{rank:02d}", "role": role, "insured": member_id}
    person = _person(f, head, sex, born, family)
    cover: dict[str, object] = insured["affiliations"][0]  # type: ignore[index]
    # Covered from birth at the earliest, and never past the insured's own end.
    start = max(date.fromisoformat(str(cover["start"])), born)
    end = ended or cover["end"]
    if end is not None:
        start = min(start, date.fromisoformat(str(end)))
    cover = {"scheme": cover["scheme"], "start": iso(start), "end": iso(ended) or cover["end"]}
    grants = f.ald(born, _ald_count(f, "plain", role, _age(f, born) >= 18))
    return person | {"dependant": facts, "affiliations": [cover], "ald": grants}


def _family(f: Factory, plan: Plan, size: int) -> tuple[str, list[Person], Person]:
    """The payer, the insured and their dependants, and the person showing the plan's case."""
    others = size - 1
    spouses = 0 if plan.shape == "single" else _spouses(f, plan.shape, others)
    children = _children(f, plan.shape, others - spouses)
    oldest = max((_age(f, born) for born, _ in children), default=None)
    insured, age = _insured(f, plan, oldest, spouses > 0)
    members = [insured]
    insured_sex = str(insured["sex"])
    for _ in range(spouses):
        sex = "female" if insured_sex == "male" else "male"
        spouse_age = max(18, (oldest or 0) + 18, age + f.rng.randint(-10, 3))
        who = ("spouse", sex, f.born(spouse_age), f.rng.choice(FAMILY_NAMES))
        facts: Person = {"student_until": None, "married": True, "disabled": False}
        ended = f.ago(10, 150) if plan.shape == "divorced" else None
        members.append(_dependant(f, insured, len(members) + 1, who, facts, ended))
    father = insured if insured_sex == "male" or spouses == 0 else members[1]
    for born, child_facts in children:
        who = ("child", f.rng.choice(("male", "female")), born, str(father["family_name"]))
        members.append(_dependant(f, insured, len(members) + 1, who, child_facts))
    focus = members[2] if plan.shape == "polygamous" else insured
    if plan.shape in _CHILD_SHAPES:
        focus = members[1 + spouses]
    if plan.shape in _SPOUSE_SHAPES:
        focus = members[1]
    return SCHEMES[plan.scheme][0], members, focus


def _public_twin(f: Factory, person: Person) -> Person:
    """The same person again, as an insured of the public sector: a double affiliation."""
    number = str(next(f.cnops))
    known: dict[str, str] = person["identifiers"]  # type: ignore[assignment]
    identifiers = {"idcs": known["idcs"], "cnops": number, "cin": known["cin"]}
    adult = years_before(date.fromisoformat(str(person["birth_date"])), -18)
    cover = _affiliation("AMO_PUBLIC", max(adult, f.ago(400, 3000)))
    changed = {"member_id": f"CNOPS-{number}", "identifiers": identifiers}
    return person | changed | {"affiliations": [cover], "ald": []}


def _own_tns(f: Factory, spouse: Person) -> Person:
    """The spouse again, insured in their own right as a TNS in arrears: that cover answers."""
    number = str(next(f.cnss))
    known: dict[str, str] = spouse["identifiers"]  # type: ignore[assignment]
    identifiers = {"idcs": known["idcs"], "cnss": number, "cin": known["cin"]}
    start = f.ago(400, 1200)
    paid, owing = start + timedelta(days=5), f.ago(30, 300)
    cover = _affiliation("AMO_TNS", start, first_payment=paid, suspended_from=owing)
    own = {k: v for k, v in spouse.items() if k not in ("insured", "dependant")}
    changed = {"member_id": f"CNSS-{number}", "role": "insured", "identifiers": identifiers}
    return own | changed | {"affiliations": [cover], "ald": []}


def households(f: Factory, plan: Plan) -> Iterator[tuple[str, list[Person], Person]]:
    """The plan's household; for a double affiliation, also the insured's second record; for
    "own-cover", the spouse's own record as a TNS."""
    if plan.shape == "own-cover":
        payer, members, spouse = _family(f, plan, plan.size - 1)
        yield payer, members, spouse
        yield "CNSS", [_own_tns(f, spouse)], spouse
        return
    if plan.shape != "double":
        yield _family(f, plan, plan.size)
        return
    payer, members, insured = _family(f, replace(plan, shape="plain"), plan.size - 1)
    yield payer, members, insured
    yield "CNOPS", [_public_twin(f, insured)], insured
