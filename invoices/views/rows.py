"""The entry form for the GSTR-1 tables a person types by hand beyond B2B documents (R-3.13): a B2C
(others) row, an export invoice (one rate line) and an HSN summary row. Each builds GSTN's JSON for one
entry and saves it through the service the API uses; the service's errors go beside their fields."""

import re
from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from core.errors import RuleViolation, ValidationFailed
from core.pages import page_period, rule_message
from core.periods import period_code
from core.words import STATES
from invoices import services
from invoices.domain.gstr1_tables import UQC
from invoices.forms import RATE_CHOICES, typed_amount
from invoices.views.periods import CHANNEL, FORM_LABELS
from taxpayers.access import Perm
from taxpayers.pages import gstin_page

HEADS = [
    ("txval", "Taxable value (₹)"),
    ("iamt", "IGST (₹)"),
    ("camt", "CGST (₹)"),
    ("samt", "SGST/UTGST (₹)"),
    ("csamt", "Cess (₹)"),
]
# table -> (title, [(field, label, kind)]); kind: text, state, rate, uqc, choice:<a>|<b>, amount
TABLES = {
    "b2cs": (
        "B2C (others) row",
        [
            ("pos", "Place of supply", "state"),
            ("rt", "Rate (%)", "rate"),
            *[(f, label, "amount") for f, label in HEADS],
            ("etin", "E-commerce operator GSTIN (if sold through one)", "text"),
        ],
    ),
    "exp": (
        "Export invoice",
        [
            (
                "exp_typ",
                "Export type",
                "choice:WPAY=With payment of IGST|WOPAY=Under bond or LUT, without tax",
            ),
            ("inum", "Invoice number", "text"),
            ("idt", "Invoice date (DD-MM-YYYY)", "text"),
            ("sbpcode", "Port code", "text"),
            ("sbnum", "Shipping bill number", "text"),
            ("sbdt", "Shipping bill date (DD-MM-YYYY)", "text"),
            ("rt", "Rate (%)", "rate"),
            ("txval", "Taxable value (₹)", "amount"),
            ("iamt", "IGST (₹)", "amount"),
            ("csamt", "Cess (₹)", "amount"),
            ("val", "Invoice value (₹; blank: taxable value plus tax)", "amount"),
        ],
    ),
    "hsn": (
        "HSN summary row",
        [
            (
                "part",
                "Supplies",
                "choice:hsn_b2b=To registered persons (B2B)|hsn_b2c=To unregistered persons (B2C)",
            ),
            ("hsn_sc", "HSN / SAC code", "text"),
            ("desc", "Description", "text"),
            ("uqc", "Unit of quantity", "uqc"),
            ("qty", "Quantity", "amount"),
            ("rt", "Rate (%)", "rate"),
            *[(f, label, "amount") for f, label in HEADS],
        ],
    ),
}
_LAST = re.compile(r"([A-Za-z_]+)(?:\[\d+\])?$")


def payload(table: str, values: dict, supplier_state: str) -> dict:
    """One entry of ``table`` in GSTR-1 JSON, from the typed values."""
    num = {
        f: typed_amount(values.get(f, "")) for f, _, kind in TABLES[table][1] if kind in ("amount", "rate")
    }
    amounts = {f: v for f, v in num.items() if v is not None}
    if table == "b2cs":
        pos = values.get("pos", "")
        row = {"sply_ty": "INTRA" if pos == supplier_state else "INTER", "pos": pos, **amounts}
        if values.get("etin"):
            row.update({"typ": "E", "etin": values["etin"]})
        else:
            row["typ"] = "OE"
        return {"b2cs": [row]}
    if table == "exp":
        item = {f: amounts[f] for f in ("rt", "txval", "iamt", "csamt") if f in amounts}
        inv = {k: values.get(k, "") for k in ("inum", "idt")}
        for k in ("sbpcode", "sbnum", "sbdt"):
            if values.get(k):
                inv[k] = values[k]
        val = amounts.get("val")
        if val is None:
            parts = [v for k, v in item.items() if k != "rt" and isinstance(v, Decimal)]
            val = sum(parts, Decimal("0"))
        inv.update({"val": val, "itms": [item]})
        return {"exp": [{"exp_typ": values.get("exp_typ", ""), "inv": [inv]}]}
    part = values.get("part") if values.get("part") in ("hsn_b2b", "hsn_b2c") else "hsn_b2b"
    row = {k: values.get(k, "") for k in ("hsn_sc", "uqc")}
    if values.get("desc"):
        row["desc"] = values["desc"]
    row.update(amounts)
    return {"hsn": {part: [row]}}


def _fields(table: str, values: dict, errors: dict) -> list[dict]:
    out = []
    for f, label, kind in TABLES[table][1]:
        field = {
            "name": f,
            "label": label,
            "kind": kind,
            "value": values.get(f, ""),
            "errors": errors.get(f, []),
        }
        if kind.startswith("choice:"):
            field["kind"] = "choice"
            field["options"] = [tuple(o.split("=", 1)) for o in kind[7:].split("|")]
        elif kind == "state":
            field["kind"], field["options"] = "choice", [(k, f"{k} – {v}") for k, v in STATES.items()]
        elif kind == "rate":
            field["kind"], field["options"] = "choice", [(r, f"{r}%") for r in RATE_CHOICES]
        elif kind == "uqc":
            field["kind"], field["options"] = "choice", [(u, u) for u in sorted(UQC)]
        out.append(field)
    return out


@gstin_page(Perm.WRITE)
def gstr1_row_new(request, taxpayer, period, table):
    p = page_period(period)
    if table not in TABLES:
        raise Http404("Not found")
    title = TABLES[table][0]
    values = {f: (request.POST.get(f) or "").strip() for f, _, _ in TABLES[table][1]}
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            result = services.documents_save(
                supplier=taxpayer,
                period=p,
                payload=payload(table, values, taxpayer.gstin[:2]),
                by=request.user.username,
                channel=CHANNEL,
            )
        except ValidationFailed as exc:
            status = 400
            for d in exc.details:
                m = _LAST.search(d.get("path") or "")
                name = m.group(1) if m else ""
                name = {"sply_ty": "pos"}.get(name, name)
                text = f"{d['message']} ({d['code']})"
                if name in values:
                    errors.setdefault(name, []).append(text)
                else:
                    general.append(text)
        except RuleViolation as exc:
            status = 409
            general.append(rule_message(exc))
        else:
            verb = "saved" if result["created"] else ("updated" if result["updated"] else "unchanged")
            messages.success(request, f"{title} {verb} in {FORM_LABELS[result['form']]}.")
            return redirect("gstr1_period", taxpayer.gstin, period_code(p))
    ctx = {
        "nav": "gstr1",
        "period": p,
        "code": period_code(p),
        "table": table,
        "title": title,
        "fields": _fields(table, values, errors),
        "general": general,
        "has_errors": bool(errors or general),
    }
    return render(request, "gstr1/row_form.html", ctx, status=status)
