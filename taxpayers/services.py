"""Writes about taxpayers, members and users (R-1, R-8)."""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from core import clock
from core.errors import DomainError, NotFound, RuleViolation, ValidationFailed
from core.periods import parse_period
from taxpayers.domain import (
    IMS_LAUNCH_PERIOD,
    frequency_change_error,
    gstin_error,
    normalize_gstin,
    start_period_error,
)

from .models import FilingFrequency, Membership, Role, Taxpayer

User = get_user_model()

# Work that higher apps do, in the same transaction, when a GSTIN registers (the invoices app gives it IMS
# records for documents already addressed to it, R-1.4). Filled by their AppConfig.ready: this app imports
# none of them.
ON_REGISTERED: list[Callable[[Taxpayer], None]] = []


NAME_MAX = 200  # the columns' length (Taxpayer.legal_name, trade_name)


@transaction.atomic
def taxpayer_create(
    *, gstin, legal_name, trade_name="", filing_frequency="M", ims_start_period=None, eco_operator=False
) -> Taxpayer:
    errors = []
    g = normalize_gstin(gstin)
    if (err := gstin_error(g)) is not None:
        errors.append({"path": "gstin", "code": err[0], "message": err[1]})
    if not isinstance(legal_name, str) or not legal_name.strip():
        errors.append({"path": "legal_name", "code": "REQUIRED", "message": "The legal name is required."})
    elif len(legal_name.strip()) > NAME_MAX:
        errors.append({"path": "legal_name", "code": "INVALID", "message": f"At most {NAME_MAX} characters."})
    if trade_name is not None and not isinstance(trade_name, str):
        errors.append({"path": "trade_name", "code": "INVALID", "message": "The trade name is text."})
    elif len((trade_name or "").strip()) > NAME_MAX:
        errors.append({"path": "trade_name", "code": "INVALID", "message": f"At most {NAME_MAX} characters."})
    if filing_frequency not in ("M", "Q"):
        errors.append(
            {"path": "filing_frequency", "code": "INVALID", "message": "Filing frequency is M or Q."}
        )
    start = IMS_LAUNCH_PERIOD
    if ims_start_period not in (None, ""):
        try:
            start = parse_period(ims_start_period)
        except DomainError as exc:
            errors.append({"path": "ims_start_period", "code": exc.code, "message": exc.message})
        else:
            if filing_frequency in ("M", "Q") and (err := start_period_error(start, filing_frequency)):
                errors.append({"path": "ims_start_period", "code": err[0], "message": err[1]})
    if not isinstance(eco_operator, bool):
        errors.append(
            {"path": "eco_operator", "code": "INVALID", "message": "eco_operator is true or false."}
        )
    if errors:
        raise ValidationFailed(errors)
    if Taxpayer.objects.filter(gstin=g).exists():
        raise RuleViolation("ALREADY_EXISTS", f"GSTIN {g} is already registered.")
    try:
        with transaction.atomic():
            taxpayer = Taxpayer.objects.create(
                gstin=g,
                legal_name=legal_name.strip(),
                trade_name=(trade_name or "").strip(),
                state_code=g[:2],
                ims_start_period=start,
                eco_operator=eco_operator,
                created_at=clock.now(),
            )
    except IntegrityError as exc:
        raise RuleViolation("ALREADY_EXISTS", f"GSTIN {g} is already registered.") from exc
    FilingFrequency.objects.create(taxpayer=taxpayer, from_period=start, frequency=filing_frequency)
    # documents already addressed to this GSTIN appear in its IMS now.
    for hook in ON_REGISTERED:
        hook(taxpayer)
    return taxpayer


@transaction.atomic
def taxpayer_update(*, taxpayer: Taxpayer, eco_operator) -> Taxpayer:
    """Staff set whether a taxpayer is registered as an e-commerce operator (R-3.14)."""
    if not isinstance(eco_operator, bool):
        raise ValidationFailed(
            [{"path": "eco_operator", "code": "INVALID", "message": "eco_operator is true or false."}]
        )
    Taxpayer.objects.filter(id=taxpayer.id).update(eco_operator=eco_operator)
    taxpayer.eco_operator = eco_operator
    return taxpayer


MAKER_CHECKER_MODES = ("", "reject", "all")


def maker_checker_set(*, taxpayer: Taxpayer, mode) -> Taxpayer:
    """An owner turns maker-checker off, on for a preparer's rejects, or on for all of a preparer's actions
    (issue 17)."""
    if mode not in MAKER_CHECKER_MODES:
        raise ValidationFailed(
            [
                {
                    "path": "maker_checker",
                    "code": "INVALID",
                    "message": "maker_checker is '', 'reject' or 'all'.",
                }
            ]
        )
    Taxpayer.objects.filter(id=taxpayer.id).update(maker_checker=mode)
    taxpayer.maker_checker = mode
    return taxpayer


@transaction.atomic
def frequency_set(*, taxpayer: Taxpayer, from_period, frequency) -> Taxpayer:
    errors = []
    try:
        p = parse_period(from_period)
    except DomainError as exc:
        errors.append({"path": "from_period", "code": exc.code, "message": exc.message})
        p = None
    if frequency not in ("M", "Q"):
        errors.append({"path": "frequency", "code": "INVALID", "message": "Frequency is M or Q."})
    if p is not None and p < taxpayer.ims_start_period:
        errors.append(
            {
                "path": "from_period",
                "code": "BEFORE_START_PERIOD",
                "message": "Before the taxpayer's start period.",
            }
        )
    if errors:
        raise ValidationFailed(errors)
    err = frequency_change_error(p, clock.today())
    if err and err[0] == "QUARTER_STARTED":
        raise RuleViolation(*err)
    if err:
        raise ValidationFailed([{"path": "from_period", "code": err[0], "message": err[1]}])
    FilingFrequency.objects.update_or_create(
        taxpayer=taxpayer, from_period=p, defaults={"frequency": frequency}
    )
    return taxpayer


def _role(value, path: str) -> str:
    if value not in Role.values:
        raise ValidationFailed(
            [{"path": path, "code": "INVALID", "message": "Role is owner, preparer or viewer."}]
        )
    return value


@transaction.atomic
def member_add(*, taxpayer: Taxpayer, username, role) -> Membership:
    role = _role(role, "role")
    user = User.objects.filter(username=username).first() if isinstance(username, str) else None
    if user is None:
        raise ValidationFailed(
            [{"path": "username", "code": "INVALID", "message": "No user with that username."}]
        )
    if role != Role.OWNER:
        _keep_an_owner(taxpayer, leaving=user.username)
    membership, _ = Membership.objects.update_or_create(user=user, taxpayer=taxpayer, defaults={"role": role})
    return membership


def _keep_an_owner(taxpayer: Taxpayer, *, leaving: str) -> None:
    """A GSTIN keeps at least one owner: someone must be able to file its returns and manage members."""
    owners = list(
        Membership.objects.select_for_update()
        .filter(taxpayer=taxpayer, role=Role.OWNER)
        .values_list("user__username", flat=True)
    )
    if owners == [leaving]:
        raise RuleViolation(
            "LAST_OWNER", "The last owner cannot be removed or demoted; add another owner first."
        )


@transaction.atomic
def member_remove(*, taxpayer: Taxpayer, username: str) -> None:
    _keep_an_owner(taxpayer, leaving=username)
    deleted, _ = Membership.objects.filter(taxpayer=taxpayer, user__username=username).delete()
    if not deleted:
        raise NotFound("No such member.")


@transaction.atomic
def user_create(*, username, password, email="", memberships=(), is_staff=False):
    errors = []
    if not isinstance(username, str) or not username.strip():
        errors.append({"path": "username", "code": "REQUIRED", "message": "A username is required."})
    if not isinstance(password, str) or len(password) < 8:
        errors.append(
            {"path": "password", "code": "INVALID", "message": "A password has at least 8 characters."}
        )
    if not isinstance(memberships, list | tuple):
        errors.append({"path": "memberships", "code": "INVALID", "message": "memberships is a list."})
        memberships = []
    resolved = []
    wanted = [normalize_gstin(m.get("gstin")) for m in memberships if isinstance(m, dict)]
    known = {t.gstin: t for t in Taxpayer.objects.filter(gstin__in=wanted)}
    seen = set()
    for i, m in enumerate(memberships):
        if not isinstance(m, dict):
            errors.append({"path": f"memberships[{i}]", "code": "INVALID", "message": "Expected an object."})
            continue
        g = normalize_gstin(m.get("gstin"))
        taxpayer = known.get(g)
        if taxpayer is None:
            errors.append({"path": f"memberships[{i}].gstin", "code": "INVALID", "message": "Unknown GSTIN."})
        elif g in seen:
            # One membership per user and GSTIN (membership_one_per_user): a repeat is an input error.
            errors.append(
                {
                    "path": f"memberships[{i}].gstin",
                    "code": "DUPLICATE",
                    "message": "This GSTIN is listed twice.",
                }
            )
            taxpayer = None
        seen.add(g)
        if m.get("role") not in Role.values:
            errors.append(
                {
                    "path": f"memberships[{i}].role",
                    "code": "INVALID",
                    "message": "Role is owner, preparer or viewer.",
                }
            )
        elif taxpayer:
            resolved.append((taxpayer, m["role"]))
    if errors:
        raise ValidationFailed(errors)
    username = username.strip()
    if User.objects.filter(username=username).exists():
        raise RuleViolation("ALREADY_EXISTS", f"User {username} already exists.")
    user = User.objects.create_user(
        username=username, password=password, email=email or "", is_staff=is_staff
    )
    Membership.objects.bulk_create([Membership(user=user, taxpayer=t, role=r) for t, r in resolved])
    return user
