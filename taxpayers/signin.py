"""Signing in (issue 14): failed attempts limited per username and per client address, with a lockout
that says when to try again (429 ``TOO_MANY_ATTEMPTS`` with ``Retry-After``, API.md); API tokens that
expire and that a password change revokes.

The counting is DRF's throttle machinery (``SimpleRateThrottle``: its cache, timer and sliding-window
history), keyed on failures rather than on requests: a right password after the lockout is refused too,
and each refused try costs no password hashing."""

import hashlib
import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, user_logged_in
from django.core.cache import cache
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from core.errors import RuleViolation


class FailedSignIns(SimpleRateThrottle):
    """The failures of one identity (a username, or a client address) in the last ``duration`` seconds."""

    cache_format = "signin-failures:%(scope)s:%(ident)s"

    def __init__(self, scope: str, ident: str, limit: int, duration: int):  # noqa: D107 — no rate string
        digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:40]
        self.key = self.cache_format % {"scope": scope, "ident": digest}  # any text makes a safe key
        self.num_requests, self.duration = limit, duration
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - duration]

    def locked(self) -> bool:
        return len(self.history) >= self.num_requests

    def retry_after(self) -> int:
        """Seconds until the oldest failure in the window leaves it."""
        return max(1, math.ceil(self.history[-1] + self.duration - self.now)) if self.history else 1

    def record(self) -> None:
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history[: self.num_requests * 2], self.duration)

    def reset(self) -> None:
        self.cache.delete(self.key)


def _limits() -> tuple[int, int, int]:
    return (
        settings.SIGNIN_FAILURES_PER_USERNAME,
        settings.SIGNIN_FAILURES_PER_ADDRESS,
        settings.SIGNIN_LOCKOUT_SECONDS,
    )


def client_address(request) -> str:
    # Behind a proxy the deployment sets REMOTE_ADDR from the proxy's header (gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or "unknown"


def _counters(request, username: str) -> list[FailedSignIns]:
    per_user, per_address, window = _limits()
    return [
        FailedSignIns("username", (username or "").strip().lower(), per_user, window),
        FailedSignIns("address", client_address(request), per_address, window),
    ]


def check_signin_allowed(request, username: str) -> None:
    """Refuse with 429 TOO_MANY_ATTEMPTS (and the seconds to wait) while either counter is locked."""
    locked = [c for c in _counters(request, username) if c.locked()]
    if locked:
        wait = max(c.retry_after() for c in locked)
        minutes = math.ceil(wait / 60)
        raise TooManyAttempts(
            f"Too many failed sign-ins; try again in {minutes} minute{'s' if minutes != 1 else ''}.", wait
        )


def record_signin(request, username: str, *, ok: bool) -> None:
    counters = _counters(request, username)
    if ok:
        counters[0].reset()  # the username's own failures; the address keeps its count
    else:
        for c in counters:
            c.record()


class TooManyAttempts(RuleViolation):
    def __init__(self, message: str, retry_after: int):
        super().__init__("TOO_MANY_ATTEMPTS", message, status=429)
        self.retry_after = retry_after


# --- tokens -----------------------------------------------------------------------------------------------


def token_ttl() -> timedelta:
    return timedelta(days=settings.API_TOKEN_TTL_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token older than API_TOKEN_TTL_DAYS (it is deleted: ask for a
    new one with POST /auth/token)."""

    def authenticate_credentials(self, key):
        # Every API request passes here: the user and the token's age by one plain query instead of the ORM's
        # join building (issue 12); DRF's own checks and messages.
        found = list(get_user_model().objects.raw(_TOKEN_SQL, [key]))
        if not found:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = found[0]
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token(key=key, user=user, created=user.token_created)
        token._state.adding = False
        if token.created < timezone.now() - token_ttl():
            token.delete()
            raise exceptions.AuthenticationFailed(
                "The token has expired; ask for a new one at POST /auth/token."
            )
        return user, token


_TOKEN_SQL = (
    f"SELECT u.*, t.created AS token_created FROM {get_user_model()._meta.db_table} u "
    f"JOIN {Token._meta.db_table} t ON t.user_id = u.id WHERE t.key = %s"
)


def fresh_token(user) -> Token:
    """The user's token, replaced by a new one when it has expired."""
    token, created = Token.objects.get_or_create(user=user)
    if not created and token.created < timezone.now() - token_ttl():
        token.delete()
        token = Token.objects.create(user=user)
    return token


@receiver(pre_save, sender=get_user_model())
def _revoke_tokens_on_password_change(sender, instance, **kwargs):
    """A changed password revokes the user's API token (sessions follow Django's own session hash)."""
    fields = kwargs.get("update_fields")
    if instance.pk is None or (fields is not None and "password" not in fields):
        return
    old = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is not None and old != instance.password:
        Token.objects.filter(user_id=instance.pk).delete()


# --- sessions: "sign out everywhere else" -----------------------------------------------------------------
# Each user has a session epoch (in the shared cache); a session remembers the epoch it signed in under and
# ends once the user's epoch moves on. A lost cache entry reads as 0 and ends every newer session: the
# safe direction.


def _epoch_key(user_id: int) -> str:
    return f"session-epoch:{user_id}"


def session_epoch(user_id: int) -> int:
    return int(cache.get(_epoch_key(user_id), 0))


def sign_out_other_sessions(request) -> None:
    """Every other session of this user ends at its next request; this one carries on."""
    new = session_epoch(request.user.pk) + 1
    cache.set(_epoch_key(request.user.pk), new, None)
    request.session["session_epoch"] = new


@receiver(user_logged_in)
def _remember_epoch(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session["session_epoch"] = session_epoch(user.pk)


def session_outdated(request) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return False
    if "_auth_user_id" not in request.session:  # token or forced authentication: no session to end
        return False
    return request.session.get("session_epoch", 0) != session_epoch(user.pk)
