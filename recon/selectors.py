"""Reading a reconciliation (issue 16): the period's current register, its counts, match rate and ITC at risk,
pages of its rows, and the per-supplier follow-up. Every query starts from the recipient."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from core.money import ZERO
from core.periods import format_date
from ims.models import ImsRecord
from recon import domain
from recon.models import Category, Line, Match, Register

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


def _tax(model, **filters) -> Decimal:
    total = sum((F(h) for h in TAX[1:]), F(TAX[0]))
    return model.objects.filter(**filters).aggregate(t=Sum(total))["t"] or ZERO


def summary(reg: Register) -> Summary:
    """Counts per category and the two amounts at risk: three queries, each naming the recipient."""
    t = reg.taxpayer_id
    mine = Match.objects.filter(taxpayer_id=t, register=reg)
    agg = mine.aggregate(**{c.value: Count("id", filter=Q(category=c.value)) for c in Category})
    ims_only = _tax(
        ImsRecord, recipient_id=t, id__in=mine.filter(category=Category.IMS_ONLY).values("record_id")
    )
    books_only = _tax(Line, taxpayer_id=t, id__in=mine.filter(category=Category.BOOKS_ONLY).values("line_id"))
    counts = {c.value: agg[c.value] for c in Category}
    lines = sum(counts[c] for c in (*PAIRED, Category.BOOKS_ONLY))
    matched = counts[Category.MATCHED]
    rate = (Decimal(matched * 100) / lines).quantize(Decimal("0.1")) if lines else None
    return Summary(
        counts=counts,
        lines=lines,
        matched=matched,
        match_rate=rate,
        ims_only_tax=ims_only,
        books_only_tax=books_only,
    )


def rows(reg: Register, *, category: str = "", q: str = "", supplier: str = ""):
    """The register's rows, filtered: by category, by number (a prefix of either side's number) and by
    supplier (a GSTIN prefix of either side). Order by id; page with ``core.api.keyset``, then ``attach``.
    Each side is looked up by its owner's key (never a join: the tables are distributed by owner)."""
    t = reg.taxpayer_id
    qs = Match.objects.filter(taxpayer_id=t, register=reg)
    if category:
        qs = qs.filter(category=category)
    for value, key in ((q, "number_key"), (supplier, "stin")):
        if value := value.strip().upper():
            lines = Line.objects.filter(taxpayer_id=t, register=reg, **{f"{key}__startswith": value})
            records = ImsRecord.objects.filter(recipient_id=t, **{f"{key}__startswith": value})
            qs = qs.filter(Q(line_id__in=lines.values("id")) | Q(record_id__in=records.values("id")))
    return qs


def attach(reg: Register, matches: list[Match]) -> list[Match]:
    """Give each row its line and record: two queries whatever the number of rows."""
    t = reg.taxpayer_id
    line_ids = {m.line_id for m in matches if m.line_id}
    record_ids = {m.record_id for m in matches if m.record_id}
    lines = {x.id: x for x in Line.objects.filter(taxpayer_id=t, id__in=line_ids)} if line_ids else {}
    records = (
        {x.id: x for x in ImsRecord.objects.filter(recipient_id=t, id__in=record_ids)} if record_ids else {}
    )
    for m in matches:
        m.line = lines.get(m.line_id) if m.line_id else None
        m.record = records.get(m.record_id) if m.record_id else None
    return matches


def chunks(reg: Register, qs, size: int = 2000):
    """``qs``'s rows in id order, ``size`` at a time, each chunk with its lines and records attached."""
    last = 0
    while True:
        part = list(qs.filter(id__gt=last).order_by("id")[:size])
        if not part:
            return
        last = part[-1].id
        yield attach(reg, part)


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
    missing on either side — with the rows in number order."""
    by_supplier: dict[str, dict] = {}
    for m in (m for part in chunks(reg, rows(reg).filter(category__in=FOLLOW_UP)) for m in part):
        party = m.record or m.line
        entry = by_supplier.setdefault(party.stin, {"stin": party.stin, "trdnm": "", "rows": []})
        entry["trdnm"] = (
            entry["trdnm"] or (m.record.trdnm if m.record else "") or (m.line.trdnm if m.line else "")
        )
        entry["rows"].append(m)
    out = sorted(by_supplier.values(), key=lambda e: (e["trdnm"] or e["stin"]).lower())
    for e in out:
        e["rows"].sort(key=lambda m: (m.record or m.line).number)
    return out
