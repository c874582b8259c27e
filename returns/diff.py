"""What changed between two versions of a GSTR-2B, and why (issue 17, item 2).

Lines of the two versions are compared by record in SQL (a full outer join on the record id, keyset pages of
the rows that differ): a record entered, left, moved between groups (ITC available, not available, rejected;
sub-group; table) or changed its counted amounts or declaration. Each change names its cause from the audit
trail: the record's last audit row between the two generations (an accept, a reject, an expiry, a supplier's
amendment, a filing carried forward), else what the record itself says (filed by the supplier in between,
superseded, removed). The totals are compared from the versions' stored itcsumm."""

from decimal import Decimal

from django.db import connection

from core.api import make_cursor, page_args
from core.errors import ValidationFailed
from core.periods import IST
from ims.models import Action, ImsAudit, ImsRecord
from ims.selectors import document_words
from returns.models import Gstr2bLine, Gstr2bVersion
from returns.selectors import gstr2b_version
from returns.words import GROUP_WORDS, KEY_LABELS, SUB_WORDS

HEADS = ("txval", "igst", "cgst", "sgst", "cess")
PAGE = 500
ACTION_WORDS = {a.value: a.label for a in Action}

_SIDE = "record_id, grp, sub, key, section, number, ctin, trdnm, doc_type, c_txval, c_igst, c_cgst, c_sgst, "
_SIDE += "c_cess, itc_red_req, decl_igst, decl_cgst, decl_sgst, decl_cess"
_DIFFERS = " OR ".join(
    ["a.record_id IS NULL", "b.record_id IS NULL", "a.grp <> b.grp", "a.sub <> b.sub", "a.key <> b.key"]
    + [f"a.c_{h} <> b.c_{h}" for h in HEADS]
    + [
        f"(a.{c} IS NULL) <> (b.{c} IS NULL) OR a.{c} <> b.{c}"
        for c in ("itc_red_req", "decl_igst", "decl_cgst", "decl_sgst", "decl_cess")
    ]
)
_COLS = _SIDE.replace(" ", "").split(",")
DIFF_SQL = f"""
SELECT {", ".join(f"a.{c}" for c in _COLS)}, {", ".join(f"b.{c}" for c in _COLS)}
FROM (SELECT {_SIDE} FROM {Gstr2bLine._meta.db_table} WHERE taxpayer_id = %(t)s AND version_id = %(a)s) a
FULL OUTER JOIN
     (SELECT {_SIDE} FROM {Gstr2bLine._meta.db_table} WHERE taxpayer_id = %(t)s AND version_id = %(b)s) b
  ON a.record_id = b.record_id
WHERE ({_DIFFERS}) AND COALESCE(a.record_id, b.record_id) > %(after)s
ORDER BY COALESCE(a.record_id, b.record_id)
LIMIT %(limit)s
"""


def _version_param(params, key: str) -> int:
    raw = params.get(key)
    if raw in (None, ""):
        raise ValidationFailed([{"path": key, "code": "REQUIRED", "message": f"{key} is a version number."}])
    try:
        n = int(raw)
    except (TypeError, ValueError):
        n = 0
    if n < 1:
        raise ValidationFailed([{"path": key, "code": "INVALID", "message": f"{key} is a version number."}])
    return n


def diff_args(params) -> tuple[int, int, int, int]:
    """``from``, ``to`` (versions, from before to), ``after`` (a record id, from ``cursor``), ``limit``."""
    frm, to = _version_param(params, "from"), _version_param(params, "to")
    if frm >= to:
        raise ValidationFailed(
            [{"path": "to", "code": "INVALID", "message": "to is a later version than from."}]
        )
    limit, after = page_args({"limit": params.get("limit") or PAGE, "cursor": params.get("cursor")})
    return frm, to, after or 0, limit


def gstr2b_diff(*, taxpayer, period: int, params) -> dict:
    frm, to, after, limit = diff_args(params)
    a = gstr2b_version(taxpayer=taxpayer, period=period, version=frm)
    b = gstr2b_version(taxpayer=taxpayer, period=period, version=to)
    with connection.cursor() as cur:
        cur.execute(DIFF_SQL, {"t": taxpayer.id, "a": a.id, "b": b.id, "after": after, "limit": limit + 1})
        rows = cur.fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    n = len(_COLS)
    pairs = [(_side(r[:n]), _side(r[n:])) for r in rows]
    ids = [(x or y)["record_id"] for x, y in pairs]
    causes = _causes(taxpayer, ids, a, b)
    changes = [_change(x, y, causes.get((x or y)["record_id"])) for x, y in pairs]
    return {
        "gstin": taxpayer.gstin,
        "rtnprd": f"{period % 100:02d}{period // 100}",
        "from": _version_out(a),
        "to": _version_out(b),
        "totals": _totals(a.itcsumm, b.itcsumm),
        "changes": changes,
        "next_cursor": make_cursor(ids[-1]) if more else None,
    }


def _side(values) -> dict | None:
    if values[0] is None:
        return None
    return dict(zip(_COLS, values, strict=True))


def _version_out(v: Gstr2bVersion) -> dict:
    return {
        "version": v.version,
        "generated_at": v.generated_at.astimezone(IST).isoformat(),
        "trigger": v.trigger,
    }


def _place(line: dict | None) -> dict | None:
    if line is None:
        return None
    out = {
        "grp": line["grp"],
        "sub": line["sub"],
        "key": line["key"],
        "words": _where(line["grp"], line["key"]),
    }
    out.update({h: str(line[f"c_{h}"]) for h in HEADS})
    if line["itc_red_req"]:
        out["itcRedReq"] = line["itc_red_req"]
    return out


def _change(a: dict | None, b: dict | None, cause: dict | None) -> dict:
    line = b or a
    if a is None:
        kind = "entered"
    elif b is None:
        kind = "left"
    elif (a["grp"], a["sub"], a["key"]) != (b["grp"], b["sub"], b["key"]):
        kind = "moved"
    else:
        kind = "amounts"
    return {
        "id": line["record_id"],
        "document": document_words(
            doc_type=line["doc_type"], number=line["number"], trdnm=line["trdnm"], stin=line["ctin"]
        ),
        "ctin": line["ctin"],
        "section": line["section"],
        "change": kind,
        "from": _place(a),
        "to": _place(b),
        "cause": cause,
    }


def _causes(taxpayer, ids: list[int], a: Gstr2bVersion, b: Gstr2bVersion) -> dict[int, dict]:
    """The last audit row of each record between the two generations (one query), else what the record
    says (one query)."""
    out: dict[int, dict] = {}
    if not ids:
        return out
    audits = (
        ImsAudit.objects.filter(
            recipient_id=taxpayer.id, record_id__in=ids, at__gt=a.generated_at, at__lte=b.generated_at
        )
        .order_by("record_id", "-id")
        .values("record_id", "at", "by", "channel", "from_action", "to_action", "reason", "remarks")
    )
    for row in audits:
        if row["record_id"] in out:
            continue
        out[row["record_id"]] = {
            "at": row["at"].astimezone(IST).isoformat(),
            "by": row["by"],
            "channel": row["channel"],
            "from_action": row["from_action"] or None,
            "to_action": row["to_action"] or None,
            "reason": row["reason"] or None,
            "words": _audit_words(row),
        }
    rest = [i for i in ids if i not in out]
    for rec in ImsRecord.objects.filter(recipient_id=taxpayer.id, id__in=rest).only(
        "id", "filed_at", "superseded", "removed", "kept_out", "waiting_on_original"
    ):
        if rec.filed_at and a.generated_at < rec.filed_at <= b.generated_at:
            words = "the supplier filed the return holding it"
        elif rec.superseded:
            words = "superseded by the supplier's amendment"
        elif rec.removed:
            words = "removed by the supplier"
        elif rec.waiting_on_original:
            words = "its amendment waits for the original"
        else:
            words = "recomputed"
        out[rec.id] = {
            "at": None,
            "by": None,
            "channel": None,
            "from_action": None,
            "to_action": None,
            "reason": None,
            "words": words,
        }
    return out


def _audit_words(row: dict) -> str:
    frm, to = row["from_action"], row["to_action"]
    when = row["at"].astimezone(IST).strftime("%d-%m-%Y %H:%M")
    if row["reason"]:
        return f"{row['reason']} ({when})"
    if frm != to and to:
        return f"{ACTION_WORDS.get(to, to)} by {row['by']} ({row['channel']}, {when})"
    return f"changed by {row['by']} ({row['channel']}, {when})"


def _totals(a: dict, b: dict) -> list[dict]:
    """Each itcsumm block (group, sub-group, table) whose figures differ: before, after and the change."""
    out = []
    for grp, subs in (b or {}).items():
        for sub, keys in subs.items():
            for key, after in keys.items():
                before = ((a or {}).get(grp, {}).get(sub, {}) or {}).get(key) or {h: "0.00" for h in HEADS}
                change = {h: str(Decimal(after[h]) - Decimal(before[h])) for h in HEADS}
                if any(Decimal(v) for v in change.values()):
                    out.append(
                        {
                            "grp": grp,
                            "words": _where(grp, key)
                            if key != "total"
                            else f"{GROUP_WORDS.get(grp, grp)}, {SUB_WORDS.get(sub, sub)}: total",
                            "sub": sub,
                            "key": key,
                            "from": before,
                            "to": after,
                            "change": change,
                        }
                    )
    return out


def _where(grp: str, key: str) -> str:
    return f"{GROUP_WORDS.get(grp, grp)}, {KEY_LABELS.get(key, key)}"
