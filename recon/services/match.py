"""Matching a register against the recipient's IMS records (issue 16, item 2), set-based: a handful of
``INSERT … SELECT`` statements per register whatever its size, the same SQL on PostgreSQL and SQLite.

Passes, each one-to-one (a pair is kept when each side is the other's best candidate — type alike first, then
the nearest date, then the smallest amount difference, then the lowest id — repeated until no pair is left):

1. pairs the user made by hand (``Pin``), whatever their differences;
2. duplicates: a line repeating an earlier line of the register (same GSTIN, type and normalised number);
3. exact: same GSTIN and the same number (case aside) — *matched* when type, date and every amount agree
   (amounts within the tolerance), else *mismatch* naming the fields;
4. suggested, number normalised: same GSTIN and type, numbers alike once normalised (``number_norm``), date
   within the window, every amount within the tolerance;
5. suggested, PAN: another GSTIN of the same PAN, otherwise as 4;
6. lines left: *missing in IMS*; the period's records left: *missing in books*.

Candidate records: the recipient's invoices and notes that are neither removed, superseded nor kept out —
every record still in IMS (any period: a late document) and those of the register's period and the two
before it that left IMS at filing — except those a current register of another period has paired.
"""

from django.db import connection, transaction

from core import clock
from core.periods import period_add
from ims.models import ImsRecord
from jobs.runner import register
from jobs.services import job_start
from recon.models import Line, Match, Pin, Register, Settings
from taxpayers.locks import lock_taxpayers

ROUNDS = 4  # mutual-best rounds per pass; a pass ends earlier when a round pairs nothing
HEADS = ("txval", "iamt", "camt", "samt", "cess")
EARLIER_PERIODS = 2


def settings_for(taxpayer_id: int) -> Settings:
    return Settings.objects.filter(taxpayer_id=taxpayer_id).first() or Settings(taxpayer_id=taxpayer_id)


def _days(a: str, b: str) -> str:
    if connection.vendor == "postgresql":
        return f"({a} - {b})"
    return f"CAST(julianday({a}) - julianday({b}) AS INTEGER)"


class _Sql:
    def __init__(self, reg: Register, others: list[int]):
        self.L = Line._meta.db_table
        self.R = ImsRecord._meta.db_table
        self.M = Match._meta.db_table
        self.P = Pin._meta.db_table
        self.reg = reg
        self.others = others

    @property
    def lone_insert(self) -> str:
        """The head of an insert of rows with one side: a lone line or a lone record."""
        return (
            f"INSERT INTO {self.M} (taxpayer_id, register_id, line_id, record_id, category, how, fields,"
            " record_hash, action, remarks)"
        )

    def candidate(self, r: str = "r") -> str:
        """The records a line may pair with (module docstring)."""
        taken = ""
        if self.others:
            ids = ", ".join(str(int(i)) for i in self.others)
            taken = (
                f" AND NOT EXISTS (SELECT 1 FROM {self.M} mo WHERE mo.taxpayer_id = %(t)s"
                f" AND mo.record_id = {r}.id"
                f" AND mo.register_id IN ({ids}) AND mo.line_id IS NOT NULL)"
            )
        return (
            f"{r}.recipient_id = %(t)s AND {r}.removed = %(no)s AND {r}.superseded = %(no)s"
            f" AND {r}.kept_out = %(no)s AND {r}.doc_type IN ('INV', 'DN', 'CN')"
            f" AND ({r}.active = %(yes)s OR {r}.itc_period BETWEEN %(p_from)s AND %(p)s){taken}"
        )

    def free_line(self, line: str = "l") -> str:
        return (
            f"NOT EXISTS (SELECT 1 FROM {self.M} ml WHERE ml.taxpayer_id = %(t)s AND ml.register_id = %(reg)s"
            f" AND ml.line_id = {line}.id)"
        )

    def free_record(self, r: str = "r") -> str:
        return (
            f"NOT EXISTS (SELECT 1 FROM {self.M} mr WHERE mr.taxpayer_id = %(t)s AND mr.register_id = %(reg)s"
            f" AND mr.record_id = {r}.id)"
        )

    def not_unpinned(self) -> str:
        return (
            f"NOT EXISTS (SELECT 1 FROM {self.P} pn WHERE pn.taxpayer_id = %(t)s AND pn.register_id = %(reg)s"
            f" AND pn.line_id = l.id"
            f" AND pn.record_id = r.id AND pn.paired = %(no)s)"
        )

    def pair_insert(
        self,
        *,
        join: str,
        how: str,
        where: str = "",
        suggested: bool = False,
        manual: bool = False,
        ties: bool = False,
    ) -> str:
        """One round of a pass: candidate pairs with their differences, the mutual best kept and inserted.
        ``ties`` (PostgreSQL): the statement answers how many pairs it inserted and how many candidates were
        not their side's best — when none, another round would find nothing."""
        days = _days("r.doc_date", "l.doc_date")
        # A pair made by hand needs only a record of the recipient's that is still there.
        candidate = "r.recipient_id = %(t)s AND r.removed = %(no)s" if manual else self.candidate()
        # The pins drive the pairs made by hand: from the pins to their line and record, by key.
        source = (
            f"{self.P} pn2 JOIN {self.L} l ON l.taxpayer_id = %(t)s AND l.id = pn2.line_id"
            if manual
            else f"{self.L} l"
        )
        if manual:
            where = (
                f"AND pn2.taxpayer_id = %(t)s AND pn2.register_id = %(reg)s AND pn2.paired = %(yes)s {where}"
            )
        diffs = ", ".join(f"r.{h} - l.{h} AS d_{h}" for h in HEADS)
        score = f"CASE WHEN r.doc_type = l.doc_type THEN 0 ELSE 1 END, ABS({days}), " + " + ".join(
            f"ABS(r.{h} - l.{h})" for h in HEADS
        )
        within = " AND ".join(f"ABS(c.d_{h}) <= CAST(%(tol)s AS NUMERIC)" for h in HEADS)
        fields = " || ".join(
            [
                "CASE WHEN c.pan_only = 1 THEN 'gstin,' ELSE '' END",
                "CASE WHEN c.num_differs = 1 THEN 'number,' ELSE '' END",
                "CASE WHEN c.type_differs = 1 THEN 'type,' ELSE '' END",
                "CASE WHEN c.d_days <> 0 THEN 'date,' ELSE '' END",
                *[
                    f"CASE WHEN ABS(c.d_{h}) > CAST(%(tol)s AS NUMERIC) THEN '{h},' ELSE '' END"
                    for h in HEADS
                ],
            ]
        )
        if suggested:
            category = "'suggested'"
        else:
            agree = f"c.type_differs = 0 AND c.d_days = 0 AND {within}"
            category = f"CASE WHEN {agree} THEN 'matched' ELSE 'mismatch' END"
        ranks = (
            f", ROW_NUMBER() OVER (PARTITION BY l.id ORDER BY {score}, r.id) AS rl"
            f", ROW_NUMBER() OVER (PARTITION BY r.id ORDER BY {score}, l.id) AS rr"
            if not manual
            else ", 1 AS rl, 1 AS rr"
        )
        insert = f"""
            INSERT INTO {self.M} (taxpayer_id, register_id, line_id, record_id, category, how, fields, d_days,
                                  d_txval, d_iamt, d_camt, d_samt, d_cess, record_hash, action, remarks)
            SELECT %(t)s, %(reg)s, c.line_id, c.record_id, {category}, '{how}', {fields}, c.d_days,
                   c.d_txval, c.d_iamt, c.d_camt, c.d_samt, c.d_cess, c.hash, '', NULL
        """
        candidates = f"""
                SELECT l.id AS line_id, r.id AS record_id, r.hash AS hash, {days} AS d_days, {diffs},
                       CASE WHEN r.doc_type = l.doc_type THEN 0 ELSE 1 END AS type_differs,
                       CASE WHEN r.number_key = l.number_key THEN 0 ELSE 1 END AS num_differs,
                       CASE WHEN r.stin = l.stin THEN 0 ELSE 1 END AS pan_only
                       {ranks}
                FROM {source} JOIN {self.R} r ON {join}
                WHERE l.taxpayer_id = %(t)s AND l.register_id = %(reg)s AND {self.free_line()}
                  AND {candidate} AND {self.free_record()} AND {self.not_unpinned()} {where}
        """
        if ties:
            return f"""
                WITH c AS ({candidates}),
                ins AS ({insert} FROM c WHERE c.rl = 1 AND c.rr = 1 RETURNING 1)
                SELECT (SELECT COUNT(*) FROM ins), (SELECT COUNT(*) FROM c WHERE c.rl > 1 OR c.rr > 1)
            """
        return f"{insert} FROM ({candidates}) c WHERE c.rl = 1 AND c.rr = 1"


def _params(reg: Register, st: Settings) -> dict:
    return {
        "t": reg.taxpayer_id,
        "reg": reg.id,
        "p": reg.period,
        "p_from": period_add(reg.period, -EARLIER_PERIODS),
        "tol": st.tolerance,
        "win": int(st.date_window),
        "yes": True,
        "no": False,
    }


def _rounds(cursor, q: "_Sql", params: dict, **pass_args) -> None:
    """A pass's rounds: until a round pairs nothing (or, on PostgreSQL, leaves no candidate behind)."""
    pg = connection.vendor == "postgresql"
    for _ in range(ROUNDS):
        cursor.execute(q.pair_insert(**pass_args, ties=pg), params)
        inserted, left = cursor.fetchone() if pg else (cursor.rowcount, 1)
        if inserted == 0 or left == 0:
            return


@transaction.atomic
def register_match(reg: Register) -> dict[str, int]:
    """Match ``reg`` afresh (pins and edited proposals survive); the number of rows per category."""
    st = settings_for(reg.taxpayer_id)
    others = list(
        Register.objects.filter(taxpayer_id=reg.taxpayer_id, current=True)
        .exclude(id=reg.id)
        .values_list("id", flat=True)
    )
    q = _Sql(reg, others)
    params = _params(reg, st)
    edits = list(
        Match.objects.filter(taxpayer_id=reg.taxpayer_id, register=reg)
        .exclude(action="", remarks=None)
        .values_list("line_id", "record_id", "action", "remarks")
    )
    Match.objects.filter(taxpayer_id=reg.taxpayer_id, register=reg).delete()
    win = "ABS(" + _days("r.doc_date", "l.doc_date") + ") <= %(win)s"
    within = " AND ".join(f"ABS(r.{h} - l.{h}) <= CAST(%(tol)s AS NUMERIC)" for h in HEADS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The passes sort and hash the register and the records once each: in memory, not on disk.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        # 1. Pairs made by hand, whatever their differences.
        cursor.execute(
            q.pair_insert(
                join="r.id = pn2.record_id",
                how="manual",
                manual=True,
            ),
            params,
        )
        # 2. Duplicates within the books: every line after the first of its GSTIN, type and normalised number
        # (grouped by hash, not sorted: rows are unique within a register).
        cursor.execute(
            f"""
            {q.lone_insert}
            SELECT %(t)s, %(reg)s, l.id, NULL, 'duplicate', '', '', '', '', NULL
            FROM {q.L} l
            JOIN (
                SELECT g.stin, g.doc_type, g.number_norm, MIN(g.row) AS first_row
                FROM {q.L} g
                WHERE g.taxpayer_id = %(t)s AND g.register_id = %(reg)s
                GROUP BY g.stin, g.doc_type, g.number_norm
                HAVING COUNT(*) > 1
            ) d ON d.stin = l.stin AND d.doc_type = l.doc_type AND d.number_norm = l.number_norm
            WHERE l.taxpayer_id = %(t)s AND l.register_id = %(reg)s AND l.row > d.first_row
              AND {q.free_line()}
            """,
            params,
        )
        # 3. Same GSTIN and number.
        _rounds(cursor, q, params, join="r.stin = l.stin AND r.number_key = l.number_key", how="exact")
        # 4. Numbers alike once normalised.
        _rounds(
            cursor,
            q,
            params,
            join="r.stin = l.stin AND r.number_norm = l.number_norm",
            how="number",
            suggested=True,
            where=f"AND r.doc_type = l.doc_type AND {win} AND {within}",
        )
        # 5. Another GSTIN of the same PAN.
        _rounds(
            cursor,
            q,
            params,
            join="SUBSTR(r.stin, 3, 10) = l.pan AND r.number_norm = l.number_norm AND r.stin <> l.stin",
            how="pan",
            suggested=True,
            where=f"AND r.doc_type = l.doc_type AND {win} AND {within}",
        )
        # 6. What is left on either side.
        cursor.execute(
            f"""
            {q.lone_insert}
            SELECT %(t)s, %(reg)s, l.id, NULL, 'books_only', '', '', '', '', NULL
            FROM {q.L} l
            WHERE l.taxpayer_id = %(t)s AND l.register_id = %(reg)s AND {q.free_line()}
            """,
            params,
        )
        cursor.execute(
            f"""
            {q.lone_insert}
            SELECT %(t)s, %(reg)s, NULL, r.id, 'ims_only', '', '', r.hash, '', NULL
            FROM {q.R} r
            WHERE {q.candidate()} AND r.itc_period = %(p)s AND {q.free_record()}
            """,
            params,
        )
    _edits_restore(reg, edits)
    Register.objects.filter(taxpayer_id=reg.taxpayer_id, id=reg.id).update(matched_at=clock.now())
    return category_counts(reg)


def _edits_restore(reg: Register, edits: list) -> None:
    """Edited proposals of the previous matching, kept where the same line and record are still one row."""
    for line_id, record_id, action, remarks in edits:
        Match.objects.filter(
            taxpayer_id=reg.taxpayer_id, register=reg, line_id=line_id, record_id=record_id
        ).update(action=action, remarks=remarks)


def category_counts(reg: Register) -> dict[str, int]:
    from django.db.models import Count

    rows = (
        Match.objects.filter(taxpayer_id=reg.taxpayer_id, register=reg)
        .values("category")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["category"]: r["n"] for r in rows}


def match_start(reg: Register, taxpayer, user):
    """Match the register again, as a job ("Match again" on the page and the API)."""
    return job_start(kind="recon_match", taxpayer=taxpayer, user=user, params={"register": reg.id})


@register("recon_match")
def _recon_match(job) -> dict:
    """Match a register again (after suppliers' changes, a new register of another period, or new rules)."""
    reg = Register.objects.get(id=job.params["register"], taxpayer_id=job.taxpayer_id)
    with transaction.atomic():
        lock_taxpayers([reg.taxpayer_id])
        counts = register_match(reg)
    return {"register": reg.id, "counts": counts}
