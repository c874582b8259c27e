"""One error type for rule refusals, translated to the API body by one handler; and the error of pure
rules (``DomainError``), which carries a code and words but knows nothing of HTTP."""


class DomainError(ValueError):
    """A pure rule refused a value (a period, a date, a GSTIN part): ``code`` and a practitioner's words."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class RuleViolation(Exception):
    """A rule (RULES.md) or state refuses the request.

    ``code`` is the stable upper-case code of API.md; ``status`` the HTTP status the API answers with.
    """

    def __init__(self, code: str, message: str = "", *, details: list | None = None, status: int = 409):
        super().__init__(message or code)
        self.code = code
        self.message = message or code.replace("_", " ").capitalize()
        self.details = details or []
        self.status = status


class ValidationFailed(RuleViolation):
    """A request body with one or more problems, each with a path and a code."""

    def __init__(self, details: list[dict], message: str = "The request has errors; nothing was saved."):
        super().__init__("VALIDATION", message, details=details, status=400)


class NotFound(RuleViolation):
    def __init__(self, message: str = "Not found."):
        super().__init__("NOT_FOUND", message, status=404)


class Forbidden(RuleViolation):
    def __init__(self, message: str = "Your role does not allow this."):
        super().__init__("FORBIDDEN", message, status=403)
