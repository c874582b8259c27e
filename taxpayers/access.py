"""The one access helper (R-8): every API view and page reaches a taxpayer through it."""

from enum import Enum

from core.errors import Forbidden, NotFound
from taxpayers.domain import normalize_gstin

from .models import Membership, Role, Taxpayer


class Perm(Enum):
    READ = "read"
    WRITE = "write"  # save, edit, delete, upload documents; IMS actions; recompute 2B
    FILE = "file"  # file returns
    MANAGE = "manage"  # members and frequency


ROLE_PERMS = {
    Role.OWNER: {Perm.READ, Perm.WRITE, Perm.FILE, Perm.MANAGE},
    Role.PREPARER: {Perm.READ, Perm.WRITE},
    Role.VIEWER: {Perm.READ},
}


def role_for(user, taxpayer: Taxpayer) -> str | None:
    if user.is_staff:
        return Role.OWNER
    return Membership.objects.filter(user=user, taxpayer=taxpayer).values_list("role", flat=True).first()


def taxpayer_for(user, gstin: str, perm: Perm = Perm.READ) -> Taxpayer:
    """The taxpayer if ``user`` may ``perm`` it. Outsiders and unknown or malformed GSTINs get the same
    NotFound (R-8.2); members whose role lacks the right get Forbidden."""
    if not user or not user.is_authenticated:
        raise NotFound()
    g = normalize_gstin(gstin)
    if len(g) != 15:
        raise NotFound()
    if user.is_staff:
        taxpayer = Taxpayer.objects.filter(gstin=g).first()
        if taxpayer is None:
            raise NotFound()
        taxpayer.role = Role.OWNER
        return taxpayer
    # Every request of a member passes here: one plain query, not the ORM's join building (issue 12).
    found = list(Taxpayer.objects.raw(_MEMBER_SQL, [g, user.id]))
    if not found:
        raise NotFound()
    taxpayer = found[0]
    if perm not in ROLE_PERMS[Role(taxpayer.member_role)]:
        raise Forbidden()
    taxpayer.role = taxpayer.member_role
    return taxpayer


_MEMBER_SQL = (
    f"SELECT t.*, m.role AS member_role FROM {Taxpayer._meta.db_table} t "
    f"JOIN {Membership._meta.db_table} m ON m.taxpayer_id = t.id WHERE t.gstin = %s AND m.user_id = %s"
)


def visible_taxpayers(user):
    if user.is_staff:
        return Taxpayer.objects.all()
    return Taxpayer.objects.filter(memberships__user=user)


def can(user, taxpayer: Taxpayer, perm: Perm) -> bool:
    role = getattr(taxpayer, "role", None) or role_for(user, taxpayer)
    return role is not None and perm in ROLE_PERMS[Role(role)]
