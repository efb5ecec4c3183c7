"""What the provider can do next: for each reason a prise en charge gives, and for the state it
is in. The French steps are here; the answer's language is a `fhir_profiles.wording.Wording`
(`wording_fr` holds these, `wording_ar` and `wording_en` their translations, by the same codes).

A reason's step holds only while it is true: what to send or wait for while the payer has not
decided, what to regularise while an urgent grant is provisional; afterwards the reason is
still said (it is the request's history) and the step of the state the prise en charge is in
says what to do.
"""

from __future__ import annotations

from typing import Final

from domain.prior_auth import PaStatus, PriorAuthorization
from fhir_profiles.wording import Wording

# Steps that hold while the payer has not decided.
WHILE_PENDING: Final[dict[str, str]] = {
    "examen-medical": "Attendez la décision du contrôle médical, due au plus tard le "
    "{deadline} ; répondez sans délai à toute demande de complément.",
    "hors-liste-medicaments-couteux": "Vérifiez le code EAN-13 du médicament ; sinon, le contrôle "
    "médical examine la demande sur l'ordonnance et le compte rendu médical.",
    "indication-non-couverte": "Transmettez le compte rendu médical qui justifie l'indication et "
    "l'ALD/ALC du patient, ou sa demande de reconnaissance d'ALD/ALC.",
    "specialite-non-autorisee": "Indiquez la spécialité du prescripteur (careTeam.qualification, "
    "CodeSystem specialty) ou transmettez l'ordonnance d'un prescripteur habilité.",
    "quantite-au-dela-du-plafond": "Justifiez la quantité dans le compte rendu médical, ou "
    "déposez une nouvelle demande ramenée au plafond de la période.",
}
# Steps that hold while the reviewer waits for the provider's information.
WHILE_INFORMATION: Final[dict[str, str]] = {
    "complement-compte-rendu": "Envoyez le compte rendu médical demandé à l'organisme payeur : "
    "l'examen de la demande reprend à sa réception.",
    "complement-piece-manquante": "Envoyez la pièce manquante à l'organisme payeur : l'examen "
    "de la demande reprend à sa réception.",
    "complement-ordonnance": "Envoyez l'ordonnance à l'organisme payeur : l'examen de la "
    "demande reprend à sa réception.",
    "complement-resultats-examens": "Envoyez les résultats d'analyses ou d'examens demandés à "
    "l'organisme payeur : l'examen de la demande reprend à leur réception.",
    "complement-imagerie": "Envoyez le compte rendu d'imagerie à l'organisme payeur : l'examen "
    "de la demande reprend à sa réception.",
    "complement-devis": "Envoyez le devis détaillé des soins à l'organisme payeur : l'examen de "
    "la demande reprend à sa réception.",
    "complement-precisions": "Répondez à la note du contrôle médical : l'examen de la demande "
    "reprend à réception de votre réponse.",
}
# Steps that hold whatever the state.
ALWAYS: Final[dict[str, str]] = {
    "droits-non-ouverts": "Vérifiez les droits du patient (demande d'éligibilité) et son "
    "immatriculation à la CNSS ou son affiliation à la CNOPS ; une nouvelle demande pourra être "
    "déposée une fois les droits ouverts.",
    "code-hors-nomenclature": "Codez la ligne en EAN-13 (GS1) pour un médicament, ou dans le "
    "CodeSystem care-category de la passerelle pour un acte ou un séjour, puis déposez une "
    "nouvelle demande pour cette ligne.",
    "ligne-non-accordee": "Cette ligne ne peut être facturée en tiers payant au titre de cette "
    "prise en charge ; une nouvelle demande motivée reste possible.",
    "refus-non-justifie": "Une nouvelle demande reste possible avec un dossier médical qui "
    "justifie les soins.",
    "refus-hors-nomenclature": "L'acte ou le produit n'est pas remboursable : il ne peut être "
    "facturé en tiers payant à l'organisme payeur.",
}
# The step of an urgent grant, while it waits for the reviewer's confirmation.
PROVISIONAL: Final = (
    "Transmettez le dossier de l'admission au contrôle médical pour régularisation au plus "
    "tard le {deadline} : l'accord provisoire ne vaut que jusqu'à sa confirmation."
)
STATES: Final[dict[PaStatus, str]] = {
    PaStatus.REQUESTED: "Attendez la décision de l'organisme payeur, due au plus tard le "
    "{deadline}.",
    PaStatus.INFO_REQUESTED: "Envoyez à l'organisme payeur les pièces demandées : l'examen de "
    "la demande reprend à leur réception.",
    PaStatus.GRANTED: "Facturez les soins accordés jusqu'au {valid_until} en citant la "
    "référence de prise en charge (preAuthRef).",
    PaStatus.PARTIAL: "Facturez les seuls soins accordés, jusqu'au {valid_until}, en citant la "
    "référence de prise en charge (preAuthRef).",
    PaStatus.REFUSED: "Une nouvelle demande, complétée des justificatifs, peut être déposée.",
    PaStatus.CONSUMED: "L'accord est entièrement utilisé : déposez une nouvelle demande pour "
    "des soins supplémentaires.",
    PaStatus.EXPIRED: "La validité de l'accord a pris fin le {valid_until} : déposez une "
    "nouvelle demande pour des soins à venir.",
    PaStatus.CANCELLED: "Rien ne peut plus être facturé au titre de cette prise en charge.",
}


def of_reason(code: str, pa: PriorAuthorization, w: Wording) -> str | None:
    """What to do about one reason now, None when it asks nothing more (or is not ours)."""
    if code in w.while_pending:
        return _filled(w.while_pending[code], pa, w) if pa.status.pending else None
    if code in w.while_information:
        return w.while_information[code] if pa.status is PaStatus.INFO_REQUESTED else None
    if code == "admission-urgente":
        return _filled(w.provisional, pa, w) if pa.provisional and pa.status.usable else None
    return w.always.get(code)


def says_state(code: str, pa: PriorAuthorization) -> bool:
    """Whether a reason's step already says what the state asks (what a pending request waits
    for, what the information asked for is)."""
    if pa.status is PaStatus.REQUESTED:
        return code in WHILE_PENDING
    return pa.status is PaStatus.INFO_REQUESTED and code in WHILE_INFORMATION


def of_state(pa: PriorAuthorization, w: Wording) -> str:
    """What to do, given the state the prise en charge is in."""
    return _filled(w.states[pa.status], pa, w)


def _filled(text: str, pa: PriorAuthorization, w: Wording) -> str:
    """A step with the prise en charge's dates."""
    until = "" if pa.valid_until is None else w.day(pa.valid_until)
    return text.format(deadline=w.moment(pa.deadline), valid_until=until)
