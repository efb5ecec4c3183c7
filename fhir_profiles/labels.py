"""Display names: from the reference data when it has them, else the tables here."""

from __future__ import annotations

from datetime import date
from typing import Final

from domain.eligibility import EligibilityStatus
from domain.prior_auth import PaStatus
from domain.reference import ReferenceData

STATUS_LABELS: Final[dict[EligibilityStatus, str]] = {
    EligibilityStatus.OPEN: "Droits ouverts",
    EligibilityStatus.WAITING_PERIOD: "Période de stage",
    EligibilityStatus.SUSPENDED: "Droits suspendus",
    EligibilityStatus.MAINTAINED: "Droits maintenus",
    EligibilityStatus.NOT_FOUND: "Assuré introuvable",
    EligibilityStatus.DOUBLE_AFFILIATION: "Double affiliation",
}

PA_STATUS_LABELS: Final[dict[PaStatus, str]] = {
    PaStatus.REQUESTED: "Demande en attente de la décision de l'organisme payeur",
    PaStatus.INFO_REQUESTED: "Complément d'information demandé par le contrôle médical",
    PaStatus.GRANTED: "Prise en charge accordée",
    PaStatus.PARTIAL: "Prise en charge accordée en partie",
    PaStatus.REFUSED: "Prise en charge refusée",
    PaStatus.CONSUMED: "Prise en charge entièrement utilisée",
    PaStatus.EXPIRED: "Prise en charge expirée",
    PaStatus.CANCELLED: "Prise en charge annulée",
}

# Used when the reference data carries category codes without labels.
CATEGORY_LABELS: Final[dict[str, str]] = {
    "consultation": "Consultations et actes ambulatoires",
    "pharmacy": "Médicaments",
    "costly-drug": "Médicaments coûteux",
    "hospitalisation": "Hospitalisation",
    "day-hospital": "Hôpital de jour",
    "laboratory": "Analyses de biologie médicale",
    "radiology": "Radiologie et imagerie médicale",
    "dental": "Soins dentaires",
    "dental-prosthesis": "Prothèses dentaires",
    "optics": "Optique médicale",
    "device": "Dispositifs médicaux, prothèses, orthèses et implants",
    "physiotherapy": "Rééducation et soins en séries",
    "dialysis": "Dialyse",
    "oncology": "Oncologie",
    "maternity": "Maternité : grossesse et accouchement",
}

# Prescribers' medical specialties (CodeSystem specialty): the qualifications of the Moroccan
# order of physicians most often asked of a prescriber; the drug catalog may name others, which
# are published with their code as label.
SPECIALTY_LABELS: Final[dict[str, str]] = {
    "medecine-generale": "Médecine générale",
    "medecine-interne": "Médecine interne",
    "oncologie": "Oncologie médicale",
    "radiotherapie": "Radiothérapie",
    "hematologie": "Hématologie clinique",
    "hepato-gastroenterologie": "Hépato-gastro-entérologie",
    "nephrologie": "Néphrologie",
    "rhumatologie": "Rhumatologie",
    "cardiologie": "Cardiologie",
    "pneumologie": "Pneumo-phtisiologie",
    "endocrinologie": "Endocrinologie et maladies métaboliques",
    "neurologie": "Neurologie",
    "psychiatrie": "Psychiatrie",
    "dermatologie": "Dermatologie",
    "pediatrie": "Pédiatrie",
    "gynecologie-obstetrique": "Gynécologie-obstétrique",
    "ophtalmologie": "Ophtalmologie",
    "oto-rhino-laryngologie": "Oto-rhino-laryngologie",
    "urologie": "Urologie",
    "chirurgie-generale": "Chirurgie générale",
    "traumatologie-orthopedie": "Traumatologie-orthopédie",
    "anesthesie-reanimation": "Anesthésie-réanimation",
    "medecine-physique": "Médecine physique et réadaptation fonctionnelle",
    "infectiologie": "Maladies infectieuses",
    "chirurgie-dentaire": "Médecine dentaire",
}

BENEFIT_TYPE_LABELS: Final[dict[str, str]] = {
    "rate": "Taux de prise en charge par le régime obligatoire (pourcentage)",
    "base": "Base de remboursement (TNR, PPV, PBR, forfait)",
    "ald-exemption": "Taux appliqué aux soins liés à une ALD/ALC (ticket modérateur exonéré)",
}


def categories(ref: ReferenceData, day: date | None = None) -> dict[str, str]:
    """Care category codes with their French labels, in display order (in force on day)."""
    rows = ref.care_categories
    if rows:
        return {r.code: r.label for r in rows if day is None or r.validity.covers(day)}
    return {code: CATEGORY_LABELS.get(code, code) for code in ref.categories}


_LABELS: dict[int, tuple[ReferenceData, dict[str, str]]] = {}


def category_label(ref: ReferenceData, code: str) -> str:
    """A care category's French label (built once per reference dataset)."""
    known = _LABELS.get(id(ref))
    if known is None or known[0] is not ref:  # the dataset is kept: its id stays its own
        if len(_LABELS) > 16:  # a few datasets per process at most; tests make more
            _LABELS.clear()
        known = _LABELS[id(ref)] = (ref, categories(ref))
    return known[1].get(code, code)


def scheme_label(ref: ReferenceData, code: str) -> str:
    """The French name of a scheme (its code when unknown)."""
    return next((s.label for s in ref.schemes if s.code == code), code)


def payer_label(ref: ReferenceData, code: str) -> str:
    """The French name of a payer (its code when unknown)."""
    return next((p.label for p in ref.payers if p.code == code), code)


_SPECIALTIES: dict[int, tuple[ReferenceData, dict[str, str]]] = {}


def specialties(ref: ReferenceData) -> dict[str, str]:
    """Prescribers' specialties with their French labels: ours, then any other the drug
    catalog names (its code as label); built once per reference dataset."""
    known = _SPECIALTIES.get(id(ref))
    if known is None or known[0] is not ref:
        if len(_SPECIALTIES) > 16:  # as for category labels: a few datasets per process
            _SPECIALTIES.clear()
        found = dict(SPECIALTY_LABELS)
        for drug in ref.drugs:
            for code in (drug.specialties or "").split():
                found.setdefault(code, code)
        known = _SPECIALTIES[id(ref)] = (ref, found)
    return known[1]


def pa_types(ref: ReferenceData, day: date | None = None) -> dict[str, str]:
    """Kinds of prise en charge with their French labels (in force on day)."""
    return {t.code: t.label for t in ref.pa_types if day is None or t.validity.covers(day)}
