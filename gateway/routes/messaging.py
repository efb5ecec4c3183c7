"""FHIR messaging: `$process-message` takes a `message` Bundle and answers with one.

The MessageHeader's focus says which exchange the message carries; the request then goes
through that exchange's use case exactly as if it had been submitted alone. The answer is a
message whose MessageHeader.response cites the request's header; a refused request is
answered the same way, its OperationOutcome in the message, with the status the error table
gives it. Ids and timestamp come from the stored answer, so a replay is the same message.
"""

from __future__ import annotations

from datetime import datetime

import orjson
from fastapi import APIRouter, Request, Response

from domain.errors import InvalidRequest
from domain.records import Answer
from fhir_profiles import envelope, reply
from fhir_profiles.envelope import MessageFacts
from gateway.auth import ROLE_PROVIDER, Caller
from gateway.deps import (
    AnyCaller,
    ClaimPortsDep,
    DocumentsBody,
    EligibilityPortsDep,
    FhirBody,
    IdempotencyHeader,
    PriorAuthPortsDep,
    ReferenceDep,
    SettingsDep,
    answer_language,
    require,
)
from gateway.errors import WrongRole, render_error
from gateway.fhirjson import FHIR_BODY, fhir_response
from gateway.routes import eligibility, prior_auth
from gateway.settings import Settings

router = APIRouter(prefix="/fhir", tags=["messaging"])
OPENAPI = FHIR_BODY("Bundle « message » : MessageHeader puis la demande qu'il désigne (NPHIES)")


@router.post("/$process-message", name="message.process", openapi_extra=OPENAPI)
async def process_message(
    request: Request,
    caller: AnyCaller,
    body: DocumentsBody,
    key: IdempotencyHeader,
    ref: ReferenceDep,
    ports: EligibilityPortsDep,
    pa_ports: PriorAuthPortsDep,
    claim_ports: ClaimPortsDep,
    settings: SettingsDep,
) -> Response:
    """Process a message synchronously; the answer is a message Bundle."""
    message, focus = envelope.opened_message(body)
    try:
        language = answer_language(request)
        sent = prior_auth.Asked(key, "$process-message", language, settings.max_attachment_bytes)
        answer = await _route(caller, focus, body, sent, ref, ports, pa_ports, claim_ports)
    except Exception as exc:  # answered in the message, through the one error table
        refused = await render_error(request, exc)
        outcome = orjson.loads(bytes(refused.body))
        pipeline = ports.exchange
        wrapped = _reply(outcome, message, settings, pipeline.new_id(), pipeline.clock.now())
        return fhir_response(wrapped, status=refused.status_code, headers=_kept(refused))
    resource = orjson.loads(answer.body)
    created = datetime.fromisoformat(resource["created"])
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    return fhir_response(
        _reply(resource, message, settings, answer.response_id, created), headers=headers
    )


async def _route(
    caller: Caller,
    focus: tuple[str, ...],
    body: FhirBody,
    sent: prior_auth.Asked,
    ref: ReferenceDep,
    ports: EligibilityPortsDep,
    pa_ports: PriorAuthPortsDep,
    claim_ports: ClaimPortsDep,
) -> Answer:
    """The exchange the message carries, run through its use case."""
    if caller.role != ROLE_PROVIDER:
        raise WrongRole(detail="Client d'un payeur : il n'envoie pas de demande de prestataire")
    if "CoverageEligibilityRequest" in focus:
        require(caller, "CoverageEligibilityRequest", "c")
        return await eligibility.check(caller, body, sent.key, sent.operation, ref, ports)
    if "Claim" in focus:  # a prior-authorization request (NPHIES priorauth-request)
        require(caller, "Claim", "c")
        return await prior_auth.ask(caller, body, sent, ref, pa_ports, claim_ports)
    raise InvalidRequest(
        f"Message non pris en charge ici : le MessageHeader désigne {', '.join(focus) or 'rien'}",
        code="type-ressource-invalide",
        expression="Bundle.entry[0].resource.focus",
    )


def _reply(
    resource: dict[str, object],
    message: MessageFacts,
    settings: Settings,
    message_id: str,
    at: datetime,
) -> dict[str, object]:
    return reply.answer(resource, message, message_id=message_id, timestamp=at,
                        base_url=settings.fhir_base)  # fmt: skip


def _kept(refused: Response) -> dict[str, str]:
    """The headers of an error answer worth keeping (Retry-After, WWW-Authenticate)."""
    wanted = ("retry-after", "www-authenticate")
    return {k: v for k, v in refused.headers.items() if k.lower() in wanted}
