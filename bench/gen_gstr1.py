"""A seeded generator of realistic GSTR-1 JSON for one supplier GSTIN and period (issue 5 item 7).

    .venv/bin/python bench/gen_gstr1.py --supplier 27AAPFU0939F1ZV --period 102025 \
        --documents 100000 --recipients 200 --mix b2b=0.8,cdnr=0.2 --seed 7 --out /tmp/gstr1.json

Recipients are valid GSTINs (check character from ``taxpayers.domain.gstin_check_char``) spread over
several states, so documents are intra-state (CGST + SGST) or inter-state (IGST) by place of supply.
Documents are spread over the recipients round robin (document i goes to recipient i mod R), one to three
items each, rates 5/12/18/28 %, amounts with paise; tax is computed to the paisa. Sections: ``b2b``
invoices, ``cdnr`` credit and debit notes, and ``b2ba`` amendments of invoices generated (same seed and
recipients) for ``--orig-period``, which must be saved and filed first. The file is written as a stream,
group by group, so any size fits in little memory; the same arguments always give the same bytes.
"""

import argparse
import json
import random
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.periods import period_code, period_last_day
from taxpayers.domain import gstin_check_char

STATES = ("27", "29", "24", "33", "07", "09", "19", "36", "32", "06")
RATES = (Decimal("5"), Decimal("12"), Decimal("18"), Decimal("28"))
PAISA = Decimal("0.01")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def money(d: Decimal) -> Decimal:
    return d.quantize(PAISA, rounding=ROUND_HALF_UP)


def recipient_gstins(n: int, seed: int = 0) -> list[str]:
    """n distinct valid GSTINs, the same for the same seed."""
    rnd = random.Random(f"recipients-{seed}")
    out, seen = [], set()
    while len(out) < n:
        state = STATES[len(out) % len(STATES)]
        pan = "".join(rnd.choice(LETTERS) for _ in range(3)) + "C" + rnd.choice(LETTERS)
        pan += f"{rnd.randrange(10000):04d}" + rnd.choice(LETTERS)
        first14 = f"{state}{pan}1Z"
        if first14 in seen:
            continue
        seen.add(first14)
        out.append(first14 + gstin_check_char(first14))
    return out


def parse_mix(raw: str) -> dict[str, float]:
    mix = {}
    for part in raw.split(","):
        name, _, share = part.partition("=")
        if name not in ("b2b", "cdnr", "b2ba"):
            raise SystemExit(f"--mix: unknown section {name!r} (b2b, cdnr, b2ba)")
        mix[name] = float(share)
    return mix


def _items(rnd: random.Random, intra: bool) -> tuple[list[dict], Decimal]:
    items, val = [], Decimal("0")
    for num in range(1, rnd.choice((1, 1, 1, 2, 3)) + 1):
        txval = money(Decimal(rnd.randrange(10_000, 50_000_000)) / 100)
        rt = rnd.choice(RATES)
        if intra:
            half = money(txval * rt / 200)
            heads = {"iamt": Decimal("0"), "camt": half, "samt": half}
        else:
            heads = {"iamt": money(txval * rt / 100), "camt": Decimal("0"), "samt": Decimal("0")}
        heads["csamt"] = Decimal("0")
        items.append({"num": num, "itm_det": {"rt": rt, "txval": txval, **heads}})
        val += txval + sum(heads.values())
    return items, val


def _doc_date(i: int, period: int) -> str:
    last = period_last_day(period)
    return f"{1 + i % min(28, last.day):02d}-{last.month:02d}-{last.year}"


def invoice_number(period: int, i: int) -> str:
    return f"I{period}{i:07d}"


def _document(rnd, section: str, i: int, period: int, supplier_state: str, ctin: str, orig_period) -> dict:
    pos = ctin[:2]
    items, val = _items(rnd, intra=pos == supplier_state)
    doc: dict = {}
    if section == "cdnr":
        doc["nt_num"] = f"N{period}{i:07d}"
        doc["nt_dt"] = _doc_date(i, period)
        doc["ntty"] = "C" if i % 4 else "D"
    elif section == "b2ba":
        # Amendment i of invoice i of the original period, keeping its number.
        doc["oinum"] = invoice_number(orig_period, i)
        doc["oidt"] = _doc_date(i, orig_period)
        doc["inum"] = invoice_number(orig_period, i)
        doc["idt"] = _doc_date(i, period)
    else:
        doc["inum"] = invoice_number(period, i)
        doc["idt"] = _doc_date(i, period)
    doc.update({"val": val, "pos": pos, "rchrg": "N", "inv_typ": "R", "itms": items})
    return doc


def _dumps(obj) -> str:
    """JSON with Decimals written as JSON numbers (never floats, never strings)."""
    if isinstance(obj, Decimal):
        return format(obj, "f")
    if isinstance(obj, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_dumps(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, list):
        return "[" + ",".join(_dumps(v) for v in obj) + "]"
    return json.dumps(obj)


def section_sizes(documents: int, mix: dict[str, float]) -> dict[str, int]:
    total = sum(mix.values()) or 1
    sizes = {s: int(documents * share / total) for s, share in mix.items()}
    first = next(iter(sizes))
    sizes[first] += documents - sum(sizes.values())
    return sizes


def write_gstr1(
    out,
    *,
    supplier: str,
    period: int,
    documents: int,
    recipients: list[str],
    mix: dict[str, float] | None = None,
    seed: int = 0,
    orig_period: int | None = None,
) -> dict[str, int]:
    """Write one GSTR-1 JSON to the text stream ``out``; returns the documents per section."""
    mix = mix or {"b2b": 0.8, "cdnr": 0.2}
    if mix.get("b2ba") and orig_period is None:
        raise ValueError("b2ba amendments need orig_period, the period of the invoices they amend")
    sizes = section_sizes(documents, mix)
    rnd = random.Random(f"docs-{seed}-{period}")
    r = len(recipients)
    out.write(f'{{"gstin":"{supplier}","fp":"{period_code(period)}"')
    for section, n in sizes.items():
        if not n:
            continue
        key = "nt" if section == "cdnr" else "inv"
        out.write(f',"{section}":[')
        groups = 0
        for g, ctin in enumerate(recipients):
            indices = range(g, n, r)
            if not indices:
                continue
            out.write(("," if groups else "") + f'{{"ctin":"{ctin}","{key}":[')
            for k, i in enumerate(indices):
                doc = _document(rnd, section, i, period, supplier[:2], ctin, orig_period)
                out.write(("," if k else "") + _dumps(doc))
            out.write("]}")
            groups += 1
        out.write("]")
    out.write("}\n")
    return sizes


def main() -> None:
    from core.periods import parse_period

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--supplier", default="27AAPFU0939F1ZV")
    ap.add_argument("--period", default="102025", help="MMYYYY")
    ap.add_argument("--documents", type=int, default=1000)
    ap.add_argument("--recipients", type=int, default=50)
    ap.add_argument("--mix", default="b2b=0.8,cdnr=0.2", help="section=share,… of b2b, cdnr, b2ba")
    ap.add_argument("--orig-period", default=None, help="MMYYYY of the invoices b2ba amends")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    recipients = recipient_gstins(a.recipients, a.seed)
    orig = parse_period(a.orig_period) if a.orig_period else None
    stream = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8")  # noqa: SIM115
    try:
        sizes = write_gstr1(
            stream,
            supplier=a.supplier,
            period=parse_period(a.period),
            documents=a.documents,
            recipients=recipients,
            mix=parse_mix(a.mix),
            seed=a.seed,
            orig_period=orig,
        )
    finally:
        if stream is not sys.stdout:
            stream.close()
    print(f"wrote {sum(sizes.values())} documents {sizes} for {len(recipients)} recipients", file=sys.stderr)


if __name__ == "__main__":
    main()
