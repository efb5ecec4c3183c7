"""The canonical URLs we publish: identifier systems, code systems, profiles, extensions,
operations."""

from __future__ import annotations

from typing import Final

from domain.members import IdentifierKind

BASE: Final = "https://fhir.tiers-payant.ma"

# Identifier systems (NamingSystem resources describe them).
IDCS: Final = f"{BASE}/sid/idcs"
CNSS: Final = f"{BASE}/sid/cnss-immatriculation"
CNOPS: Final = f"{BASE}/sid/cnops-affiliation"
CIN: Final = f"{BASE}/sid/cin"
INPE: Final = f"{BASE}/sid/inpe"
PAYER_ID: Final = f"{BASE}/sid/payer"  # Organization identifier of a payer: its payer code
# Organization identifier of a complementary organisation (RC): its code in complementary.csv.
COMPLEMENTARY: Final = f"{BASE}/sid/complementary"
# A transfer to a provider: the ISO 20022 EndToEndId of its credit transfer, on bank statements.
END_TO_END_ID: Final = f"{BASE}/sid/end-to-end-id"

# Code systems.
CS_REASON: Final = f"{BASE}/CodeSystem/reason"
CS_CARE_CATEGORY: Final = f"{BASE}/CodeSystem/care-category"
CS_SCHEME: Final = f"{BASE}/CodeSystem/scheme"
CS_PAYER: Final = f"{BASE}/CodeSystem/payer"
CS_ELIGIBILITY_STATUS: Final = f"{BASE}/CodeSystem/eligibility-status"
CS_BENEFIT_TYPE: Final = f"{BASE}/CodeSystem/benefit-type"
CS_ALD: Final = f"{BASE}/CodeSystem/ald"
CS_PA_TYPE: Final = f"{BASE}/CodeSystem/pa-type"  # kinds of prise en charge (pa_types.csv)
CS_SPECIALTY: Final = f"{BASE}/CodeSystem/specialty"  # prescribers' medical specialties
CS_COMMUNICATION_CATEGORY: Final = f"{BASE}/CodeSystem/communication-category"
# Billing codes of a claim line (Claim.item.productOrService), the tariffs' codes by kind.
CS_NGAP: Final = f"{BASE}/CodeSystem/ngap"  # NGAP key letters; coefficient in item.factor
CS_NABM: Final = f"{BASE}/CodeSystem/nabm"  # NABM lab acts; B units in item.factor
CS_FLAT_FEE: Final = f"{BASE}/CodeSystem/flat-fee"  # flat fees (CAESAREAN, ...)
CS_DAY_RATE: Final = f"{BASE}/CodeSystem/day-rate"  # hospital day rates; days in quantity
CS_CLAIM_DOCUMENT: Final = f"{BASE}/CodeSystem/claim-document"  # supportingInfo.code
CS_ADJUDICATION: Final = f"{BASE}/CodeSystem/adjudication"  # our adjudication categories

# Profiles and extensions.
SD_ELIGIBILITY_REQUEST: Final = f"{BASE}/StructureDefinition/amo-coverageeligibilityrequest"
SD_ELIGIBILITY_RESPONSE: Final = f"{BASE}/StructureDefinition/amo-coverageeligibilityresponse"
EXT_ELIGIBILITY_STATUS: Final = f"{BASE}/StructureDefinition/eligibility-status"
EXT_TIERS_PAYANT: Final = f"{BASE}/StructureDefinition/tiers-payant-refusal"
SD_CLAIM: Final = f"{BASE}/StructureDefinition/amo-claim-preauthorization"
SD_CLAIM_RESPONSE: Final = f"{BASE}/StructureDefinition/amo-claimresponse-preauthorization"
EXT_DECISION_DEADLINE: Final = f"{BASE}/StructureDefinition/decision-deadline"
EXT_DECISION_OVERDUE: Final = f"{BASE}/StructureDefinition/decision-overdue"
EXT_PROVISIONAL: Final = f"{BASE}/StructureDefinition/provisional-authorization"
SD_CLAIM_BILLING: Final = f"{BASE}/StructureDefinition/amo-claim"
SD_CLAIM_RESPONSE_BILLING: Final = f"{BASE}/StructureDefinition/amo-claimresponse"
EXT_PA_REFERENCE: Final = f"{BASE}/StructureDefinition/item-preauth-ref"  # valueString
EXT_PRESCRIPTION: Final = f"{BASE}/StructureDefinition/item-prescription"  # valueReference
EXT_ALD: Final = f"{BASE}/StructureDefinition/item-ald"  # valueCodeableConcept (CodeSystem ald)
EXT_GENERIC: Final = f"{BASE}/StructureDefinition/item-generic-dispensed"  # valueBoolean
# The quantity the prescription allows the line (valuePositiveInt), when no MedicationRequest says.
EXT_PRESCRIBED_QUANTITY: Final = f"{BASE}/StructureDefinition/item-prescribed-quantity"
EXT_LINE_STATUS: Final = f"{BASE}/StructureDefinition/line-status"  # valueCode (domain LineStatus)
# On a stored Claim: the language its answers are written in (valueCode: ar, en; absent: fr).
EXT_ANSWER_LANGUAGE: Final = f"{BASE}/StructureDefinition/answer-language"
EXT_HOLD_UNTIL: Final = f"{BASE}/StructureDefinition/hold-until"  # valueDateTime

# Operations.
OD_ELIGIBILITY_SUBMIT: Final = f"{BASE}/OperationDefinition/CoverageEligibilityRequest-submit"
OD_SUBSCRIPTION_REPLAY: Final = f"{BASE}/OperationDefinition/Subscription-replay"

# Subscriptions: our topics, and the Subscriptions R5 Backport IG's canonicals (R4 style).
SUBSCRIPTION_TOPIC: Final = f"{BASE}/SubscriptionTopic"  # + "/<topic code>"
BACKPORT: Final = "http://hl7.org/fhir/uv/subscriptions-backport"
SD_BACKPORT_SUBSCRIPTION: Final = f"{BACKPORT}/StructureDefinition/backport-subscription"
SD_BACKPORT_NOTIFICATION: Final = (
    f"{BACKPORT}/StructureDefinition/backport-subscription-notification-r4"
)
SD_BACKPORT_STATUS: Final = f"{BACKPORT}/StructureDefinition/backport-subscription-status-r4"
EXT_FILTER_CRITERIA: Final = f"{BACKPORT}/StructureDefinition/backport-filter-criteria"
EXT_PAYLOAD_CONTENT: Final = f"{BACKPORT}/StructureDefinition/backport-payload-content"
EXT_TOPIC_CANONICAL: Final = (
    f"{BACKPORT}/StructureDefinition/capabilitystatement-subscriptiontopic-canonical"
)
OD_SUBSCRIPTION_EVENTS: Final = f"{BACKPORT}/OperationDefinition/backport-subscription-events"
OD_SUBSCRIPTION_STATUS: Final = f"{BACKPORT}/OperationDefinition/backport-subscription-status"

# HL7 systems we write codes of.
HL7_COVERAGE_CLASS: Final = "http://terminology.hl7.org/CodeSystem/coverage-class"
HL7_SUBSCRIBER_RELATIONSHIP: Final = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
HL7_RESTFUL_SECURITY: Final = "http://terminology.hl7.org/CodeSystem/restful-security-service"
HL7_OAUTH_URIS: Final = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
HL7_CLAIM_TYPE: Final = "http://terminology.hl7.org/CodeSystem/claim-type"
HL7_PROCESS_PRIORITY: Final = "http://terminology.hl7.org/CodeSystem/processpriority"
HL7_ADJUDICATION: Final = "http://terminology.hl7.org/CodeSystem/adjudication"
BCP47: Final = "urn:ietf:bcp:47"
UCUM: Final = "http://unitsofmeasure.org"

# Drug codes: a GTIN (an EAN-13 for a drug sold in Morocco), as GS1 writes its system or as
# the GS1 root OID.
GTIN_SYSTEMS: Final = frozenset({"https://www.gs1.org/gtin", "urn:oid:1.3.160"})

# Our benefit types (CodeSystem benefit-type).
BENEFIT_RATE: Final = "rate"  # allowedUnsignedInt: share paid by the RO, in percent
BENEFIT_BASE: Final = "base"  # allowedString: the tariff base (TNR, PPV, PBR, FLAT)
BENEFIT_ALD_EXEMPTION: Final = "ald-exemption"  # allowedUnsignedInt: rate for linked ALD care

PERSON_SYSTEMS: Final[dict[str, IdentifierKind]] = {
    IDCS: IdentifierKind.IDCS,
    CNSS: IdentifierKind.CNSS,
    CNOPS: IdentifierKind.CNOPS,
    CIN: IdentifierKind.CIN,
}
KIND_SYSTEMS: Final[dict[IdentifierKind, str]] = {
    kind: system for system, kind in PERSON_SYSTEMS.items()
}


def kind_of(system: str | None) -> IdentifierKind | None:
    """The identifier kind a system URI stands for, or None when it is not one of ours."""
    return PERSON_SYSTEMS.get(system or "")


kind_of_system = kind_of  # the name the search parameters parser uses


def system_of(kind: IdentifierKind) -> str:
    """The identifier system URI we publish for an identifier kind."""
    return KIND_SYSTEMS[kind]
