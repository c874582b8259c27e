"""Reading a reconciliation (issue 16): the period's current register, its counts, match rate and ITC at risk,
pages of its rows, and the per-supplier follow-up. Every query starts from the recipient."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from core.money import ZERO
from core.periods import format_date
from recon import domain
from recon.models import Category, Match, Register

TAX = ("iamt", "camt", "samt", "cess")
FOLLOW_UP = (Category.MISMATCH, Category.BOOKS_ONLY, Category.IMS_ONLY, Category.SUGGESTED)
PAIRED = (Category.MATCHED, Category.MISMATCH, Category.SUGGESTED)


def current_register(taxpayer_id: int, period: int) -> Register | None:
    return Register.objects.filter(taxpayer_id=taxpayer_id, period=period, current=True).first()


def latest_register(taxpayer_id: int) -> Register | None:
    """The current register of the latest period that has one (the dashboard's)."""
    return Register.objects.filter(taxpayer_id=taxpayer_id, current=True).order_by("-period").first()


def registers_of(taxpayer_id: int, period: int) -> list[Register]:
    return list(Register.objects.filter(taxpayer_id=taxpayer_id, period=period).order_by("-version"))


@dataclass(frozen=True)
class Summary:
    counts: dict[str, int]
    lines: int
    matched: int
    match_rate: Decimal | None  # per cent of the books' lines (duplicates aside) matched
    ims_only_tax: Decimal  # tax of records in IMS that are not in the books
    books_only_tax: Decimal  # tax in the books that is not in IMS


def summary(reg: Register) -> Summary:
    """Counts per category and the two amounts at risk, in one query."""
    rec_tax = sum((F(f"record__{h}") for h in TAX[1:]), F(f"record__{TAX[0]}"))
    line_tax = sum((F(f"line__{h}") for h in TAX[1:]), F(f"line__{TAX[0]}"))
    agg = Match.objects.filter(taxpayer_id=reg.taxpayer_id, register=reg).aggregate(
        **{c.value: Count("id", filter=Q(category=c.value)) for c in Category},
        ims_only_tax=Sum(rec_tax, filter=Q(category=Category.IMS_ONLY)),
        books_only_tax=Sum(line_tax, filter=Q(category=Category.BOOKS_ONLY)),
    )
    counts = {c.value: agg[c.value] for c in Category}
    lines = sum(counts[c] for c in (*PAIRED, Category.BOOKS_ONLY))
    matched = counts[Category.MATCHED]
    rate = (Decimal(matched * 100) / lines).quantize(Decimal("0.1")) if lines else None
    return Summary(
        counts=counts,
        lines=lines,
        matched=matched,
        match_rate=rate,
        ims_only_tax=agg["ims_only_tax"] or ZERO,
        books_only_tax=agg["books_only_tax"] or ZERO,
    )


def rows(reg: Register, *, category: str = "", q: str = "", supplier: str = ""):
    """The register's rows, filtered: by category, by number (a prefix of either side's number) and by
    supplier (a GSTIN prefix of either side). Order by id; page with ``core.api.keyset``."""
    qs = Match.objects.filter(taxpayer_id=reg.taxpayer_id, register=reg).select_related("line", "record")
    if category:
        qs = qs.filter(category=category)
    if q := q.strip().upper():
        qs = qs.filter(Q(line__number_key__startswith=q) | Q(record__number_key__startswith=q))
    if supplier := supplier.strip().upper():
        qs = qs.filter(Q(line__stin__startswith=supplier) | Q(record__stin__startswith=supplier))
    return qs


def side(obj) -> dict | None:
    """One side of a row (a register line or an IMS record), as the page and the API show it."""
    if obj is None:
        return None
    return {
        "stin": obj.stin,
        "trdnm": obj.trdnm,
        "typ": obj.doc_type,
        "num": obj.number,
        "dt": format_date(obj.doc_date),
        "txval": obj.txval,
        "iamt": obj.iamt,
        "camt": obj.camt,
        "samt": obj.samt,
        "csamt": obj.cess,
    }


def differences(m: Match) -> list[dict]:
    """Every compared field of a pair: agreed or differed, and by how much (IMS minus books)."""
    if m.line is None or m.record is None:
        return []
    differing = set(filter(None, m.fields.split(",")))
    out = [
        {"field": "gstin", "agrees": "gstin" not in differing},
        {"field": "number", "agrees": "number" not in differing},
        {"field": "type", "agrees": "type" not in differing},
        {"field": "date", "agrees": "date" not in differing, "by_days": m.d_days},
    ]
    for f in domain.AMOUNTS:
        out.append({"field": f, "agrees": f not in differing, "by": getattr(m, f"d_{f}")})
    return out


def followup(reg: Register) -> list[dict]:
    """Per supplier (GSTIN), its documents to take up with it — mismatches, suggested pairs, and documents
    missing on either side — with the rows in number order. One query."""
    qs = rows(reg).filter(category__in=FOLLOW_UP).order_by("id")
    by_supplier: dict[str, dict] = {}
    for m in qs:
        party = m.record or m.line
        entry = by_supplier.setdefault(
            party.stin, {"stin": party.stin, "trdnm": "", "rows": []}
        )
        entry["trdnm"] = entry["trdnm"] or (m.record.trdnm if m.record else "") or (m.line.trdnm if m.line else "")
        entry["rows"].append(m)
    out = sorted(by_supplier.values(), key=lambda e: (e["trdnm"] or e["stin"]).lower())
    for e in out:
        e["rows"].sort(key=lambda m: (m.record or m.line).number)
    return out
