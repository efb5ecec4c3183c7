"""`amo-gateway authorizations key-patients`: give the prises en charge recorded before they
kept their patient's key that key, from the request each answers, so that their patient's
claims are covered again (without it, a prise en charge covers no one).

Batches commit one at a time: the work can be interrupted and run again; a prise en charge
already keyed is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters.patient_keys import BlindPatientKey
from domain.authorization_ports import PatientKey
from domain.prior_auth import PaStatus
from domain.reference import ReferenceData
from domain.services.prior_auth_keys import patient_key
from domain.uow_ports import UnitOfWorkFactory
from fhir_profiles.claim_form import stored_patient
from gateway.bootstrap import load_reference, open_storage
from gateway.settings import Settings

BATCH = 200
# Never usable again, whatever happens (a consumed one is, when a claim gives units back).
_CLOSED = (PaStatus.REFUSED, PaStatus.CANCELLED)


@dataclass(frozen=True, slots=True)
class KeyReport:
    """What a run did: how many were keyed, and those it could not key."""

    keyed: int
    unresolved: tuple[str, ...]  # their request finds no member: they stay for no one
    changed: tuple[str, ...] = ()  # changed while the run read them: run it again


def key_patients(settings: Settings) -> KeyReport:
    """Key every prise en charge of the store recorded without its patient's key."""
    with open_storage(settings) as storage:
        ref = load_reference(storage.uow)
        return key_all(storage.uow, ref, BlindPatientKey(storage.index))


def key_all(
    uow: UnitOfWorkFactory, ref: ReferenceData, key: PatientKey, *, batch: int = BATCH
) -> KeyReport:
    """Key the prises en charge without their patient's key that may still cover a claim, a
    batch per transaction."""
    keyed, unresolved, changed, after = 0, [], [], ""
    while True:
        with uow() as work:
            page = work.authorizations.page(after, batch)
            for stored in page:
                if stored.authorization.patient or stored.authorization.status in _CLOSED:
                    continue
                patient = patient_key(
                    stored, read=stored_patient, find=work.members.find, key=key, ref=ref
                )
                if not patient:
                    unresolved.append(stored.authorization.id)
                elif work.authorizations.record_patient(stored, patient):
                    keyed += 1
                else:
                    changed.append(stored.authorization.id)
            work.commit()
        if len(page) < batch:
            return KeyReport(keyed, tuple(unresolved), tuple(changed))
        after = page[-1].authorization.id
