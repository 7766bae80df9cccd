"""Domain errors: what a service refuses, as a sentence a person understands and a machine code.

Services raise these and never speak HTTP; the API layer turns each kind into a status in one place
(``core.api.exception_handler``) and the HTML pages show the message. A subclass names the kind of refusal, not the
status it becomes:

========================  ======  ==========================================================
class                     status  when
========================  ======  ==========================================================
``Invalid``               400     the request itself is wrong (a missing field, a bad value)
``NotAuthenticated``      401     wrong credentials
``Forbidden``             403     this person may not do this (not the owner, suspended, ...)
``NotFound``              404     there is no such thing, or this person may not see it
``Conflict``              409     the thing is not in a state that allows it (already done, ...)
``TooLarge``              413     an upload over the limits
``Refused``               422     understood and refused by a rule (the prompt policy)
``LimitReached``          429     a quota, a concurrency limit or a slow-down
========================  ======  ==========================================================

``extra`` holds fields the API adds to the error body (``{"detail", "code", **extra}``), e.g. when a quota resets.
"""

from __future__ import annotations


class DomainError(Exception):
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}

    def __str__(self) -> str:
        return self.message


class Invalid(DomainError):
    default_code = "invalid"


class NotAuthenticated(DomainError):
    default_code = "not_authenticated"


class Forbidden(DomainError):
    default_code = "forbidden"


class NotFound(DomainError):
    default_code = "not_found"


class Conflict(DomainError):
    default_code = "conflict"


class TooLarge(DomainError):
    default_code = "too_large"


class Refused(DomainError):
    default_code = "refused"


class LimitReached(DomainError):
    default_code = "limit_reached"
