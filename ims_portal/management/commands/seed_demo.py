"""manage.py seed_demo: demo taxpayers, logins and IMS data over three periods, through the services.

Four taxpayers in four states (one quarterly, one an e-commerce operator), an owner login for each, a
viewer, a preparer and a staff login; documents of every IMS section in 092025, 102025 and 112025, the
September and October returns filed, November saved, and some recipient actions. GSTR-2B and GSTR-3B
too, so every state shows: the monthly taxpayers' 092025 2B generated on the 14th and their 092025 3B
filed (the 2B final); the 102025 2B generated on the 14th, then stale for Bharat (actions after it) and
recomputed by Acme (two versions); the 102025 3B left a draft, so no 112025 2B (previous 3B not filed);
Chennai, quarterly, with no 2B for 102025/112025 and its 122025 2B not yet due. The story runs on
business time: with the sandbox clock on it is set to each moment in turn and left at DEMO_NOW; with it
off, the clock service is patched for the duration of the seeding only.

Idempotent: when the demo is already there it prints the logins and changes nothing.
"""

from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import clock
from core.errors import RuleViolation
from core.periods import IST
from customs.services import boe_feed_apply
from ims.models import ImsRecord
from ims.services.actions import ims_actions_apply
from invoices.services import documents_save, return_file
from recon.services.registers import register_from_lines
from returns.services.gstr2b import gstr2b_generate_if_due, gstr2b_recompute
from returns.services.gstr3b import gstr3b_file
from taxpayers.models import Taxpayer
from taxpayers.services import taxpayer_create, user_create

User = get_user_model()

ACME, BHARAT, GUJARAT, CHENNAI = "27AAPFU0939F1ZV", "29AAGCB7383J1Z4", "24AANFA2641L1ZF", "33GSPTN0791G1Z5"
# The actual supplier of the operator's ECO documents: a Delhi seller, not registered in the portal.
DELHI_SELLER = "07AAGFF2194N1Z1"

TAXPAYERS = [
    {
        "gstin": ACME,
        "legal_name": "Acme Traders LLP",
        "trade_name": "Acme Traders",
        "filing_frequency": "M",
        "ims_start_period": "092025",
    },
    {
        "gstin": BHARAT,
        "legal_name": "Bharat Components Private Limited",
        "trade_name": "Bharat Components",
        "filing_frequency": "M",
        "ims_start_period": "092025",
    },
    {
        "gstin": CHENNAI,
        "legal_name": "Chennai Textiles Private Limited",
        "trade_name": "Chennai Textiles",
        "filing_frequency": "Q",
        "ims_start_period": "102025",
    },
    {
        "gstin": GUJARAT,
        "legal_name": "Gujarat Bazaar Online Private Limited",
        "trade_name": "Gujarat Bazaar",
        "filing_frequency": "M",
        "ims_start_period": "092025",
        "eco_operator": True,  # the demo's e-commerce operator
    },
]

# (role shown, username, password, memberships)
LOGINS = [
    ("staff", "admin", "admin12345", []),
    ("owner", "acme", "acme12345", [{"gstin": ACME, "role": "owner"}]),
    ("owner", "bharat", "bharat12345", [{"gstin": BHARAT, "role": "owner"}]),
    ("owner", "chennai", "chennai12345", [{"gstin": CHENNAI, "role": "owner"}]),
    ("owner", "gujarat", "gujarat12345", [{"gstin": GUJARAT, "role": "owner"}]),
    ("viewer", "auditor", "auditor12345", [{"gstin": BHARAT, "role": "viewer"}]),
    ("preparer", "preparer", "preparer12345", [{"gstin": ACME, "role": "preparer"}]),
]

CENT = Decimal("0.01")


def _at(when: str) -> datetime:
    return datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=IST)


@contextmanager
def business_time(when: str):
    """Run the block at business time ``when`` (IST)."""
    moment = _at(when)
    if settings.IMS_SANDBOX_CLOCK:
        clock.clock_set(business_at=moment)
        yield
    else:
        # No sandbox clock to set: every "now" of the services comes from clock.now(), so patching it for
        # this block (one process, one thread) gives the same story without touching the real clock.
        with mock.patch.object(clock, "now", lambda: moment):
            yield


# --- the documents ----------------------------------------------------------------------------------
# (kind, filer, recipient, number, date, taxable value, rate, place of supply). Amendments keep their
# original's number and date. ECO documents are filed by the operator for DELHI_SELLER.
# kind: GSTR-1 section, note type (C/D or "" for invoices), reverse charge, amendment.
KINDS = {
    "inv": ("b2b", "", False, False),
    "inv-rc": ("b2b", "", True, False),
    "inv-amend": ("b2ba", "", False, True),
    "dn": ("cdnr", "D", False, False),
    "cn": ("cdnr", "C", False, False),
    "dn-amend": ("cdnra", "D", False, True),
    "cn-amend": ("cdnra", "C", False, True),
    "eco": ("ecom", "", False, False),
    "eco-amend": ("ecoma", "", False, True),
}

SEPTEMBER = [
    ("inv", ACME, BHARAT, "ACME/25/101", "03-09-2025", "250000.00", "18", "29"),
    ("inv", ACME, BHARAT, "ACME/25/102", "12-09-2025", "80000.00", "12", "29"),
    ("inv-rc", ACME, BHARAT, "ACME/25/103", "18-09-2025", "40000.00", "18", "29"),
    # Place of supply Maharashtra, the supplier's state: kept out of Bharat's IMS (R-4.1 reason P).
    ("inv", ACME, BHARAT, "ACME/25/104", "22-09-2025", "15000.00", "18", "27"),
    ("inv", ACME, BHARAT, "ACME/25/105", "25-09-2025", "60000.00", "5", "29"),
    ("dn", ACME, BHARAT, "ACME/DN/01", "20-09-2025", "10000.00", "18", "29"),
    ("cn", ACME, BHARAT, "ACME/CN/01", "28-09-2025", "20000.00", "18", "29"),
    ("inv", BHARAT, ACME, "BCPL/25-26/0451", "10-09-2025", "120000.00", "18", "27"),
    ("inv", BHARAT, ACME, "BCPL/25-26/0452", "24-09-2025", "45000.00", "28", "27"),
    ("eco", GUJARAT, BHARAT, "DLS/0917", "17-09-2025", "30000.00", "18", "29"),
    ("eco", GUJARAT, ACME, "DLS/0921", "21-09-2025", "12000.00", "5", "27"),
]
# Bharat corrects the rate of 0452 in GSTR-1A of the same period: the amendment supersedes it.
SEPTEMBER_GSTR1A = [
    ("inv-amend", BHARAT, ACME, "BCPL/25-26/0452", "24-09-2025", "45000.00", "18", "27"),
]
OCTOBER = [
    ("inv", ACME, BHARAT, "ACME/25/131", "08-10-2025", "175000.00", "18", "29"),
    ("inv", ACME, CHENNAI, "ACME/25/132", "15-10-2025", "90000.00", "12", "33"),
    ("inv-amend", ACME, BHARAT, "ACME/25/101", "03-09-2025", "240000.00", "18", "29"),
    ("cn", ACME, BHARAT, "ACME/CN/02", "20-10-2025", "5000.00", "18", "29"),
    ("dn-amend", ACME, BHARAT, "ACME/DN/01", "20-09-2025", "12000.00", "18", "29"),
    ("cn-amend", ACME, BHARAT, "ACME/CN/01", "28-09-2025", "15000.00", "18", "29"),
    ("inv", BHARAT, CHENNAI, "BCPL/25-26/0503", "14-10-2025", "220000.00", "18", "33"),
    ("inv-rc", BHARAT, ACME, "BCPL/25-26/0504", "21-10-2025", "65000.00", "18", "27"),
    ("inv", CHENNAI, BHARAT, "CTX/2526/0088", "09-10-2025", "140000.00", "5", "29"),
    ("inv", CHENNAI, ACME, "CTX/2526/0089", "16-10-2025", "55000.00", "5", "27"),
    ("eco", GUJARAT, CHENNAI, "DLS/1012", "12-10-2025", "18000.00", "18", "33"),
    ("eco-amend", GUJARAT, BHARAT, "DLS/0917", "17-09-2025", "32000.00", "18", "29"),
    # Bharat's original is still pending (carried into 102025): this amendment waits for it.
    ("inv-amend", ACME, BHARAT, "ACME/25/102", "12-09-2025", "84000.00", "12", "29"),
]
NOVEMBER = [
    ("inv", ACME, BHARAT, "ACME/25/160", "06-11-2025", "310000.00", "18", "29"),
    ("cn", ACME, BHARAT, "ACME/CN/03", "25-11-2025", "8000.00", "18", "29"),
    ("inv", BHARAT, ACME, "BCPL/25-26/0560", "12-11-2025", "98000.00", "18", "27"),
    ("inv", BHARAT, CHENNAI, "BCPL/25-26/0561", "19-11-2025", "42000.00", "12", "33"),
    ("inv", CHENNAI, BHARAT, "CTX/2526/0101", "07-11-2025", "76000.00", "5", "29"),
    ("eco", GUJARAT, BHARAT, "DLS/1105", "05-11-2025", "22000.00", "18", "29"),
]


def _document(
    kind: str, supplier_state: str, number: str, when: str, txval: str, rate: str, pos: str
) -> dict:
    section, ntty, rchrg, amendment = KINDS[kind]
    tx, rt = Decimal(txval), Decimal(rate)
    zero = Decimal("0")
    if supplier_state == pos:  # intra-state
        half = (tx * rt / 200).quantize(CENT)
        det = {"rt": rt, "txval": tx, "iamt": zero, "camt": half, "samt": half}
    else:
        det = {"rt": rt, "txval": tx, "iamt": (tx * rt / 100).quantize(CENT), "camt": zero, "samt": zero}
    number_key, date_key = ("nt_num", "nt_dt") if ntty else ("inum", "idt")
    doc = {
        number_key: number,
        date_key: when,
        "val": tx + det["iamt"] + det["camt"] + det["samt"],
        "pos": pos,
        "inv_typ": "R",
        "itms": [{"num": 1, "itm_det": det}],
    }
    if ntty:
        doc["ntty"] = ntty
    if section.startswith("ecom"):
        doc["sply_ty"] = "INTRA" if supplier_state == pos else "INTER"
    else:
        doc["rchrg"] = "Y" if rchrg else "N"
    if amendment:
        orig_number, orig_date = ("ont_num", "ont_dt") if ntty else ("oinum", "oidt")
        doc[orig_number], doc[orig_date] = number, when
    return doc


def payloads(rows: list[tuple]) -> dict[str, dict]:
    """GSTR-1 JSON per filer: documents grouped by section and recipient (for ECO: seller and recipient)."""
    groups: dict[str, dict[tuple, list]] = defaultdict(lambda: defaultdict(list))
    for kind, filer, recipient, number, when, txval, rate, pos in rows:
        section = KINDS[kind][0]
        seller = DELHI_SELLER if section.startswith("ecom") else filer
        doc = _document(kind, seller[:2], number, when, txval, rate, pos)
        groups[filer][(section, recipient)].append(doc)
    out: dict[str, dict] = {}
    for filer, by_key in groups.items():
        payload = out.setdefault(filer, {})
        for (section, recipient), docs in by_key.items():
            if section in ("ecom", "ecoma"):
                sub = "b2b" if section == "ecom" else "b2ba"
                payload.setdefault(section, {}).setdefault(sub, []).append(
                    {"stin": DELHI_SELLER, "rtin": recipient, "inv": docs}
                )
            else:
                docs_key = "nt" if section.startswith("cdnr") else "inv"
                payload.setdefault(section, []).append({"ctin": recipient, docs_key: docs})
    return out


# the rest of Acme's September GSTR-1, as its accounting software exports it — B2C large and small,
# exports with and without tax, a note on a B2C large invoice, nil-rated/exempt/non-GST supplies, advances,
# the HSN summary and the documents issued. Filed with the B2B documents; its GSTR-3B shows every table.
ACME_SEPTEMBER_TABLES = {
    "b2cl": [
        {
            "pos": "07",
            "inv": [
                {
                    "inum": "ACME/B2C/0007",
                    "idt": "10-09-2025",
                    "val": 177000,
                    "itms": [{"num": 1, "itm_det": {"rt": 18, "txval": 150000, "iamt": 27000, "csamt": 0}}],
                }
            ],
        }
    ],
    "b2cs": [
        {"sply_ty": "INTRA", "typ": "OE", "pos": "27", "rt": 18, "txval": 42000, "camt": 3780, "samt": 3780},
        {"sply_ty": "INTER", "typ": "OE", "pos": "24", "rt": 12, "txval": 15000, "iamt": 1800},
    ],
    "exp": [
        {
            "exp_typ": "WPAY",
            "inv": [
                {
                    "inum": "ACME/EXP/0003",
                    "idt": "12-09-2025",
                    "val": 94400,
                    "sbpcode": "INNSA1",
                    "sbnum": "4567890",
                    "sbdt": "14-09-2025",
                    "itms": [{"rt": 18, "txval": 80000, "iamt": 14400, "csamt": 0}],
                }
            ],
        },
        {
            "exp_typ": "WOPAY",
            "inv": [
                {
                    "inum": "ACME/EXP/0004",
                    "idt": "19-09-2025",
                    "val": 60000,
                    "itms": [{"rt": 0, "txval": 60000, "iamt": 0, "csamt": 0}],
                }
            ],
        },
    ],
    "cdnur": [
        {
            "typ": "B2CL",
            "ntty": "C",
            "nt_num": "ACME/CN/U01",
            "nt_dt": "25-09-2025",
            "val": 11800,
            "pos": "07",
            "itms": [{"num": 1, "itm_det": {"rt": 18, "txval": 10000, "iamt": 1800, "csamt": 0}}],
        }
    ],
    "nil": {
        "inv": [
            {"sply_ty": "INTRAB2C", "nil_amt": 2500, "expt_amt": 4000, "ngsup_amt": 0},
            {"sply_ty": "INTRB2B", "nil_amt": 0, "expt_amt": 0, "ngsup_amt": 1200},
        ]
    },
    "at": [
        {"pos": "27", "sply_ty": "INTRA", "itms": [{"rt": 18, "ad_amt": 20000, "camt": 1800, "samt": 1800}]}
    ],
    "txpd": [
        {"pos": "27", "sply_ty": "INTRA", "itms": [{"rt": 18, "ad_amt": 5000, "camt": 450, "samt": 450}]}
    ],
    "hsn": {
        "data": [
            {
                "num": 1,
                "hsn_sc": "85044090",
                "desc": "Power supplies",
                "uqc": "NOS",
                "qty": 310,
                "rt": 18,
                "txval": 262000,
                "iamt": 39600,
                "camt": 3780,
                "samt": 3780,
                "csamt": 0,
            },
            {
                "num": 2,
                "hsn_sc": "85366990",
                "desc": "Connectors",
                "uqc": "NOS",
                "qty": 5000,
                "rt": 12,
                "txval": 15000,
                "iamt": 1800,
                "camt": 0,
                "samt": 0,
                "csamt": 0,
            },
        ]
    },
    "doc_issue": {
        "doc_det": [
            {
                "doc_num": 1,
                "docs": [
                    {
                        "num": 1,
                        "from": "ACME/25/101",
                        "to": "ACME/25/120",
                        "totnum": 20,
                        "cancel": 1,
                        "net_issue": 19,
                    }
                ],
            },
            {
                "doc_num": 5,
                "docs": [
                    {
                        "num": 1,
                        "from": "ACME/CN/01",
                        "to": "ACME/CN/01",
                        "totnum": 1,
                        "cancel": 0,
                        "net_issue": 1,
                    }
                ],
            },
        ]
    },
}


OWNER = {ACME: "acme", BHARAT: "bharat", CHENNAI: "chennai", GUJARAT: "gujarat"}
MONTHLY = (ACME, BHARAT, GUJARAT)


# Business time (IST) of each step: save, file, act as a recipient (filer, number, action, remarks),
# the scheduled 2B of a period for every taxpayer, a 2B recompute, or file GSTR-3B.
def _boe(gstin, portcode, boenum, boedt, refdt, txval, igst, cess="0", **extra) -> dict:
    out = {"gstin": gstin, "portcode": portcode, "boenum": boenum, "boedt": boedt, "refdt": refdt}
    out.update({k: Decimal(v) for k, v in (("txval", txval), ("igst", igst), ("cess", cess))})
    return {**out, **extra}


# Bills of entry from customs: September's goes straight to 2B; October's are in IMS's Import of
# goods tab, one from an SEZ unit, one amended (the amendment supersedes it in the same 2B period).
SEPTEMBER_BOES = [_boe(BHARAT, "INNSA1", "4810231", "18-09-2025", "20-09-2025", "250000.00", "45000.00")]
OCTOBER_BOES = [
    _boe(BHARAT, "INNSA1", "5102877", "09-10-2025", "10-10-2025", "480000.00", "86400.00", "2400.00"),
    _boe(BHARAT, "INMAA1", "5133410", "21-10-2025", "22-10-2025", "120000.00", "21600.00"),
    _boe(
        BHARAT, "INBLR6", "5140072", "27-10-2025", "28-10-2025", "60000.00", "10800.00", sez_ctin=DELHI_SELLER
    ),
    _boe(ACME, "INNSA1", "5150914", "29-10-2025", "30-10-2025", "90000.00", "16200.00"),
]
OCTOBER_BOE_AMENDMENTS = [
    _boe(BHARAT, "INMAA1", "5133410", "21-10-2025", "22-10-2025", "125000.00", "22500.00", isamd="Y"),
]

STORY = [
    ("2025-10-05 10:00", "save", 202509, SEPTEMBER),
    ("2025-10-08 10:00", "customs", SEPTEMBER_BOES),
    ("2025-10-06 12:00", "save_tables", ACME, 202509, ACME_SEPTEMBER_TABLES),
    ("2025-10-11 18:00", "file", 202509, "GSTR1", MONTHLY),
    ("2025-10-11 19:00", "save", 202509, SEPTEMBER_GSTR1A),
    ("2025-10-11 20:00", "file", 202509, "GSTR1A", (BHARAT,)),
    # September's actions come before the draft 2B, so the 092025 2B is current when 3B is filed.
    (
        "2025-10-13 11:00",
        "act",
        BHARAT,
        [
            (ACME, "ACME/25/105", "A", None),
            (ACME, "ACME/DN/01", "A", None),
            (ACME, "ACME/CN/01", "R", "Goods were not returned; this credit note is not agreed."),
            (ACME, "ACME/25/102", "P", "Waiting for the goods receipt note from the warehouse."),
            (GUJARAT, "DLS/0917", "A", None),
        ],
    ),
    (
        "2025-10-13 11:30",
        "act",
        ACME,
        [
            (BHARAT, "BCPL/25-26/0451", "A", None),
            (BHARAT, "BCPL/25-26/0452", "A", None),  # the GSTR-1A amendment: the original is superseded
            (GUJARAT, "DLS/0921", "R", "Not ordered by us."),
        ],
    ),
    # The 14th: the draft 2B of every taxpayer (Chennai skipped: before its start period).
    ("2025-10-14 00:05", "gstr2b", 202509),
    # 3B of 092025 by the monthly taxpayers; the 2B becomes final. Acme files first, so the add-back of
    # Bharat's final rejection of ACME/CN/01 lands in Acme's 102025 3B. Each filing also tries the
    # 102025 2B (not due before 14-11).
    ("2025-10-18 16:00", "file3b", 202509, (ACME, GUJARAT, BHARAT)),
    ("2025-11-05 10:00", "save", 202510, OCTOBER),
    ("2025-11-06 09:00", "customs", OCTOBER_BOES),
    ("2025-11-11 18:00", "file", 202510, "GSTR1", MONTHLY),
    ("2025-11-11 18:30", "file", 202510, "IFF", (CHENNAI,)),
    # The 102025 draft 2B (Chennai skipped: quarterly). The actions of the 20th make it stale.
    ("2025-11-14 00:05", "gstr2b", 202510),
    (
        "2025-11-20 11:00",
        "act",
        BHARAT,
        [
            (ACME, "ACME/25/131", "A", None),
            (ACME, "ACME/CN/02", "P", "Checking the returned quantity before accepting."),
            (CHENNAI, "CTX/2526/0088", "A", None),
        ],
    ),
    (
        "2025-11-20 11:30",
        "act",
        CHENNAI,
        [
            (BHARAT, "BCPL/25-26/0503", "A", None),
            (ACME, "ACME/25/132", "P", "Goods in transit."),
        ],
    ),
    ("2025-11-20 12:00", "act", ACME, [(CHENNAI, "CTX/2526/0089", "A", None)]),
    ("2025-11-21 10:00", "customs", OCTOBER_BOE_AMENDMENTS),
    ("2025-11-21 10:30", "act", BHARAT, [("", "5102877", "A", None), (DELHI_SELLER, "5140072", "P", None)]),
    # Acme recomputes (version 2, current); Bharat's 2B stays stale. No 102025 3B is filed.
    ("2025-11-20 12:30", "recompute", ACME, 202510),
    ("2025-12-03 10:00", "save", 202511, NOVEMBER),
    (
        "2025-12-04 15:00",
        "act",
        BHARAT,
        [
            (ACME, "ACME/25/160", "A", None),
            (GUJARAT, "DLS/1105", "P", "Checking the order with the marketplace."),
        ],
    ),
]
DEMO_NOW = "2025-12-05 10:00"

# Issue 16: Bharat's purchase register for Nov 2025, as its accounting software holds it — one line of every
# reconciliation category: ACME/25/160 matches (and is booked twice: a duplicate), ACME/CN/03 is booked with
# less IGST than Acme reported (a mismatch: accepted with the ITC reduction of the books), CTX/2526/0101 is
# booked as CTX-2526-101 (a suggested match), ACME/25/171 is not in IMS, and the ECO document DLS/1105 is not
# in the books.
BHARAT_NOVEMBER_BOOKS = [
    {
        "stin": ACME,
        "trdnm": "Acme Traders",
        "typ": "INV",
        "num": "ACME/25/160",
        "dt": "06-11-2025",
        "pos": "29",
        "txval": "310000.00",
        "iamt": "55800.00",
    },
    {
        "stin": ACME,
        "trdnm": "Acme Traders",
        "typ": "CN",
        "num": "ACME/CN/03",
        "dt": "25-11-2025",
        "pos": "29",
        "txval": "8000.00",
        "iamt": "1200.00",
    },
    {
        "stin": CHENNAI,
        "trdnm": "Chennai Textiles",
        "typ": "INV",
        "num": "CTX-2526-101",
        "dt": "07-11-2025",
        "pos": "29",
        "txval": "76000.00",
        "iamt": "3800.00",
    },
    {
        "stin": ACME,
        "trdnm": "Acme Traders",
        "typ": "INV",
        "num": "ACME/25/171",
        "dt": "27-11-2025",
        "pos": "29",
        "txval": "45000.00",
        "iamt": "8100.00",
    },
]
BHARAT_NOVEMBER_BOOKS.append(dict(BHARAT_NOVEMBER_BOOKS[0]))  # ACME/25/160 booked twice
STORY.append(("2025-12-05 09:30", "books", BHARAT, 202511, BHARAT_NOVEMBER_BOOKS))


class Command(BaseCommand):
    help = "Seed demo taxpayers, logins and IMS data (idempotent: does nothing when the demo exists)."

    def handle(self, *args, **options):
        usernames = [login[1] for login in LOGINS]
        gstins = [t["gstin"] for t in TAXPAYERS]
        users = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
        taxpayers = set(Taxpayer.objects.filter(gstin__in=gstins).values_list("gstin", flat=True))
        if len(users) == len(usernames) and len(taxpayers) == len(gstins):
            # A demo seeded before existed: its operator becomes one (the only change made).
            operators = [t["gstin"] for t in TAXPAYERS if t.get("eco_operator")]
            Taxpayer.objects.filter(gstin__in=operators, eco_operator=False).update(eco_operator=True)
            self.stdout.write("The demo data is already there; nothing changed.")
        elif users or taxpayers:
            clash = ", ".join(sorted(users) + sorted(taxpayers))
            raise CommandError(
                f"Part of the demo already exists ({clash}) but not all of it: seed_demo only fills a "
                "database without any of it. Use a fresh database."
            )
        else:
            self.seed()
            self.stdout.write(self.style.SUCCESS("Demo data created."))
        self.print_logins()

    @transaction.atomic
    def seed(self) -> None:
        with business_time(STORY[0][0]):
            tp = {t["gstin"]: taxpayer_create(**t) for t in TAXPAYERS}
            for _, username, password, memberships in LOGINS:
                user = user_create(
                    username=username,
                    password=password,
                    memberships=memberships,
                    is_staff=username == "admin",
                )
                if username == "admin":
                    # No service grants superuser (for Django admin): the one direct write of the seed.
                    user.is_superuser = True
                    user.save(update_fields=["is_superuser"])
        for when, step, *args in STORY:
            with business_time(when):
                getattr(self, step)(tp, *args)
        if settings.IMS_SANDBOX_CLOCK:
            # Leave the demo on a live business day: November saved, its returns not yet due.
            clock.clock_set(business_at=_at(DEMO_NOW))

    @staticmethod
    def save(tp: dict, period: int, rows: list[tuple]) -> None:
        for gstin, payload in payloads(rows).items():
            documents_save(supplier=tp[gstin], period=period, payload=payload, by=OWNER[gstin], channel="web")

    @staticmethod
    def save_tables(tp: dict, gstin: str, period: int, payload: dict) -> None:
        documents_save(supplier=tp[gstin], period=period, payload=payload, by=OWNER[gstin], channel="web")

    @staticmethod
    def customs(tp: dict, boes: list[dict]) -> None:
        """The customs feed reports bills of entry (R-10.1), as ICEGATE's integration would."""
        boe_feed_apply(list(boes), channel="api")

    @staticmethod
    def file(tp: dict, period: int, form: str, gstins: tuple[str, ...]) -> None:
        for gstin in gstins:
            return_file(supplier=tp[gstin], period=period, form=form, by=OWNER[gstin], channel="web")

    @staticmethod
    def act(tp: dict, recipient_gstin: str, wanted: list[tuple]) -> None:
        """Apply actions named by (filer GSTIN, document number, action, remarks) to active records."""
        recipient = tp[recipient_gstin]
        ids = {
            (stin, number): rid
            for rid, stin, number in ImsRecord.objects.filter(recipient=recipient, active=True).values_list(
                "id", "stin", "number"
            )
        }
        actions = []
        for stin, number, action, remarks in wanted:
            item = {"id": ids[(stin, number)], "action": action}
            if remarks:
                item["remarks"] = remarks
            actions.append(item)
        result = ims_actions_apply(
            recipient=recipient, actions=actions, by=OWNER[recipient_gstin], channel="web"
        )
        if result["errors"]:
            raise CommandError(f"Demo action refused for {recipient.gstin}: {result['errors']}")

    @staticmethod
    def books(tp: dict, gstin: str, period: int, lines: list[dict]) -> None:
        """A purchase register imported and matched (issue 16)."""
        register_from_lines(taxpayer=tp[gstin], period=period, lines=lines, by=OWNER[gstin])

    @staticmethod
    def gstr2b(tp: dict, period: int) -> None:
        """The scheduled draft of the 14th (R-5.2): every taxpayer; skips (not due, quarterly, before the
        start period) are no error, as in the job."""
        for taxpayer in tp.values():
            gstr2b_generate_if_due(taxpayer=taxpayer, period=period, trigger="schedule", by="system")

    @staticmethod
    def recompute(tp: dict, gstin: str, period: int) -> None:
        try:
            gstr2b_recompute(taxpayer=tp[gstin], period=period, by=OWNER[gstin])
        except RuleViolation as exc:
            raise CommandError(f"Demo GSTR-2B recompute refused for {gstin}: {exc.code}") from exc

    @staticmethod
    def file3b(tp: dict, period: int, gstins: tuple[str, ...]) -> None:
        for gstin in gstins:
            try:
                gstr3b_file(taxpayer=tp[gstin], period=period, by=OWNER[gstin])
            except RuleViolation as exc:
                raise CommandError(f"Demo GSTR-3B filing refused for {gstin}: {exc.code}") from exc

    def print_logins(self) -> None:
        rows = [("Role", "Username", "Password", "GSTIN")]
        rows += [
            (role, username, password, ", ".join(m["gstin"] for m in ms) or "all (staff)")
            for role, username, password, ms in LOGINS
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        for i, row in enumerate(rows):
            self.stdout.write(
                "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
            if i == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        self.stdout.write("")
        self.stdout.write("Open http://127.0.0.1:8000/")
