"""Domain errors: they know nothing of HTTP; the gateway maps each to a status."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every business error. `code` is a stable code of the reason CodeSystem."""

    code = "erreur-metier"

    def __init__(
        self, detail: str = "", *, code: str | None = None, expression: str | None = None
    ) -> None:
        super().__init__(detail or self.code)
        self.detail = detail  # French, for the person at the desk; never patient data
        self.expression = expression  # FHIRPath of the element at fault, when there is one
        if code is not None:
            self.code = code


class InvalidIdentifier(DomainError):
    """A person or provider identifier does not have the shape its system requires."""

    code = "identifiant-invalide"


class MalformedRequest(DomainError):
    """The request is not well-formed: not the structure its type requires (answered 400)."""

    code = "ressource-invalide"


class InvalidRequest(DomainError):
    """The request is well-formed but says something the rules cannot accept (422)."""

    code = "requete-invalide"


class UnknownCode(DomainError):
    """A code is not in the value set its element is bound to."""

    code = "code-inconnu"


class NotFound(DomainError):
    """The resource does not exist for this caller (a foreign id is not found either)."""

    code = "ressource-introuvable"


class Conflict(DomainError):
    """The request conflicts with what is already recorded."""

    code = "conflit"


class StaleState(Conflict):
    """What a decision was made from changed before it could be recorded: nothing of it was
    recorded, and it may be made again from the new state."""

    code = "modification-concurrente"


class KeyReused(DomainError):
    """An Idempotency-Key the client already used for another request (answered 422)."""

    code = "cle-idempotence-reutilisee"


class InProgress(Conflict):
    """A request with the same Idempotency-Key is still being answered: retry after
    `retry_after` seconds to get its answer."""

    code = "requete-en-cours"

    def __init__(self, retry_after: float) -> None:
        super().__init__("Une requête avec cette clé d'idempotence est en cours de traitement")
        self.retry_after = retry_after


class ReferenceDataError(DomainError):
    """Reference data is missing or contradictory for the date asked."""

    code = "referentiel-incomplet"


class TooLarge(DomainError):
    """The request carries more than one request may (items, entries, identifiers)."""

    code = "requete-trop-volumineuse"


class RateLimited(DomainError):
    """The client asked more than its share: it may retry after `retry_after` seconds."""

    code = "limite-de-debit"

    def __init__(self, retry_after: float) -> None:
        super().__init__("Trop de requêtes : réessayez plus tard")
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A store the exchange needs is unreachable or too slow: nothing was done, retry later."""

    code = "service-indisponible"
