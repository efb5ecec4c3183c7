"""StructureDefinitions of prior authorization (differential only): the Claim we accept, the
ClaimResponse we send, and the extensions the answers carry (a counter check's too)."""

from __future__ import annotations

from typing import Any, Final

from fhir_profiles import systems
from fhir_profiles.profiles import AMO_1
from fhir_profiles.publication import constraint, element, value_set_url

Json = dict[str, Any]
CLAIM: Final = "Claim"
RESPONSE: Final = "ClaimResponse"
_BY_URL: Final = {"discriminator": [{"type": "value", "path": "url"}], "rules": "open"}


def structure_definitions() -> list[Json]:
    """The Claim and ClaimResponse profiles, and the extensions of the ClaimResponse."""
    return [
        _claim_profile(),
        _response_profile(),
        _extension(
            "decision-deadline", systems.EXT_DECISION_DEADLINE, "DecisionDeadline",
            "Échéance de la décision du payeur", "dateTime",
            "Date et heure auxquelles l'organisme payeur doit avoir décidé d'une demande en "
            "attente (contrôle médical), ou confirmé un accord provisoire (admission urgente).",
        ),
        _extension(
            "decision-overdue", systems.EXT_DECISION_OVERDUE, "DecisionOverdue",
            "Décision en retard", "boolean",
            "L'échéance de la décision est dépassée et le prestataire comme le payeur en ont "
            "été avertis.",
        ),
        _extension(
            "provisional-authorization", systems.EXT_PROVISIONAL, "ProvisionalAuthorization",
            "Accord provisoire", "boolean",
            "Accord donné sans attendre le contrôle médical pour des soins urgents : il doit "
            "être régularisé avant l'échéance (extension decision-deadline).",
        ),
        _extension(
            "hold-until", systems.EXT_HOLD_UNTIL, "HoldUntil",
            "Fin de la réservation", "dateTime",
            "Réponse à une vérification au comptoir (use = predetermination) : jusqu'à cette "
            "date et heure, les unités de prise en charge trouvées sont réservées à la demande "
            "de remboursement du même prestataire qui suivra ; ensuite, elles ne le sont plus.",
        ),
    ]  # fmt: skip


def _claim_profile() -> Json:
    """The prior authorization request we accept."""
    sd = constraint(
        "amo-claim-preauthorization", systems.SD_CLAIM, "AmoClaimPreauthorization",
        "Demande de prise en charge préalable AMO", "resource", CLAIM,
    )  # fmt: skip
    sd["description"] = (
        "Demande de prise en charge (accord préalable) adressée à la passerelle AMO : seule, "
        "ou dans un Bundle de type collection (Da Vinci PAS, NHCX), document (HCX) ou message "
        "(NPHIES) avec les ressources qu'elle référence."
    )
    sd["differential"] = {
        "element": [
            element(CLAIM, constraint=[AMO_1]),
            element(f"{CLAIM}.status", patternCode="active", mustSupport=True),
            element(
                f"{CLAIM}.type",
                mustSupport=True,
                comment="Sans subType, « pharmacy » demande un médicament coûteux et "
                "« institutional » une hospitalisation.",
            ),
            element(
                f"{CLAIM}.subType",
                mustSupport=True,
                binding={"strength": "extensible", "valueSet": value_set_url("pa-type")},
                comment="Le type de prise en charge ; exigé quand Claim.type ne le dit pas.",
            ),
            element(f"{CLAIM}.use", patternCode="preauthorization", mustSupport=True),
            element(f"{CLAIM}.patient", mustSupport=True),
            element(f"{CLAIM}.priority", mustSupport=True, comment="« stat » : soins urgents."),
            element(
                f"{CLAIM}.careTeam.qualification",
                mustSupport=True,
                binding={"strength": "extensible", "valueSet": value_set_url("specialty")},
                comment="La spécialité du prescripteur ; lue aussi sur PractitionerRole.specialty "
                "ou Practitioner.qualification.code de la ressource référencée.",
            ),
            element(f"{CLAIM}.item", min=1, mustSupport=True),
            element(
                f"{CLAIM}.item.productOrService",
                mustSupport=True,
                comment="Un médicament par son GTIN/EAN-13 (https://www.gs1.org/gtin), un acte "
                f"ou un séjour par sa catégorie ({systems.CS_CARE_CATEGORY}) ; une ligne codée "
                "dans un autre système n'est pas examinée (motif code-hors-nomenclature).",
            ),
            element(
                f"{CLAIM}.item.serviced[x]",
                mustSupport=True,
                comment="Date des soins : la première des lignes ; à défaut billablePeriod.start, "
                "sinon la date du jour.",
            ),
            element(f"{CLAIM}.item.quantity", comment="Un nombre entier positif ; 1 par défaut."),
            element(
                f"{CLAIM}.item.net",
                mustSupport=True,
                comment="En dirhams (MAD), au centime près ; à défaut unitPrice × quantity.",
            ),
        ]
    }
    return sd


def _response_profile() -> Json:
    """The prior authorization answer we send."""
    sd = constraint(
        "amo-claimresponse-preauthorization", systems.SD_CLAIM_RESPONSE,
        "AmoClaimResponsePreauthorization", "Réponse de prise en charge préalable AMO",
        "resource", RESPONSE,
    )  # fmt: skip
    sd["description"] = (
        "Réponse de la passerelle AMO à une demande de prise en charge : en attente (queued) "
        "avec l'échéance de la décision, ou décidée (complete) avec la référence, la période "
        "de validité et, ligne par ligne, ce qui est accordé ou pourquoi ne l'est pas."
    )
    ext = f"{RESPONSE}.extension"
    sd["differential"] = {
        "element": [
            element(ext, slicing=_BY_URL),
            _slice(ext, "decisionDeadline", systems.EXT_DECISION_DEADLINE),
            _slice(ext, "decisionOverdue", systems.EXT_DECISION_OVERDUE),
            _slice(ext, "provisionalAuthorization", systems.EXT_PROVISIONAL),
            element(f"{RESPONSE}.subType", binding=_extensible("pa-type")),
            element(f"{RESPONSE}.use", patternCode="preauthorization"),
            element(f"{RESPONSE}.preAuthRef", mustSupport=True),
            element(f"{RESPONSE}.preAuthPeriod", mustSupport=True),
            element(f"{RESPONSE}.item.adjudication.reason", binding=_extensible("reason")),
            element(
                f"{RESPONSE}.processNote",
                mustSupport=True,
                comment="Chaque motif en français et ce que le prestataire peut faire ensuite.",
            ),
        ]
    }
    return sd


def _slice(path: str, name: str, url: str) -> Json:
    """An optional slice of extension."""
    return element(
        path, sliceName=name, min=0, max="1", type=[{"code": "Extension", "profile": [url]}]
    )


def _extensible(rid: str) -> Json:
    """An extensible binding to one of our ValueSets."""
    return {"strength": "extensible", "valueSet": value_set_url(rid)}


def _extension(rid: str, url: str, name: str, title: str, kind: str, description: str) -> Json:
    """A simple extension of ClaimResponse with one value of a type."""
    sd = constraint(rid, url, name, title, "complex-type", "Extension")
    sd["description"] = description
    sd["context"] = [{"type": "element", "expression": RESPONSE}]
    sd["differential"] = {
        "element": [
            element("Extension", max="1"),
            element("Extension.extension", max="0"),
            element("Extension.url", fixedUri=url),
            element("Extension.value[x]", min=1, type=[{"code": kind}]),
        ]
    }
    return sd
