"""What a supplier's GSTR-1 reports, table by table, aggregated by the database (R-3.13, R-6.2): the
figures of the GSTR-1 summary (each table's effect, amendments by their difference to what they amend,
credit notes and adjusted advances reducing) and the classes GSTR-3B's liability tables are made of.

Every figure is an *effect on liability*: a document counts with its sign (credit notes reduce), an
amendment counts by its difference to the document or row it amends, advances adjusted reduce. A
reverse-charge document's tax is its recipient's (R-6.2): it is shown apart and counts in no total."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.db.models.fields import DecimalField

from invoices.models import Document, SummaryRow
from taxpayers.models import Taxpayer

ZERO = Decimal("0.00")
HEADS = ("txval", "iamt", "camt", "samt", "csamt")
SEZ_TYPES = ("SEWP", "SEWOP")
# The tables of GSTN's GSTR-1 summary, in its order, with the words it uses.
TABLES = (
    ("b2b", "4A, 4B, 6B, 6C – B2B invoices"),
    ("b2ba", "9A – Amended B2B invoices"),
    ("b2cl", "5 – B2C (large) invoices"),
    ("b2cla", "9A – Amended B2C (large) invoices"),
    ("exp", "6A – Exports invoices"),
    ("expa", "9A – Amended exports invoices"),
    ("cdnr", "9B – Credit/debit notes (registered)"),
    ("cdnra", "9C – Amended credit/debit notes (registered)"),
    ("cdnur", "9B – Credit/debit notes (unregistered)"),
    ("cdnura", "9C – Amended credit/debit notes (unregistered)"),
    ("b2cs", "7 – B2C (others)"),
    ("b2csa", "10 – Amended B2C (others)"),
    ("nil", "8A, 8B, 8C, 8D – Nil rated, exempted and non-GST supplies"),
    ("at", "11A(1), 11A(2) – Advances received"),
    ("ata", "11A – Amended advances received"),
    ("txpd", "11B(1), 11B(2) – Advances adjusted"),
    ("txpda", "11B – Amended advances adjusted"),
    ("supeco", "14 – Supplies made through e-commerce operators"),
    ("supecoa", "14A – Amended supplies made through e-commerce operators"),
    ("ecom", "15 – Supplies on which the e-commerce operator pays tax"),
    ("ecoma", "15A – Amended supplies on which the e-commerce operator pays tax"),
    ("hsn", "12 – HSN-wise summary of outward supplies"),
    ("doc_issue", "13 – Documents issued"),
    ("rcm", "Reverse charge documents (tax payable by the recipients)"),
)
TABLE_WORDS = dict(TABLES)
# Tables whose figures are not part of the return's total: descriptive or someone else's tax.
NOT_IN_TOTAL = {"nil", "hsn", "doc_issue", "supeco", "supecoa", "rcm"}
# Summary tables that reduce the liability.
REDUCING_ROWS = {"txpd", "txpda"}


def _zero() -> dict:
    return {h: ZERO for h in HEADS}


def _add(a: dict, b: dict, sign: int = 1) -> dict:
    return {h: a[h] + sign * (b.get(h) or ZERO) for h in HEADS}


@dataclass
class Figures:
    tables: dict = field(default_factory=dict)  # section -> {"count", txval, iamt, camt, samt, csamt}
    classes: dict = field(default_factory=lambda: defaultdict(_zero))  # a, b, eco, rcm
    nil: dict = field(default_factory=lambda: {"nil_amt": ZERO, "expt_amt": ZERO, "ngsup_amt": ZERO})
    inter_unregistered: dict = field(
        default_factory=lambda: defaultdict(lambda: {"txval": ZERO, "iamt": ZERO})
    )

    def total(self) -> dict:
        out = _zero()
        for section, t in self.tables.items():
            if section not in NOT_IN_TOTAL:
                out = _add(out, t)
        return out


# --- documents ---------------------------------------------------------------------------------------------


def _doc_class(prefix: str = "") -> Case:
    """The GSTR-3B class of a document: ``eco`` (3.1.1(i)), ``rcm`` (its recipient's tax), ``b`` (zero-rated,
    3.1(b)) or ``a`` (3.1(a))."""
    p = prefix
    return Case(
        When(**{f"{p}section__in": ("ecom", "ecoma")}, then=Value("eco")),
        When(**{f"{p}rchrg": True}, then=Value("rcm")),
        When(Q(**{f"{p}section__in": ("exp", "expa")}), then=Value("b")),
        When(
            Q(**{f"{p}section__in": ("cdnur", "cdnura"), f"{p}ur_typ__in": ("EXPWP", "EXPWOP")}),
            then=Value("b"),
        ),
        When(Q(**{f"{p}inv_typ__in": SEZ_TYPES}), then=Value("b")),
        default=Value("a"),
        output_field=CharField(),
    )


def _signed_doc(column: str, prefix: str = "") -> Case:
    """A document's amount as it moves liability: a credit note reduces."""
    amount = F(f"{prefix}{column}")
    return Case(
        When(**{f"{prefix}doc_type": "CN"}, then=-amount),
        default=amount,
        output_field=DecimalField(max_digits=17, decimal_places=2),
    )


def _documents(supplier: Taxpayer, months: list[int], filed_only: bool):
    qs = Document.objects.filter(supplier=supplier, period__in=months)
    return qs.filter(filed_at__isnull=False) if filed_only else qs


def _document_figures(out: Figures, docs) -> None:
    """Two GROUP BYs: the documents' own signed values by (table, class), and the values of the documents
    the amendments amend, by (amendment's table, amended document's class), subtracted."""
    own = (
        docs.annotate(cls=_doc_class())
        .values("section", "cls")
        .annotate(n=Count("id"), **{h: Sum(_signed_doc(h)) for h in HEADS})
        .order_by()
    )
    amended = (
        docs.filter(amends__isnull=False)
        .annotate(cls=_doc_class("amends__"))
        .values("section", "cls")
        .annotate(**{h: Sum(_signed_doc(h, "amends__")) for h in HEADS})
        .order_by()
    )
    for row, sign in [*((r, 1) for r in own), *((r, -1) for r in amended)]:
        section, cls = row["section"], row["cls"]
        values = {h: row[h] or ZERO for h in HEADS}
        table = "rcm" if cls == "rcm" else section
        entry = out.tables.setdefault(table, {"count": 0, **_zero()})
        entry["count"] += row.get("n", 0) if sign == 1 else 0
        entry.update(_add(entry, values, sign))
        out.classes[cls] = _add(out.classes[cls], values, sign)


def _document_inter_unregistered(out: Figures, docs) -> None:
    """3.2: B2C large invoices and notes on them, by place of supply, amendments by difference."""
    b2cl = Q(section__in=("b2cl", "b2cla")) | Q(section__in=("cdnur", "cdnura"), ur_typ="B2CL")
    own = (
        docs.filter(b2cl)
        .values("pos")
        .annotate(txval=Sum(_signed_doc("txval")), iamt=Sum(_signed_doc("iamt")))
        .order_by()
    )
    amended = (
        docs.filter(b2cl, amends__isnull=False)
        .values("amends__pos")
        .annotate(txval=Sum(_signed_doc("txval", "amends__")), iamt=Sum(_signed_doc("iamt", "amends__")))
        .order_by()
    )
    for row in own:
        _pos_add(out, row["pos"], row, 1)
    for row in amended:
        _pos_add(out, row["amends__pos"], row, -1)


def _pos_add(out: Figures, pos: str, row: dict, sign: int) -> None:
    entry = out.inter_unregistered[pos]
    entry["txval"] += sign * (row["txval"] or ZERO)
    entry["iamt"] += sign * (row["iamt"] or ZERO)


# --- summary rows ------------------------------------------------------------------------------------------


def _signed_row(column: str, prefix: str = "") -> Case:
    amount = F(f"{prefix}{column}")
    return Case(
        When(**{f"{prefix}section__in": tuple(REDUCING_ROWS)}, then=-amount),
        default=amount,
        output_field=DecimalField(max_digits=17, decimal_places=2),
    )


def _row_figures(out: Figures, rows) -> None:
    """Summary tables: own values less the rows the amendments amend; nil-rated values; 3.2 by place of
    supply for inter-state B2C small rows and advances."""
    nil_cols = ("nil_amt", "expt_amt", "ngsup_amt")
    own = (
        rows.values("section")
        .annotate(n=Count("id"), **{h: Sum(_signed_row(h)) for h in HEADS}, **{c: Sum(c) for c in nil_cols})
        .order_by()
    )
    amended = (
        rows.filter(amends__isnull=False)
        .values("section")
        .annotate(**{h: Sum(_signed_row(h, "amends__")) for h in HEADS})
        .order_by()
    )
    for row, sign in [*((r, 1) for r in own), *((r, -1) for r in amended)]:
        section = row["section"]
        values = {h: row[h] or ZERO for h in HEADS}
        entry = out.tables.setdefault(section, {"count": 0, **_zero()})
        entry["count"] += row.get("n", 0) if sign == 1 else 0
        if section in ("hsn", "doc_issue"):
            if section == "hsn":
                entry.update(_add(entry, values, sign))
            continue
        if section == "nil":
            for c in nil_cols:
                out.nil[c] += row[c] or ZERO
            continue
        entry.update(_add(entry, values, sign))
        if section not in ("supeco", "supecoa"):
            out.classes["a"] = _add(out.classes["a"], values, sign)
    inter = rows.filter(sply_ty="INTER", section__in=("b2cs", "b2csa", "at", "ata", "txpd", "txpda"))
    own_inter = inter.values("pos").annotate(txval=Sum(_signed_row("txval")), iamt=Sum(_signed_row("iamt")))
    for row in own_inter.order_by():
        _pos_add(out, row["pos"], row, 1)
    amended_inter = (
        inter.filter(amends__isnull=False)
        .values("amends__pos")
        .annotate(txval=Sum(_signed_row("txval", "amends__")), iamt=Sum(_signed_row("iamt", "amends__")))
        .order_by()
    )
    for row in amended_inter:
        _pos_add(out, row["amends__pos"], row, -1)


def outward_figures(*, supplier: Taxpayer, months: list[int], filed_only: bool) -> Figures:
    """The GSTR-1 of ``months`` (a month, or a quarter's three), of filed documents and rows only
    (``filed_only``, as GSTR-3B counts) or of everything saved too (the GSTR-1 summary). Eight queries."""
    out = Figures()
    docs = _documents(supplier, months, filed_only)
    _document_figures(out, docs)
    _document_inter_unregistered(out, docs)
    rows = SummaryRow.objects.filter(supplier=supplier, period__in=months)
    if filed_only:
        rows = rows.filter(filed_at__isnull=False)
    _row_figures(out, rows)
    out.inter_unregistered = {p: v for p, v in out.inter_unregistered.items() if v["txval"] or v["iamt"]}
    return out
