"""The provider's "check a patient's rights" page: the same exchange as the FHIR endpoint.

The form's fields become the CoverageEligibilityRequest a desk's software would send, read by
the API's own EligibilityForm and decided by the same use case; the page then states the
decision in words. The requester is the person's organization, as a token would say it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.accounts import Organization, StaffSession
from domain.eligibility import EligibilityOutcome
from domain.members import IdentifierKind, PersonIdentifier
from domain.records import Answer, ExchangeQuery, Rendered, Requester
from domain.reference import ReferenceData
from domain.services import eligibility
from domain.services.eligibility import EligibilityPorts
from domain.services.exchanges import Stamp, Submission
from fhir_profiles import labels, systems
from fhir_profiles.eligibility_form import EligibilityForm
from fhir_profiles.messages import label
from gateway.portal.catalogue import named, text
from gateway.portal.formats import day, rate

KINDS = {"IDCS": systems.IDCS, "CIN": systems.CIN}
PURPOSES = ["validation", "benefits", "auth-requirements"]


@dataclass(frozen=True, slots=True)
class RightsQuery:
    """What the person asked: who, on which day, for which care."""

    kind: str = "IDCS"
    value: str = ""
    day: date = field(default_factory=date.today)
    categories: tuple[str, ...] = ()


class CapturingForm:
    """The API's EligibilityForm, keeping the decision it renders for the page to word."""

    def __init__(self, form: EligibilityForm) -> None:
        self._form = form
        self.outcome: EligibilityOutcome | None = None

    def read(self, today: date) -> Any:
        """The command, as the API reads it."""
        return self._form.read(today)

    def render(self, result: EligibilityOutcome, stamp: Stamp) -> Rendered:
        """The stored FHIR exchange, as the API stores it; the decision kept."""
        self.outcome = result
        return self._form.render(result, stamp)

    def identifiers(self) -> tuple[PersonIdentifier, ...]:
        """The patient identifiers the request carried."""
        return self._form.identifiers()


def request_body(query: RightsQuery) -> dict[str, Any]:
    """The CoverageEligibilityRequest a desk's software would send for this query."""
    system = KINDS.get(query.kind, systems.IDCS)
    body: dict[str, Any] = {
        "resourceType": "CoverageEligibilityRequest",
        "status": "active",
        "purpose": PURPOSES,
        "patient": {"identifier": {"system": system, "value": query.value.strip()}},
        "created": date.today().isoformat(),
        "servicedDate": query.day.isoformat(),
        "insurer": {"display": "AMO"},
    }
    if query.categories:  # FHIR has no empty arrays: no category asked, no item
        body["item"] = [
            {"category": {"coding": [{"system": systems.CS_CARE_CATEGORY, "code": code}]}}
            for code in query.categories
        ]
    return body


def requester(session: StaffSession, org: Organization) -> Requester:
    """The person's organization as the use cases know a requester."""
    return Requester(
        tenant=org.id,
        client_id=f"staff:{session.user_id}",
        admission=org.admission,
        category=org.category,
    )


async def check(
    query: RightsQuery,
    who: Requester,
    *,
    ref: ReferenceData,
    ports: EligibilityPorts,
    inpe: str = "",
) -> tuple[EligibilityOutcome | None, Answer]:
    """Run the eligibility exchange for the query; the decision and the stored answer."""
    form = CapturingForm(EligibilityForm(request_body(query), ref=ref, requestor_inpe=inpe))
    answer = await eligibility.check_eligibility(Submission(who, form, None), ref=ref, ports=ports)
    return form.outcome, answer


def words(outcome: EligibilityOutcome, ref: ReferenceData, lang: str) -> dict[str, Any]:
    """The decision in sentences: the headline, the facts, each category asked about."""
    decision = outcome.decision
    t = lambda key, **kw: text(lang, key, **kw)  # noqa: E731
    facts = [t("rights.status", status=t(f"status.{decision.status.value}"))]
    if decision.member_id and decision.role:
        facts.append(t("rights.member", member=decision.member_id,
                       role=t(f"member.role.{decision.role.value}")))  # fmt: skip
    if decision.coverage_end is not None:
        facts.append(t("rights.until", day=day(decision.coverage_end, lang)))
    if decision.ald_conditions:
        facts.append(t("rights.ald", codes=", ".join(decision.ald_conditions)))
    return {
        "covered": decision.status.in_force,
        "headline": _headline(outcome, ref, lang),
        "facts": facts,
        "reasons": [label(code, lang) for code in decision.reasons],
        "lines": [_item(item, ref, lang) for item in outcome.items],
        "tiers_payant": [label(code, lang) for code in outcome.tiers_payant],
    }


def _headline(outcome: EligibilityOutcome, ref: ReferenceData, lang: str) -> str:
    decision = outcome.decision
    if not decision.status.in_force:
        return text(lang, "rights.not-covered")
    payer, scheme = decision.payer or "AMO", decision.scheme or "AMO"
    payer = named(lang, "payer", payer, labels.payer_label(ref, payer))
    scheme = named(lang, "scheme", scheme, labels.scheme_label(ref, scheme))
    return text(lang, "rights.covered", payer=payer, scheme=scheme)


def _item(item: Any, ref: ReferenceData, lang: str) -> dict[str, Any]:
    said = (
        [text(lang, "rights.item.rate", rate=rate(item.rate, lang))]
        if item.covered
        else [text(lang, "rights.item.no")]
    )
    if item.needs_prior_authorization:
        said.append(text(lang, "rights.item.pa"))
    return {
        "label": named(
            lang, "category", item.item.category, labels.category_label(ref, item.item.category)
        ),
        "said": ", ".join(said),
        "covered": item.covered,
        "reasons": [label(code, lang) for code in item.reasons],
    }


@dataclass(frozen=True, slots=True)
class PastCheck:
    """One of the organization's latest checks, as the page lists it."""

    created: datetime
    identifier: str  # "IDCS 1234567890"
    status: str  # the decision's status code


async def recent(who: Requester, *, ports: EligibilityPorts, count: int = 10) -> list[PastCheck]:
    """The organization's latest checks, through the API or the portal alike (newest first)."""
    query = ExchangeQuery(tenant=who.tenant, kind=eligibility.ELIGIBILITY.kind, limit=count)
    records, _ = await eligibility.search_answers(who, query, ports=ports)
    return [PastCheck(r.created, _identifier(r.patient_identifiers), r.status) for r in records]


def _identifier(identifiers: tuple[PersonIdentifier, ...]) -> str:
    if not identifiers:
        return ""
    first = identifiers[0]
    return f"{first.kind.value.upper()} {first.value}"


def categories(ref: ReferenceData, day_of_care: date, lang: str) -> dict[str, str]:
    """The care categories in force on the day, named in the person's language."""
    return {code: named(lang, "category", code, french)
            for code, french in labels.categories(ref, day_of_care).items()}  # fmt: skip


def identifier_kinds() -> list[str]:
    """The identifiers a desk may give, in the form's order."""
    return [kind for kind in KINDS if kind in IdentifierKind.__members__]
