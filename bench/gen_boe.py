"""A customs feed file of bills of entry (R-10.1) for benchmarks and the 100,000-BoE job test.

    .venv/bin/python bench/gen_boe.py --boe 100000 --importers 200 > feed.json

Written as it is generated (never one big object in memory); the same seed gives the same file. BoEs of
October 2025 (2B period 102025, in IMS), one port of five, IGST at 18% and a cess on every tenth."""

import argparse
import json
import random
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.gen_gstr1 import recipient_gstins  # noqa: E402

PORTS = ("INNSA1", "INMAA1", "INDEL4", "INBOM4", "INBLR4")


def write_boe_feed(out, *, importers: list[str], count: int, seed: int = 0, first: int = 1_000_000) -> int:
    """Write ``{"boe": [...]}`` with ``count`` BoEs spread over ``importers``; numbers from ``first``."""
    rnd = random.Random(f"boe-{seed}")
    out.write('{"boe": [')
    for i in range(count):
        boedt = date(2025, 10, 1) + timedelta(days=rnd.randrange(28))
        refdt = boedt + timedelta(days=rnd.randrange(3))
        txval = Decimal(rnd.randrange(10_000_00, 5_000_000_00)) / 100
        item = {
            "gstin": importers[i % len(importers)],
            "portcode": PORTS[i % len(PORTS)],
            "boenum": f"{first + i:07d}",
            "boedt": boedt.strftime("%d-%m-%Y"),
            "refdt": refdt.strftime("%d-%m-%Y"),
            "txval": float(txval),
            "igst": float((txval * Decimal("0.18")).quantize(Decimal("0.01"))),
            "cess": float((txval * Decimal("0.01")).quantize(Decimal("0.01"))) if i % 10 == 0 else 0,
        }
        out.write(("," if i else "") + json.dumps(item, separators=(",", ":")))
    out.write("]}")
    return count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--boe", type=int, default=100_000)
    ap.add_argument("--importers", type=int, default=200)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    write_boe_feed(
        sys.stdout, importers=recipient_gstins(args.importers, args.seed), count=args.boe, seed=args.seed
    )


if __name__ == "__main__":
    main()
