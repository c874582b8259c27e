"""GSTR-1 batch validation (RULES.md R-3.2 to R-3.7, R-3.11): pure, no database."""

import copy
import json
import time
from datetime import date
from decimal import Decimal

import pytest

from invoices.domain.gstr1 import DocInput, parse_gstr1

MH = "27AAPFU0939F1ZV"  # supplier, Maharashtra
KA = "29AAGCB7383J1Z4"  # Karnataka
GJ = "24AANFA2641L1ZF"  # Gujarat
TN = "33GSPTN0791G1Z5"  # Tamil Nadu
DL = "07AAGFF2194N1Z1"  # Delhi
PERIOD = 202510


def item(rt=18, txval=100, num=1, **heads):
    return {"num": num, "itm_det": {"rt": rt, "txval": txval, **heads}}


def inv(inum="INV-1", idt="01-10-2025", pos="29", itms=None, **extra):
    doc = {"inum": inum, "idt": idt, "val": 118, "pos": pos, "rchrg": "N", "inv_typ": "R"}
    doc["itms"] = itms if itms is not None else [item(iamt=18)]
    doc.update(extra)
    return doc


def note(nt_num="CN-1", ntty="C", nt_dt="05-10-2025", pos="29", itms=None, **extra):
    doc = {
        "ntty": ntty,
        "nt_num": nt_num,
        "nt_dt": nt_dt,
        "val": 118,
        "pos": pos,
        "rchrg": "N",
        "inv_typ": "R",
    }
    doc["itms"] = itms if itms is not None else [item(iamt=18)]
    doc.update(extra)
    return doc


def eco_inv(inum="E-1", pos="29", sply_ty="INTER", itms=None, **extra):
    doc = {"inum": inum, "idt": "02-10-2025", "val": 118, "pos": pos, "sply_ty": sply_ty, "inv_typ": "R"}
    doc["itms"] = itms if itms is not None else [item(iamt=18)]
    doc.update(extra)
    return doc


def b2b(*docs, ctin=KA):
    return {"b2b": [{"ctin": ctin, "inv": list(docs)}]}


def run(payload, supplier=MH, period=PERIOD):
    return parse_gstr1(payload, supplier_gstin=supplier, period=period)


def codes(errors):
    return [(e["path"], e["code"]) for e in errors]


def errors_of(payload, **kw):
    docs, errors = run(payload, **kw)
    for e in errors:
        assert set(e) == {"path", "code", "message"} and e["message"]
    return codes(errors)


# --- structure and the whole batch ------------------------------------------------------


def test_r3_11_valid_batch_of_every_section():
    payload = {
        "gstin": MH.lower() + " ",
        "fp": "102025",
        "gt": 0,
        "cur_gt": 0,
        "version": "GST3.2",
        "hash": "hash",
        "b2b": [
            {"ctin": KA, "inv": [inv("INV-1")]},
            {"ctin": " " + GJ.lower(), "inv": [inv("INV-2", pos="27", itms=[item(camt=9, samt=9)])]},
        ],
        "b2ba": [{"ctin": KA, "inv": [inv("INV-9", oinum="INV-0", oidt="15-09-2025")]}],
        "cdnr": [{"ctin": KA, "nt": [note("CN-1"), note("DN-1", ntty="D")]}],
        "cdnra": [{"ctin": KA, "nt": [note("CN-2", ont_num="CN-0", ont_dt="10-09-2025")]}],
        "ecom": {"b2b": [{"stin": TN, "rtin": KA, "inv": [eco_inv("E-1")]}]},
        "ecoma": {
            "b2ba": [{"stin": TN, "rtin": KA, "inv": [eco_inv("E-2", oinum="E-0", oidt="01-09-2025")]}]
        },
    }
    docs, errors = run(payload)
    assert errors == []
    assert [(d.path, d.section, d.doc_type, d.series) for d in docs] == [
        ("b2b[0].inv[0]", "b2b", "INV", "INV"),
        ("b2b[1].inv[0]", "b2b", "INV", "INV"),
        ("b2ba[0].inv[0]", "b2ba", "INV", "INV"),
        ("cdnr[0].nt[0]", "cdnr", "CN", "NOTE"),
        ("cdnr[0].nt[1]", "cdnr", "DN", "NOTE"),
        ("cdnra[0].nt[0]", "cdnra", "CN", "NOTE"),
        ("ecom.b2b[0].inv[0]", "ecom", "INV", "INV"),
        ("ecoma.b2ba[0].inv[0]", "ecoma", "INV", "INV"),
    ]
    assert [d.is_amendment for d in docs] == [False, False, True, False, False, True, False, True]
    first, intra = docs[0], docs[1]
    assert first.ctin == KA and first.stin is None and first.sply_ty is None
    assert first.number == "INV-1" and first.number_key == "INV-1"
    assert first.doc_date == date(2025, 10, 1) and first.fy == 2025
    assert first.val == Decimal("118.00") and first.pos == "29"
    assert first.rchrg is False and first.inv_typ == "R" and first.diff_percent is None
    assert first.items == [
        {
            "num": 1,
            "rt": Decimal("18"),
            "txval": Decimal("100.00"),
            "iamt": Decimal("18.00"),
            "camt": Decimal("0.00"),
            "samt": Decimal("0.00"),
            "csamt": Decimal("0.00"),
        }
    ]
    assert intra.ctin == GJ
    assert (intra.txval, intra.iamt, intra.camt, intra.samt, intra.csamt) == (100, 0, 9, 9, 0)
    assert intra.total_tax == Decimal("18.00")
    assert docs[2].orig_number == "INV-0" and docs[2].orig_date == date(2025, 9, 15)
    assert docs[5].orig_number == "CN-0" and docs[5].orig_date == date(2025, 9, 10)
    eco = docs[6]
    assert (eco.ctin, eco.stin, eco.sply_ty, eco.rchrg) == (KA, TN, "INTER", False)
    assert eco.number_owner(MH) == TN
    assert first.number_owner(MH) == MH


def test_r3_11_totals_sum_over_items():
    items = [item(num=1, iamt=18, csamt=1.5), item(num=2, rt=5, txval=200.5, iamt=10.03)]
    docs, errors = run(b2b(inv(itms=items)))
    assert errors == []
    d = docs[0]
    assert (d.txval, d.iamt, d.camt, d.samt, d.csamt) == (
        Decimal("300.50"),
        Decimal("28.03"),
        Decimal("0"),
        Decimal("0"),
        Decimal("1.50"),
    )
    assert d.total_tax == Decimal("29.53")


@pytest.mark.parametrize("payload", [[], "b2b", None, 5])
def test_r3_11_payload_must_be_an_object(payload):
    assert errors_of(payload) == [("", "INVALID")]


@pytest.mark.parametrize(
    "top, expected",
    [
        ({"gstin": MH}, []),
        ({"gstin": " 27aapfu0939f1zv "}, []),
        ({"gstin": KA}, [("gstin", "GSTIN_MISMATCH")]),
        ({"gstin": 27}, [("gstin", "GSTIN_MISMATCH")]),
        ({"fp": "102025"}, []),
        ({"fp": "092025"}, [("fp", "FP_MISMATCH")]),
        ({"fp": "202510"}, [("fp", "FP_MISMATCH")]),
        ({"fp": 102025}, [("fp", "FP_MISMATCH")]),
        ({"gstin": DL, "fp": "112025"}, [("gstin", "GSTIN_MISMATCH"), ("fp", "FP_MISMATCH")]),
    ],
)
def test_r3_11_gstin_and_fp_must_match_the_path(top, expected):
    assert errors_of({**top, **b2b(inv())}) == expected


@pytest.mark.parametrize(
    "payload, expected",
    [
        # every GSTR-1 section is accepted; a key that is no section is UNSUPPORTED_SECTION.
        ({"b2cl": [], "b2cs": [], "hsn": {}}, []),
        ({"isd": [], "b2b": []}, [("isd", "UNSUPPORTED_SECTION")]),
        ({"b2bx": [{"ctin": KA}]}, [("b2bx", "UNSUPPORTED_SECTION")]),
        ({"ecom": {"b2c": []}}, [("ecom.b2c", "UNSUPPORTED_SECTION")]),
        ({"ecom": {"b2ba": []}}, [("ecom.b2ba", "UNSUPPORTED_SECTION")]),
        ({"ecoma": {"b2b": []}}, [("ecoma.b2b", "UNSUPPORTED_SECTION")]),
        # Metadata keys are ignored; a body with no section at all is REQUIRED at the root.
        ({"gt": 1, "cur_gt": 2, "version": "x", "hash": "y", "b2b": []}, []),
        ({"gt": 1, "cur_gt": 2, "version": "x", "hash": "y"}, [("", "REQUIRED")]),
        ({}, [("", "REQUIRED")]),
        ({"b2b": []}, []),
    ],
)
def test_r3_11_unsupported_section(payload, expected):
    assert errors_of(payload) == expected


@pytest.mark.parametrize(
    "payload, expected",
    [
        ({"b2b": {}}, [("b2b", "INVALID")]),
        ({"cdnr": "x"}, [("cdnr", "INVALID")]),
        ({"ecom": []}, [("ecom", "INVALID")]),
        ({"ecom": {"b2b": {}}}, [("ecom.b2b", "INVALID")]),
        ({"b2b": [5]}, [("b2b[0]", "INVALID")]),
        ({"b2b": [{"ctin": KA, "inv": {}}]}, [("b2b[0].inv", "INVALID")]),
        ({"b2b": [{"ctin": KA}]}, [("b2b[0].inv", "REQUIRED")]),
        ({"cdnr": [{"ctin": KA, "inv": [note()]}]}, [("cdnr[0].nt", "REQUIRED")]),
        ({"b2b": [{"ctin": KA, "inv": ["x"]}]}, [("b2b[0].inv[0]", "INVALID")]),
        (b2b(inv(itms={})), [("b2b[0].inv[0].itms", "INVALID")]),
        (b2b(inv(itms=[7])), [("b2b[0].inv[0].itms[0]", "INVALID")]),
        (b2b(inv(itms=[{"num": 1, "itm_det": []}])), [("b2b[0].inv[0].itms[0].itm_det", "INVALID")]),
    ],
)
def test_r3_11_wrong_json_types_are_invalid(payload, expected):
    assert errors_of(payload) == expected


def _without(payload, path):
    """Copy of payload with the key at path (list of keys/indexes) removed."""
    p = copy.deepcopy(payload)
    node = p
    for step in path[:-1]:
        node = node[step]
    del node[path[-1]]
    return p


B2B = b2b(inv())
B2BA = {"b2ba": [{"ctin": KA, "inv": [inv(oinum="A-1", oidt="01-09-2025")]}]}
CDNR = {"cdnr": [{"ctin": KA, "nt": [note()]}]}
CDNRA = {"cdnra": [{"ctin": KA, "nt": [note(ont_num="C-0", ont_dt="01-09-2025")]}]}
ECOM = {"ecom": {"b2b": [{"stin": TN, "rtin": KA, "inv": [eco_inv()]}]}}
ECOMA = {"ecoma": {"b2ba": [{"stin": TN, "rtin": KA, "inv": [eco_inv(oinum="E-0", oidt="01-09-2025")]}]}}


@pytest.mark.parametrize(
    "payload, remove, path",
    [
        (B2B, ["b2b", 0, "ctin"], "b2b[0].ctin"),
        (B2B, ["b2b", 0, "inv", 0, "inum"], "b2b[0].inv[0].inum"),
        (B2B, ["b2b", 0, "inv", 0, "idt"], "b2b[0].inv[0].idt"),
        (B2B, ["b2b", 0, "inv", 0, "val"], "b2b[0].inv[0].val"),
        (B2B, ["b2b", 0, "inv", 0, "pos"], "b2b[0].inv[0].pos"),
        (B2B, ["b2b", 0, "inv", 0, "itms"], "b2b[0].inv[0].itms"),
        (B2B, ["b2b", 0, "inv", 0, "itms", 0, "num"], "b2b[0].inv[0].itms[0].num"),
        (B2B, ["b2b", 0, "inv", 0, "itms", 0, "itm_det"], "b2b[0].inv[0].itms[0].itm_det"),
        (B2B, ["b2b", 0, "inv", 0, "itms", 0, "itm_det", "rt"], "b2b[0].inv[0].itms[0].itm_det.rt"),
        (B2B, ["b2b", 0, "inv", 0, "itms", 0, "itm_det", "txval"], "b2b[0].inv[0].itms[0].itm_det.txval"),
        (B2BA, ["b2ba", 0, "inv", 0, "oinum"], "b2ba[0].inv[0].oinum"),
        (B2BA, ["b2ba", 0, "inv", 0, "oidt"], "b2ba[0].inv[0].oidt"),
        (CDNR, ["cdnr", 0, "nt", 0, "ntty"], "cdnr[0].nt[0].ntty"),
        (CDNR, ["cdnr", 0, "nt", 0, "nt_num"], "cdnr[0].nt[0].nt_num"),
        (CDNR, ["cdnr", 0, "nt", 0, "nt_dt"], "cdnr[0].nt[0].nt_dt"),
        (CDNRA, ["cdnra", 0, "nt", 0, "ont_num"], "cdnra[0].nt[0].ont_num"),
        (CDNRA, ["cdnra", 0, "nt", 0, "ont_dt"], "cdnra[0].nt[0].ont_dt"),
        (ECOM, ["ecom", "b2b", 0, "stin"], "ecom.b2b[0].stin"),
        (ECOM, ["ecom", "b2b", 0, "rtin"], "ecom.b2b[0].rtin"),
        (ECOM, ["ecom", "b2b", 0, "inv", 0, "sply_ty"], "ecom.b2b[0].inv[0].sply_ty"),
        (ECOMA, ["ecoma", "b2ba", 0, "inv", 0, "oinum"], "ecoma.b2ba[0].inv[0].oinum"),
        (ECOMA, ["ecoma", "b2ba", 0, "inv", 0, "oidt"], "ecoma.b2ba[0].inv[0].oidt"),
    ],
)
def test_r3_11_missing_field_is_required(payload, remove, path):
    assert errors_of(payload) == []
    assert errors_of(_without(payload, remove)) == [(path, "REQUIRED")]


def test_r3_11_empty_item_list_and_blank_strings_are_required():
    assert errors_of(b2b(inv(itms=[]))) == [("b2b[0].inv[0].itms", "REQUIRED")]
    assert errors_of(b2b(inv(inum="  "))) == [("b2b[0].inv[0].inum", "REQUIRED")]
    assert errors_of(b2b(inv(), ctin="")) == [("b2b[0].ctin", "REQUIRED")]


@pytest.mark.parametrize(
    "change, path",
    [
        ({"val": -1}, "val"),
        ({"val": "118"}, "val"),
        ({"val": True}, "val"),
        ({"val": Decimal("118.001")}, "val"),
        ({"val": 118.005}, "val"),
        ({"idt": "2025-10-01"}, "idt"),
        ({"idt": "31-09-2025"}, "idt"),
        ({"idt": 20251001}, "idt"),
        ({"inum": 12}, "inum"),
        ({"pos": "00"}, "pos"),
        ({"pos": "39"}, "pos"),
        ({"pos": "KA"}, "pos"),
        ({"rchrg": "X"}, "rchrg"),
        ({"rchrg": True}, "rchrg"),
        ({"inv_typ": "EXPWP"}, "inv_typ"),
        ({"diff_percent": 1}, "diff_percent"),
        ({"diff_percent": 100}, "diff_percent"),
        ({"diff_percent": "0.65"}, "diff_percent"),
        ({"itms": [{"num": 0, "itm_det": {"rt": 18, "txval": 100, "iamt": 18}}]}, "itms[0].num"),
        ({"itms": [{"num": "1", "itm_det": {"rt": 18, "txval": 100, "iamt": 18}}]}, "itms[0].num"),
        ({"itms": [{"num": True, "itm_det": {"rt": 18, "txval": 100, "iamt": 18}}]}, "itms[0].num"),
        ({"itms": [item(rt="18")]}, "itms[0].itm_det.rt"),
        ({"itms": [item(rt=False)]}, "itms[0].itm_det.rt"),
        ({"itms": [item(txval=-100)]}, "itms[0].itm_det.txval"),
        ({"itms": [item(iamt="18")]}, "itms[0].itm_det.iamt"),
        ({"itms": [item(iamt=18, csamt=0.125)]}, "itms[0].itm_det.csamt"),
    ],
)
def test_r3_11_malformed_value_is_invalid(change, path):
    assert errors_of(b2b(inv(**change))) == [(f"b2b[0].inv[0].{path}", "INVALID")]


@pytest.mark.parametrize(
    "payload, path",
    [
        ({"cdnr": [{"ctin": KA, "nt": [note(ntty="X")]}]}, "cdnr[0].nt[0].ntty"),
        (
            {"ecom": {"b2b": [{"stin": TN, "rtin": KA, "inv": [eco_inv(sply_ty="BOTH")]}]}},
            "ecom.b2b[0].inv[0].sply_ty",
        ),
        ({"b2ba": [{"ctin": KA, "inv": [inv(oinum="A-1", oidt="1-9-2025")]}]}, "b2ba[0].inv[0].oidt"),
    ],
)
def test_r3_11_malformed_section_specific_value_is_invalid(payload, path):
    assert errors_of(payload) == [(path, "INVALID")]


def test_r3_11_all_errors_reported_with_paths():
    payload = {
        "gstin": KA,
        "b2b": [
            {
                "ctin": "29AAGCB7383J1Z5",
                "inv": [
                    inv("INV 1", idt="01-11-2025", itms=[item(rt=17, iamt=18)]),
                    inv(
                        "INV-2", pos="27", itms=[item(camt=9, samt=9.5), item(num=2, iamt=5, camt=9, samt=9)]
                    ),
                ],
            },
            {"ctin": MH, "inv": [inv("INV-2")]},
        ],
        "isd": [],
        "cdnr": [{"ctin": KA, "nt": [note("CN-1", ntty="D", itms=[item(txval=100)])]}],
        "fp": "112025",
    }
    assert errors_of(payload) == [
        ("gstin", "GSTIN_MISMATCH"),
        ("b2b[0].ctin", "CTIN_INVALID"),
        ("b2b[0].inv[0].inum", "NUMBER_FORMAT"),
        ("b2b[0].inv[0].idt", "DATE_AFTER_PERIOD"),
        ("b2b[0].inv[0].itms[0].itm_det.rt", "RATE_INVALID"),
        ("b2b[0].inv[1].itms[0].itm_det.samt", "CGST_SGST_UNEQUAL"),
        ("b2b[0].inv[1].itms[1].itm_det.iamt", "TAX_HEAD_WRONG"),
        ("b2b[1].ctin", "CTIN_IS_SUPPLIER"),
        ("b2b[1].inv[0].inum", "NUMBER_DUPLICATE"),
        ("isd", "UNSUPPORTED_SECTION"),
        ("cdnr[0].nt[0].itms[0].itm_det.iamt", "TAX_MISMATCH"),
        ("fp", "FP_MISMATCH"),
    ]


def test_r3_11_only_clean_documents_are_returned():
    payload = {
        "b2b": [
            {"ctin": KA, "inv": [inv("A-1"), inv("A-2", itms=[item(iamt=30)]), inv("A-3")]},
            {"ctin": "bad", "inv": [inv("A-4")]},
        ]
    }
    docs, errors = run(payload)
    assert codes(errors) == [
        ("b2b[0].inv[1].itms[0].itm_det.iamt", "TAX_MISMATCH"),
        ("b2b[1].ctin", "CTIN_INVALID"),
    ]
    assert [d.number for d in docs] == ["A-1", "A-3"]


@pytest.mark.parametrize("chunk", [1, 5_000])
def test_r3_2_r3_11_a_repeated_number_is_neither_returned_nor_handed_on_as_clean(chunk):
    """R-3.2 within the batch is answered a chunk at a time (issue 12); the repeating document still never
    comes back among the clean ones, nor reaches a sink while the batch is clean."""
    handed = []
    payload = {"b2b": [{"ctin": KA, "inv": [inv("A-1"), inv("a-1"), inv("A-3")]}]}
    docs, errors = parse_gstr1(payload, supplier_gstin=MH, period=202510)
    assert codes(errors) == [("b2b[0].inv[1].inum", "NUMBER_DUPLICATE")]
    assert [d.number for d in docs] == ["A-1", "A-3"]
    parse_gstr1(
        payload,
        supplier_gstin=MH,
        period=202510,
        chunk=chunk,
        sink=lambda items, clean: handed.extend((d.number, clean) for d in items),
    )
    assert ("a-1", True) not in handed and [n for n, _ in handed] == ["A-1", "A-3"]


# --- document numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, ok",
    [
        ("1", True),
        ("A", True),
        ("INV/2025-26/0001", True),  # 16 characters
        ("INV/2025-26/00001", False),  # 17 characters
        ("abc-def/12", True),
        (" INV-7 ", True),  # trimmed
        ("0", False),
        ("000/00-0", False),
        ("/-/", False),
        ("INV 1", False),
        ("INV_1", False),
        ("INV#1", False),
        ("ÍNV1", False),
        ("0010", True),
    ],
)
def test_r3_2_number_format(number, ok):
    expected = [] if ok else [("b2b[0].inv[0].inum", "NUMBER_FORMAT")]
    assert errors_of(b2b(inv(number))) == expected
    note_expected = [] if ok else [("cdnr[0].nt[0].nt_num", "NUMBER_FORMAT")]
    assert errors_of({"cdnr": [{"ctin": KA, "nt": [note(number)]}]}) == note_expected


def test_r3_2_number_kept_as_typed_and_trimmed():
    docs, errors = run(b2b(inv(" inv/7a ")))
    assert errors == []
    assert docs[0].number == "inv/7a" and docs[0].number_key == "INV/7A"


def test_r3_2_original_number_format_checked():
    payload = {"b2ba": [{"ctin": KA, "inv": [inv("A-1", oinum="0/0", oidt="01-09-2025")]}]}
    assert errors_of(payload) == [("b2ba[0].inv[0].oinum", "NUMBER_FORMAT")]


@pytest.mark.parametrize(
    "payload, expected",
    [
        # the same number twice, case-insensitively, even for another recipient
        (
            {"b2b": [{"ctin": KA, "inv": [inv("inv-1")]}, {"ctin": GJ, "inv": [inv("INV-1", pos="24")]}]},
            [("b2b[1].inv[0].inum", "NUMBER_DUPLICATE")],
        ),
        # a third repeat is reported too
        (
            b2b(inv("X1"), inv("X1"), inv("X1")),
            [("b2b[0].inv[1].inum", "NUMBER_DUPLICATE"), ("b2b[0].inv[2].inum", "NUMBER_DUPLICATE")],
        ),
        # another FY: 31-03-2025 is FY 2024-25, 01-04-2025 FY 2025-26
        (b2b(inv("X1", idt="31-03-2025"), inv("X1", idt="01-04-2025")), []),
        (
            b2b(inv("X1", idt="01-04-2025"), inv("X1", idt="31-10-2025")),
            [("b2b[0].inv[1].inum", "NUMBER_DUPLICATE")],
        ),
        # CN and DN share one series, separate from invoices
        (
            {"cdnr": [{"ctin": KA, "nt": [note("N-1", ntty="C"), note("n-1", ntty="D")]}]},
            [("cdnr[0].nt[1].nt_num", "NUMBER_DUPLICATE")],
        ),
        ({**b2b(inv("N-1")), "cdnr": [{"ctin": KA, "nt": [note("N-1")]}]}, []),
        # an amendment's number is in the same series as new invoices
        (
            {**b2b(inv("X1")), "b2ba": [{"ctin": KA, "inv": [inv("x1", oinum="X0", oidt="01-09-2025")]}]},
            [("b2ba[0].inv[0].inum", "NUMBER_DUPLICATE")],
        ),
        # ECO documents: numbers belong to the actual supplier (stin)
        (
            {
                **b2b(inv("E-1")),
                "ecom": {
                    "b2b": [
                        {"stin": TN, "rtin": KA, "inv": [eco_inv("E-1")]},
                        {"stin": DL, "rtin": KA, "inv": [eco_inv("E-1")]},
                        {"stin": TN, "rtin": GJ, "inv": [eco_inv("e-1", pos="24")]},
                    ]
                },
            },
            [("ecom.b2b[2].inv[0].inum", "NUMBER_DUPLICATE")],
        ),
    ],
)
def test_r3_2_number_duplicate_within_batch(payload, expected):
    assert errors_of(payload) == expected


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "idt, expected",
    [
        ("01-07-2017", []),
        ("30-06-2017", [("b2b[0].inv[0].idt", "DATE_BEFORE_GST")]),
        ("31-10-2025", []),
        ("01-11-2025", [("b2b[0].inv[0].idt", "DATE_AFTER_PERIOD")]),
        ("15-03-2024", []),
        ("32-10-2025", [("b2b[0].inv[0].idt", "INVALID")]),
    ],
)
def test_r3_3_document_date(idt, expected):
    assert errors_of(b2b(inv(idt=idt))) == expected


def test_r3_3_february_last_day():
    assert errors_of(b2b(inv(idt="29-02-2024")), period=202402) == []
    assert errors_of(b2b(inv(idt="01-03-2024")), period=202402) == [
        ("b2b[0].inv[0].idt", "DATE_AFTER_PERIOD")
    ]


@pytest.mark.parametrize(
    "oidt, expected",
    [
        ("01-09-2025", []),
        ("30-06-2017", [("b2ba[0].inv[0].oidt", "DATE_BEFORE_GST")]),
        ("01-12-2025", []),  # only the document's own date is bounded by the period
        ("2025/09/01", [("b2ba[0].inv[0].oidt", "INVALID")]),
    ],
)
def test_r3_3_original_date(oidt, expected):
    payload = {"b2ba": [{"ctin": KA, "inv": [inv(oinum="X0", oidt=oidt)]}]}
    assert errors_of(payload) == expected


# --- parties -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ctin, expected",
    [
        (KA, []),
        (KA.lower(), []),
        ("29AAGCB7383J1Z", [("b2b[0].ctin", "CTIN_INVALID")]),  # length
        ("29AAGCB7383J1Z5", [("b2b[0].ctin", "CTIN_INVALID")]),  # check character
        ("99AAGCB7383J1Z4", [("b2b[0].ctin", "CTIN_INVALID")]),  # state
        (12345, [("b2b[0].ctin", "CTIN_INVALID")]),
        (MH, [("b2b[0].ctin", "CTIN_IS_SUPPLIER")]),
        (" 27aapfu0939f1zv", [("b2b[0].ctin", "CTIN_IS_SUPPLIER")]),
    ],
)
def test_r3_4_recipient_gstin(ctin, expected):
    assert errors_of(b2b(inv(), ctin=ctin)) == expected


@pytest.mark.parametrize(
    "stin, rtin, expected",
    [
        (TN, KA, []),
        (TN, MH, []),  # the operator may also be the recipient; only rtin != stin is required
        (KA, KA, [("ecom.b2b[0].rtin", "CTIN_IS_SUPPLIER")]),
        ("33GSPTN0791G1Z6", KA, [("ecom.b2b[0].stin", "CTIN_INVALID")]),
        (TN, "29AAGCB7383J1Z5", [("ecom.b2b[0].rtin", "CTIN_INVALID")]),
        ("x", "y", [("ecom.b2b[0].stin", "CTIN_INVALID"), ("ecom.b2b[0].rtin", "CTIN_INVALID")]),
    ],
)
def test_r3_4_eco_parties(stin, rtin, expected):
    # place of supply 27 is another state than the actual supplier's: INTER is right
    assert (
        errors_of({"ecom": {"b2b": [{"stin": stin, "rtin": rtin, "inv": [eco_inv(pos="27")]}]}}) == expected
    )


# --- tax heads ---------------------------------------------------------------------------

DET = "b2b[0].inv[0].itms[0].itm_det"


@pytest.mark.parametrize(
    "heads, expected",
    [
        ({"camt": 9, "samt": 9}, []),
        ({"camt": 9.99, "samt": 9.99}, []),  # +0.99
        ({"camt": 8, "samt": 8}, []),  # -1.00
        ({"camt": 10, "samt": 10}, []),  # +1.00
        ({"camt": 10.01, "samt": 10.01}, [(f"{DET}.camt", "TAX_MISMATCH"), (f"{DET}.samt", "TAX_MISMATCH")]),
        ({"camt": 9, "samt": 9.01}, [(f"{DET}.samt", "CGST_SGST_UNEQUAL")]),
        ({"camt": 8.5, "samt": 9.5}, [(f"{DET}.samt", "CGST_SGST_UNEQUAL")]),
        ({"camt": 9, "samt": 12}, [(f"{DET}.samt", "TAX_MISMATCH")]),
        ({"camt": 9}, [(f"{DET}.samt", "TAX_MISMATCH")]),
        ({"iamt": 0.01, "camt": 9, "samt": 9}, [(f"{DET}.iamt", "TAX_HEAD_WRONG")]),
        (
            {"iamt": 18},
            [
                (f"{DET}.iamt", "TAX_HEAD_WRONG"),
                (f"{DET}.camt", "TAX_MISMATCH"),
                (f"{DET}.samt", "TAX_MISMATCH"),
            ],
        ),
        ({"camt": 9, "samt": 9, "csamt": 123.45}, []),  # cess is free
    ],
)
def test_r3_5_intra_state_needs_equal_cgst_sgst(heads, expected):
    # supplier 27 (Maharashtra), place of supply 27: intra-state; 18% of 100 = 9 + 9
    assert errors_of(b2b(inv(pos="27", itms=[item(**heads)]))) == expected


@pytest.mark.parametrize(
    "heads, expected",
    [
        ({"iamt": 18}, []),
        ({"iamt": 17}, []),
        ({"iamt": 19}, []),
        ({"iamt": 16.99}, [(f"{DET}.iamt", "TAX_MISMATCH")]),
        ({"iamt": 19.01}, [(f"{DET}.iamt", "TAX_MISMATCH")]),
        ({}, [(f"{DET}.iamt", "TAX_MISMATCH")]),
        ({"iamt": 18, "camt": 0.5}, [(f"{DET}.camt", "TAX_HEAD_WRONG")]),
        ({"iamt": 18, "samt": 1}, [(f"{DET}.samt", "TAX_HEAD_WRONG")]),
        ({"iamt": 18, "csamt": 5}, []),
        (
            {"camt": 9, "samt": 9},
            [
                (f"{DET}.iamt", "TAX_MISMATCH"),
                (f"{DET}.camt", "TAX_HEAD_WRONG"),
                (f"{DET}.samt", "TAX_HEAD_WRONG"),
            ],
        ),
    ],
)
def test_r3_5_inter_state_needs_igst_only(heads, expected):
    # supplier 27, place of supply 29: inter-state; 18% of 100 = 18
    assert errors_of(b2b(inv(pos="29", itms=[item(**heads)]))) == expected


@pytest.mark.parametrize(
    "inv_typ, heads, expected",
    [
        # SEWP and CBW are never intra-state, even when the place of supply is the supplier's state
        ("SEWP", {"iamt": 18}, []),
        ("SEWP", {"camt": 9, "samt": 9}, ["iamt:TAX_MISMATCH", "camt:TAX_HEAD_WRONG", "samt:TAX_HEAD_WRONG"]),
        ("CBW", {"iamt": 18}, []),
        ("DE", {"camt": 9, "samt": 9}, []),
        ("R", {"camt": 9, "samt": 9}, []),
        # SEWOP carries no tax at all
        ("SEWOP", {}, []),
        ("SEWOP", {"iamt": 18}, ["iamt:TAX_ON_SEWOP"]),
        (
            "SEWOP",
            {"camt": 9, "samt": 9, "csamt": 1},
            ["camt:TAX_ON_SEWOP", "samt:TAX_ON_SEWOP", "csamt:TAX_ON_SEWOP"],
        ),
    ],
)
def test_r3_5_invoice_type_decides_the_heads(inv_typ, heads, expected):
    got = errors_of(b2b(inv(pos="27", inv_typ=inv_typ, itms=[item(**heads)])))
    assert got == [(f"{DET}.{e.split(':')[0]}", e.split(":")[1]) for e in expected]


@pytest.mark.parametrize(
    "pos, heads, expected",
    [
        ("29", {"iamt": 11.70}, []),  # 18 x 0.65
        ("29", {"iamt": 12.70}, []),
        ("29", {"iamt": 12.71}, ["iamt"]),
        ("29", {"iamt": 18}, ["iamt"]),
        ("27", {"camt": 5.85, "samt": 5.85}, []),  # 9 x 0.65
        ("27", {"camt": 9, "samt": 9}, ["camt", "samt"]),
    ],
)
def test_r3_5_diff_percent_multiplies_expected_tax(pos, heads, expected):
    got = errors_of(b2b(inv(pos=pos, diff_percent=Decimal("0.65"), itms=[item(**heads)])))
    assert got == [(f"{DET}.{h}", "TAX_MISMATCH") for h in expected]


def test_r3_5_diff_percent_kept_on_the_document():
    docs, _ = run(b2b(inv(diff_percent=0.65, itms=[item(iamt=11.7)])))
    assert docs[0].diff_percent == Decimal("0.65")
    docs, _ = run(b2b(inv(diff_percent=None)))
    assert docs[0].diff_percent is None


def test_r3_5_every_item_checked_with_its_own_rate():
    items = [item(num=1, rt=5, txval=1000, iamt=50), item(num=2, rt=28, txval=250.50, iamt=70.14)]
    assert errors_of(b2b(inv(itms=items))) == []
    items[1]["itm_det"]["iamt"] = 72
    assert errors_of(b2b(inv(itms=items))) == [("b2b[0].inv[0].itms[1].itm_det.iamt", "TAX_MISMATCH")]


def test_r3_5_missing_heads_mean_zero():
    assert errors_of(b2b(inv(pos="29", itms=[item(rt=0, txval=100)]))) == []
    assert errors_of(b2b(inv(pos="27", itms=[item(rt=0.25, txval=100)]))) == []  # 0.125 + 0.125 within 1.00
    docs, _ = run(b2b(inv(itms=[item(rt=0, txval=100, iamt=None)])))
    assert docs[0].iamt == Decimal("0.00")


def test_r3_5_credit_note_amounts_are_positive():
    assert errors_of({"cdnr": [{"ctin": KA, "nt": [note(itms=[item(txval=-100, iamt=-18)])]}]}) == [
        ("cdnr[0].nt[0].itms[0].itm_det.txval", "INVALID"),
        ("cdnr[0].nt[0].itms[0].itm_det.iamt", "INVALID"),
    ]


EDET = "ecom.b2b[0].inv[0]"


@pytest.mark.parametrize(
    "stin, pos, sply_ty, heads, expected",
    [
        # the actual supplier's state (stin) decides, not the operator's (27)
        (TN, "33", "INTRA", {"camt": 9, "samt": 9}, []),
        (TN, "27", "INTER", {"iamt": 18}, []),
        (TN, "33", "INTER", {"camt": 9, "samt": 9}, [(f"{EDET}.sply_ty", "TAX_HEAD_WRONG")]),
        (TN, "29", "INTRA", {"iamt": 18}, [(f"{EDET}.sply_ty", "TAX_HEAD_WRONG")]),
        (
            TN,
            "27",
            "INTER",
            {"camt": 9, "samt": 9},
            [
                (f"{EDET}.itms[0].itm_det.iamt", "TAX_MISMATCH"),
                (f"{EDET}.itms[0].itm_det.camt", "TAX_HEAD_WRONG"),
                (f"{EDET}.itms[0].itm_det.samt", "TAX_HEAD_WRONG"),
            ],
        ),
    ],
)
def test_r3_5_eco_supply_type_follows_actual_supplier(stin, pos, sply_ty, heads, expected):
    payload = {
        "ecom": {
            "b2b": [
                {"stin": stin, "rtin": KA, "inv": [eco_inv(pos=pos, sply_ty=sply_ty, itms=[item(**heads)])]}
            ]
        }
    }
    assert errors_of(payload) == expected


def test_r3_5_eco_documents_never_reverse_charge():
    payload = {"ecom": {"b2b": [{"stin": TN, "rtin": KA, "inv": [eco_inv(rchrg="Y")]}]}}
    docs, errors = run(payload)
    assert errors == [] and docs[0].rchrg is False


# --- rates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rt, iamt, ok",
    [
        (0, 0, True),
        (0.1, 0.1, True),
        (Decimal("0.25"), 0.25, True),
        (1, 1, True),
        (1.5, 1.5, True),
        (3, 3, True),
        (5, 5, True),
        (6, 6, True),
        (7.5, 7.5, True),
        (12, 12, True),
        (Decimal("18.00"), 18, True),
        (28, 28, True),
        (2, 2, False),
        (15, 15, False),
        (0.5, 0.5, False),
        (Decimal("12.5"), 12.5, False),
        (-5, 0, False),
        (100, 100, False),
    ],
)
def test_r3_6_rate_invalid(rt, iamt, ok):
    expected = [] if ok else [(f"{DET}.rt", "RATE_INVALID")]
    assert errors_of(b2b(inv(itms=[item(rt=rt, iamt=iamt)]))) == expected


@pytest.mark.parametrize(
    "idt, period, expected",
    [
        ("21-09-2025", 202509, [(f"{DET}.rt", "RATE_NOT_YET_VALID")]),
        ("22-09-2025", 202509, []),
        ("01-10-2025", 202510, []),
        ("01-04-2024", 202510, [(f"{DET}.rt", "RATE_NOT_YET_VALID")]),
    ],
)
def test_r3_6_rate_40_not_before_22092025(idt, period, expected):
    assert errors_of(b2b(inv(idt=idt, itms=[item(rt=40, iamt=40)])), period=period) == expected


def test_r3_6_rate_canonical_on_the_item():
    docs, _ = run(b2b(inv(itms=[item(rt=Decimal("18.00"), iamt=18)])))
    assert str(docs[0].items[0]["rt"]) == "18"


# --- invoice types and reverse charge ----------------------------------------------------


@pytest.mark.parametrize(
    "extra, rchrg, inv_typ",
    [
        ({}, False, "R"),
        ({"rchrg": "Y"}, True, "R"),
        ({"rchrg": "n", "inv_typ": "de"}, False, "DE"),
        ({"rchrg": None, "inv_typ": None}, False, "R"),
        ({"inv_typ": "CBW"}, False, "CBW"),
    ],
)
def test_r3_7_invoice_type_and_reverse_charge(extra, rchrg, inv_typ):
    doc = inv()
    del doc["rchrg"], doc["inv_typ"]
    doc.update(extra)
    docs, errors = run(b2b(doc))
    assert errors == []
    assert (docs[0].rchrg, docs[0].inv_typ) == (rchrg, inv_typ)


# --- content hash -------------------------------------------------------------------------------


def _doc(payload):
    docs, errors = run(payload)
    assert errors == []
    return docs[0]


def test_r3_2_content_hash_same_content_same_hash():
    a = _doc(b2b(inv(itms=[item(rt=18, txval=100, iamt=18)])))
    b = _doc(
        json.loads(json.dumps(b2b(inv(itms=[item(rt=18.0, txval=100.00, iamt=18.0)]))), parse_float=Decimal)
    )
    assert len(a.content_hash) == 32 and all(c in "0123456789abcdef" for c in a.content_hash)
    assert a.content_hash == b.content_hash


@pytest.mark.parametrize(
    "change",
    [
        {"inum": "inv-1"},
        {"idt": "02-10-2025"},
        {"val": 119},
        {"pos": "24"},
        {"rchrg": "Y"},
        {"inv_typ": "DE"},
        {"diff_percent": 0.65, "itms": [item(iamt=11.70)]},
        {"itms": [item(iamt=18.5)]},
        {"itms": [item(iamt=18, csamt=1)]},
        {"itms": [item(iamt=18, num=2)]},
        {"itms": [item(rt=12, txval=150, iamt=18)]},
        {"itms": [item(iamt=18), item(num=2, rt=0, txval=0)]},
    ],
)
def test_r3_2_content_hash_changes_with_any_field(change):
    base = _doc(b2b(inv()))
    changed = _doc(b2b(inv(**change)))
    assert base.content_hash != changed.content_hash


def test_r3_2_content_hash_differs_by_recipient_section_and_original():
    base = _doc(b2b(inv()))
    assert _doc(b2b(inv(pos="24"), ctin=GJ)).content_hash != _doc(b2b(inv(pos="24"))).content_hash
    amend = _doc({"b2ba": [{"ctin": KA, "inv": [inv(oinum="X0", oidt="01-09-2025")]}]})
    amend2 = _doc({"b2ba": [{"ctin": KA, "inv": [inv(oinum="X9", oidt="01-09-2025")]}]})
    assert len({base.content_hash, amend.content_hash, amend2.content_hash}) == 3
    cn = _doc({"cdnr": [{"ctin": KA, "nt": [note("N1", ntty="C")]}]})
    dn = _doc({"cdnr": [{"ctin": KA, "nt": [note("N1", ntty="D")]}]})
    assert cn.content_hash != dn.content_hash


def test_docinput_can_be_built_directly():
    d = DocInput(
        path="x",
        section="cdnr",
        doc_type="DN",
        ctin=KA,
        stin=None,
        sply_ty=None,
        number="Dn-5",
        doc_date=date(2026, 1, 15),
        orig_number=None,
        orig_date=None,
        val=Decimal("10"),
        pos="29",
        rchrg=False,
        inv_typ="R",
        diff_percent=None,
        items=[
            {
                "num": 1,
                "rt": Decimal("5"),
                "txval": Decimal("10"),
                "iamt": Decimal("0.50"),
                "camt": Decimal("0"),
                "samt": Decimal("0"),
                "csamt": Decimal("0.25"),
            },
        ],
    )
    assert (d.series, d.fy, d.number_key, d.is_amendment) == ("NOTE", 2025, "DN-5", False)
    assert d.total_tax == Decimal("0.75") and d.txval == Decimal("10")
    assert d.number_owner(MH.lower()) == MH


# --- size -------------------------------------------------------------------------------


@pytest.mark.slow
def test_r3_11_large_batch_is_linear():
    n = 20_000
    groups = [{"ctin": KA, "inv": [inv(f"B{g}-{i}") for i in range(100)]} for g in range(n // 100)]
    groups[-1]["inv"].append(inv("B0-0"))
    start = time.perf_counter()
    docs, errors = run({"b2b": groups})
    elapsed = time.perf_counter() - start
    assert len(docs) == n
    assert codes(errors) == [(f"b2b[{n // 100 - 1}].inv[100].inum", "NUMBER_DUPLICATE")]
    assert elapsed < 10, elapsed


# --- issue 12: a batch handed on in chunks, sections read entry by entry ------------------------------------


def test_issue12_with_a_sink_valid_documents_are_handed_on_in_chunks_and_not_kept():
    groups = [
        {"ctin": KA, "inv": [inv(f"S-{i}") for i in range(5)]},
        {"ctin": GJ, "inv": [inv("S-5", pos="24")]},
    ]
    groups[1]["inv"].append(inv("S-6", pos="24", idt="31-02-2025"))  # no such date: an error
    groups[1]["inv"].append(inv("S-7", pos="24"))
    handed: list[tuple[list[str], bool]] = []

    docs, errors = parse_gstr1(
        {"b2b": groups},
        supplier_gstin=MH,
        period=PERIOD,
        sink=lambda items, clean: handed.append(([d.number for d in items], clean)),
        chunk=2,
    )

    assert docs == []
    assert handed == [
        (["S-0", "S-1"], True),
        (["S-2", "S-3"], True),
        (["S-4", "S-5"], True),
        (["S-7"], False),
    ]
    assert [e["path"] for e in errors] == ["b2b[1].inv[1].idt"]
    assert errors[0]["message"].startswith("B2B invoice S-6, invoice date:")  # named by its number


def test_issue12_a_section_read_entry_by_entry_validates_as_the_whole_list():
    from invoices.domain.gstr1 import parse_gstr1_sections

    groups = [{"ctin": KA, "inv": [inv("R-1"), inv("R-1"), inv("R-2", pos="x")]}, "not an object"]
    whole = parse_gstr1_sections([("b2b", copy.deepcopy(groups))], supplier_gstin=MH, period=PERIOD)
    streamed = parse_gstr1_sections([("b2b", iter(copy.deepcopy(groups)))], supplier_gstin=MH, period=PERIOD)

    assert streamed == whole
    assert [e["path"] for e in whole[1]] == ["b2b[0].inv[1].inum", "b2b[0].inv[2].pos", "b2b[1]"]


def test_issue12_the_content_hash_is_the_sha256_of_json_dumps_canonical_text():
    """The hash is written faster (orjson) but is the same text's: hashes saved before stay valid, so a
    re-upload of the same documents is "unchanged"."""
    import hashlib

    second = inv("inv-2", diff_percent=0.65, itms=[item(iamt=Decimal("11.70")), item(5, 50, 2, iamt=2.5)])
    docs, errors = parse_gstr1(
        {"b2b": [{"ctin": KA, "inv": [inv("INV/26-27/1"), second]}]},
        supplier_gstin=MH,
        period=PERIOD,
    )
    assert errors == [] and len(docs) == 2
    for d in docs:
        content = {
            "section": d.section,
            "doc_type": d.doc_type,
            "ctin": d.ctin,
            "stin": d.stin,
            "sply_ty": d.sply_ty,
            "number": d.number,
            "doc_date": d.doc_date.isoformat(),
            "orig_number": d.orig_number,
            "orig_date": None,
            "val": f"{d.val:.2f}",
            "pos": d.pos,
            "rchrg": d.rchrg,
            "inv_typ": d.inv_typ,
            "diff_percent": None if d.diff_percent is None else format(d.diff_percent.normalize(), "f"),
            "items": [
                {"num": it["num"], "rt": format(it["rt"].normalize(), "f")}
                | {h: f"{it[h]:.2f}" for h in ("txval", "iamt", "camt", "samt", "csamt")}
                for it in d.items
            ],
        }
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert d.content_hash == hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def test_issue12_r3_2_the_hash_writes_amounts_as_money_does_without_rounding_what_is_in_paise():
    """A document's content hash writes each amount as ``str(money(x))`` (saved hashes stay valid, so a
    re-upload is "unchanged"); the shortcut for amounts already in paise gives exactly that, for any value."""
    import random

    from core.money import money
    from invoices.domain.gstr1 import _paise_text

    rng = random.Random(3)
    values = [
        Decimal("1000.00"),
        Decimal("-0.00"),
        Decimal("0.05"),
        Decimal("5.5"),
        Decimal("12.345"),
        Decimal("1E+2"),
        Decimal("1.5E-7"),
        Decimal("99999999999.99"),
        0,
        7,
        "12.30",
    ]
    for _ in range(3_000):
        digits = rng.randint(0, 10**9)
        values.append(Decimal(digits).scaleb(-rng.randint(0, 5)) * rng.choice((1, -1)))
    for value in values:
        assert _paise_text(value) == str(money(value)), value
