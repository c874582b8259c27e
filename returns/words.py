"""GSTR-2B in words, for the 2B page and the version diff: its groups with their sub-groups (GSTN's parts),
and its tables."""

GROUPS = (
    (
        "itcavl",
        "ITC available",
        (
            ("nonrevsup", "Part A — All other ITC: supplies from registered persons"),
            ("revsup", "Part A — Inward supplies liable to reverse charge"),
            ("othersup", "Part B — ITC reversal: credit notes and reductions"),
            ("imports", "Part A — Import of goods (GSTR-3B 4A(1))"),
        ),
    ),
    (
        "itcunavl",
        "ITC not available",
        (
            ("nonrevsup", "All other supplies"),
            ("revsup", "Inward supplies liable to reverse charge"),
            ("othersup", "Credit notes and reductions"),
        ),
    ),
    (
        "itcRejected",
        "ITC rejected",
        (
            ("nonrevsup", "All other supplies"),
            ("othersup", "Credit notes and reductions"),
        ),
    ),
)
GROUP_WORDS = {grp: words for grp, words, _ in GROUPS}
SUB_WORDS = {(grp, sub): words for grp, _, subs in GROUPS for sub, words in subs}

KEY_LABELS = {
    "b2b": "B2B invoices",
    "b2ba": "B2B invoices — Amendments",
    "cdnr": "Credit / Debit notes",
    "cdnra": "Credit / Debit notes — Amendments",
    "ecom": "ECO documents",
    "ecoma": "ECO documents — Amendments",
    "cdnrrev": "Credit notes — reverse charge",
    "impg": "Import of goods from overseas",
    "impgsez": "Import of goods from SEZ units",
}
