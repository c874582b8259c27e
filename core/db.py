"""Set-based writes the ORM does not offer: many rows with different values in one statement."""

import functools
import io
import logging
import operator
import random
import time
from datetime import date, datetime
from decimal import Decimal

import orjson
from django.db import DatabaseError, connection
from django.db.models import Model

from core.errors import RuleViolation

log = logging.getLogger(__name__)
# PostgreSQL's deadlock_detected, serialization_failure, lock_not_available (lock_timeout).
RETRYABLE = {"40P01", "40001", "55P03"}
RETRIES = 3


def is_conflict(exc: BaseException) -> bool:
    cause = exc.__cause__
    return getattr(cause, "pgcode", None) in RETRYABLE


def retry_on_conflict(fn):
    """Run ``fn`` (a whole transaction) again, up to RETRIES times, when PostgreSQL ends it with a deadlock,
    a serialization failure or a lock timeout; then answer 503 ``BUSY`` — never a 500. Inside an outer
    transaction (a job's, a test's) there is nothing to retry: the error goes up as ``BUSY`` at once."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        for attempt in range(1, RETRIES + 1):
            try:
                return fn(*args, **kwargs)
            except DatabaseError as exc:
                if not is_conflict(exc):
                    raise
                log.warning("%s: %s on attempt %d", fn.__qualname__, exc.__cause__.pgcode, attempt)
                if connection.in_atomic_block or attempt == RETRIES:
                    raise RuleViolation(
                        "BUSY", "Another change to the same records is in progress; try again.", status=503
                    ) from exc
                time.sleep(0.05 * attempt + random.random() * 0.05)
        raise AssertionError("unreachable")

    return wrapper


def rows_update(model, objs: list, fields, *, batch_size: int = 1000, owner: str | None = None) -> None:
    """Write ``fields`` of ``objs`` back with one ``UPDATE … FROM (VALUES …)`` per batch.

    Django's ``bulk_update`` builds a ``CASE WHEN id = … THEN …`` per field and row: the same number of
    queries, but seconds of Python per thousand rows (R-9 scale). ``owner`` (a column such as
    ``recipient_id``): each statement also names the rows' owner, one statement per owner, so it routes
    to one shard (issue 13)."""
    if not objs:
        return
    if owner is not None and connection.vendor == "postgresql":
        groups: dict = {}
        for obj in objs:
            groups.setdefault(getattr(obj, owner), []).append(obj)
        for value, group in groups.items():
            _rows_update(model, group, fields, batch_size, (owner, value))
        return
    _rows_update(model, objs, fields, batch_size, None)


def _rows_update(model, objs: list, fields, batch_size: int, owner) -> None:
    meta = model._meta
    pk = meta.pk
    cols = [meta.get_field(f) for f in fields]
    if connection.vendor != "postgresql":  # the embedded SQLite of `make run`: small data, plain bulk_update
        instances = [
            o
            if isinstance(o, Model)  # a row (``row_type``) becomes an instance holding its id and the fields
            else model(**{pk.attname: o.pk}, **{f.attname: getattr(o, f.attname) for f in cols})
            for o in objs
        ]
        model.objects.bulk_update(instances, list(fields), batch_size=batch_size)
        return
    qn = connection.ops.quote_name
    row = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in [pk, *cols]) + ")"
    names = ", ".join(["_pk", *(qn(f.column) for f in cols)])
    sets = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in cols)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            chunk = objs[start : start + batch_size]
            params = []
            for obj in chunk:
                params.append(obj.pk)
                params.extend(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in cols)
            where = f"{qn(meta.db_table)}.{qn(pk.column)} = v._pk"
            if owner is not None:
                where += f" AND {qn(meta.db_table)}.{qn(owner[0])} = %s"
                params.append(owner[1])
            cursor.execute(
                f"UPDATE {qn(meta.db_table)} SET {sets} FROM (VALUES {', '.join([row] * len(chunk))}) "
                f"AS v({names}) WHERE {where}",
                params,
            )


# --- many new rows: COPY ----------------------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _json_text(value) -> str:
    # orjson: a JSON column per row of a large upload (issue 12); jsonb keeps the same value either way.
    # orjson writes control characters escaped, so only a backslash needs COPY's escape.
    text = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    return text.translate(_COPY_ESCAPES) if "\\" in text else text


def _escaped(text: str) -> str:
    """Text in COPY's format: ``translate`` only when a character needs it (tab, newline and carriage return
    are not printable; a backslash is): most text needs nothing, and the check is ten times faster."""
    return text if text.isprintable() and "\\" not in text else text.translate(_COPY_ESCAPES)


def _memo_text(cache: dict):
    """``str`` of dates and times, remembered: a chunk's rows share a few (its instant, its days), and
    ``str`` of a datetime costs twenty dictionary lookups. Bounded: forgotten past 4,096 values."""

    def text(value) -> str:
        out = cache.get(value)
        if out is None:
            if len(cache) >= 4096:
                cache.clear()
            out = cache[value] = str(value)
        return out

    return text


# COPY's text format of a value, by its exact type (one dict lookup per value; subclasses fall to the chain).
_COPY_BY_TYPE = {
    type(None): lambda v: "\\N",
    bool: lambda v: "t" if v else "f",
    str: _escaped,
    int: str,
    Decimal: str,
    date: date.isoformat,
    datetime: datetime.isoformat,
    dict: _json_text,
    list: _json_text,
}


def _copy_text(value) -> str:
    """One value in COPY's text format (NULL is ``\\N``)."""
    convert = _COPY_BY_TYPE.get(type(value))
    if convert is not None:
        return convert(value)
    for kind in (bool, str, int, Decimal, datetime, date, dict, list):  # subclasses (enums, SafeString)
        if isinstance(value, kind):
            # A str or int subclass (an enum such as Django's choices) is written as its plain value.
            plain = str.__str__(value) if kind is str else int.__repr__(value) if kind is int else value
            return _COPY_BY_TYPE[kind](plain)
    raise TypeError(f"no COPY text for {type(value).__name__}")


def _column_text(field) -> str:
    """Python source of one column's COPY text from an instance ``o``, chosen once per column: C-level
    conversions where the type allows (``str`` of numbers, dates and times; ``translate`` of text), the
    per-value ``_copy_text`` otherwise; NULL as ``\\N``. A value of an unexpected type raises, and its row
    falls back to ``_copy_text`` (see ``_copy_lines``)."""
    kind = field.get_internal_type()
    value = f"o.{field.attname}"
    if kind in _TEXT_KINDS:
        # the escape only when needed (``_escaped``, inline); a value that is not text raises
        text = f"(_t if (_t := {value}).isprintable() and '\\\\' not in _t else _t.translate(_esc))"
    elif kind in _INT_KINDS or field.is_relation:
        text = f"_int({value})"  # an IntegerChoices member is written as its digits; a str is refused
    elif kind == "DecimalField":
        text = f"str({value})"
    elif kind == "DateField":
        text = f"_date({value})"
    elif kind == "DateTimeField":
        text = f"_time({value})"
    elif kind == "BooleanField":
        text = f"_bool[{value}]"
    elif kind == "JSONField":
        text = f"_json({value})"
    else:
        text = f"_any({value})"
    if not field.null and kind != "JSONField":
        return text
    return f"('\\\\N' if {value} is None else {text})"


_TEXT_KINDS = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}
_INT_KINDS = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}


@functools.lru_cache(maxsize=64)
def _row_text(fields: tuple):
    """A function giving one instance's row of ``fields`` in COPY's text format, compiled once per list of
    fields with every column's conversion inline (issue 12: per-value calls were most of a large upload's
    writing time). The source is made from field attnames only, which are Python identifiers."""
    names = {"_esc": _COPY_ESCAPES, "_int": int.__repr__, "_bool": {True: "t", False: "f"}}
    names |= {"_json": _json_text, "_any": _copy_text, "_date": _memo_text({}), "_time": _memo_text({})}
    source = "def row(o):\n    return '\\t'.join((" + ", ".join(_column_text(f) for f in fields) + ",))\n"
    exec(compile(source, f"<COPY row of {fields[0].model.__name__}>", "exec"), names)  # noqa: S102
    return names["row"]


def _copy_lines(objs: list, fields: list) -> io.StringIO:
    """The rows of ``objs`` in COPY's text format (``_row_text``); a value a column's conversion refuses
    sends its row through the general ``_copy_text``."""
    row = _row_text(tuple(fields))
    getter = operator.attrgetter(*(f.attname for f in fields))
    buf = io.StringIO()
    write = buf.write
    for obj in objs:
        try:
            line = row(obj)
        except (TypeError, AttributeError, KeyError):  # a value of another type: the general conversion
            vals = getter(obj)
            line = "\t".join([_copy_text(v) for v in (vals if len(fields) > 1 else (vals,))])
        write(line)
        write("\n")
    buf.seek(0)
    return buf


def _link_related(objs: list, relations: list) -> None:
    """As ``Model._prepare_related_fields_for_save``: a related object assigned before it had an id gives
    its id now; only instances or rows holding related objects are looked at."""
    slots = [(f, f"_rel_{f.name}") for f in relations]
    for obj in objs:
        state = getattr(obj, "_state", None)
        if state is None:  # a new row (``row_type``): its related objects in slots
            given = [(f, rel) for f, slot in slots if (rel := getattr(obj, slot)) is not None]
        else:
            cache = state.__dict__.get("fields_cache")
            given = [(f, rel) for f in relations if (rel := cache.get(f.name)) is not None] if cache else ()
        for f, rel in given:
            if rel.pk is None:
                raise ValueError(f"bulk_insert: the related {f.name} of {obj!r} is not saved.")
            if getattr(obj, f.attname) is None:
                setattr(obj, f.attname, rel.pk)


def bulk_insert(model, objs: list, *, batch_size: int = 2000) -> None:
    """Insert new rows (``row_type``) or model instances, setting their ids, like ``bulk_create`` — on
    PostgreSQL with ``COPY`` (issue 12): ids are taken from the table's sequence first, then every row is
    streamed in one statement, with none of the per-value SQL building that made ``bulk_create`` most of a
    large upload's time.

    For models whose fields hold plain values (text, numbers, dates, booleans, JSON of dicts and lists);
    defaults come from the instances (Django sets them when they are made; ``row_type`` too), related
    objects assigned before they had ids are read again, as ``bulk_create`` does. Elsewhere (SQLite) it is
    ``bulk_create``."""
    if not objs:
        return
    meta = model._meta
    fields = list(meta.concrete_fields)
    if connection.vendor != "postgresql":  # the embedded SQLite: bulk_create, rows made instances first
        _link_related(objs, [f for f in fields if f.is_relation])
        made = [
            o if isinstance(o, Model) else model(**{f.attname: getattr(o, f.attname) for f in fields})
            for o in objs
        ]
        model.objects.bulk_create(made, batch_size=batch_size)
        for obj, instance in zip(objs, made, strict=True):
            obj.pk = instance.pk
        return
    qn = connection.ops.quote_name
    need = [o for o in objs if o.pk is None]
    if need:
        for obj, new_id in zip(need, reserve_ids(model, len(need)), strict=True):
            obj.pk = new_id
    _link_related(objs, [f for f in fields if f.is_relation])
    buf = _copy_lines(objs, fields)
    columns = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.copy_expert(f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN", buf)
    for obj in objs:
        if isinstance(obj, Model):
            obj._state.adding = False
            obj._state.db = connection.alias


def copy_rows(table: str, columns: tuple[str, ...], rows) -> None:
    """Plain tuples into ``table`` (a temporary or staging table named by the code, never by input) with one
    ``COPY`` (PostgreSQL)."""
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join([_copy_text(v) for v in row]))
        buf.write("\n")
    buf.seek(0)
    qn = connection.ops.quote_name
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.copy_expert(f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN", buf)


def reserve_ids(model, n: int) -> list[int]:
    """``n`` new ids of ``model``'s table from its sequence, in one query (ids are never taken back, as with
    any insert)."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, n],
        )
        return [row[0] for row in cursor.fetchall()]


_UNSET = object()


@functools.cache
def row_type(model):
    """A plain class for new rows of ``model``, for hot paths that make hundreds of thousands of them for
    ``bulk_insert`` (issue 12: no ORM object per row). One slot per column (attname), filled with the
    field's default unless given; ``Model.__init__``, ``ModelState`` and the field descriptors are not
    involved. ``pk`` names the primary key's column, and each foreign key's name takes a related object:
    its id is read at once, or when the row is written if the related row was not written yet (as
    ``bulk_create`` does). ``Row(**values)`` refuses a name that is not a column's attname.

    ``__init__`` is compiled once per model from the fields' attnames, which are Python identifiers."""
    fields = model._meta.concrete_fields
    names: dict = {"_unset": _UNSET}
    params, body = [], []
    for i, f in enumerate(fields):
        if f.has_default() and callable(f.default):
            names[f"_f{i}"] = f.default
            params.append(f"{f.attname}=_unset")
            body.append(f"self.{f.attname} = _f{i}() if {f.attname} is _unset else {f.attname}")
        else:
            names[f"_d{i}"] = f.get_default()
            params.append(f"{f.attname}=_d{i}")
            body.append(f"self.{f.attname} = {f.attname}")
    relations = [f for f in fields if f.is_relation]
    body += [f"self._rel_{f.name} = None" for f in relations]
    source = f"def __init__(self, *, {', '.join(params)}):\n    " + "\n    ".join(body) + "\n"
    exec(compile(source, f"<new row of {model.__name__}>", "exec"), names)  # noqa: S102
    pk = model._meta.pk.attname
    attrs = {
        "__slots__": tuple([f.attname for f in fields] + [f"_rel_{f.name}" for f in relations]),
        "__init__": names["__init__"],
        "__repr__": lambda self: f"<new {model.__name__} row {getattr(self, pk)}>",
        "model": model,
        "pk": property(operator.attrgetter(pk), lambda self, value: setattr(self, pk, value)),
    }
    for f in relations:
        attrs[f.name] = _relation(f)
    return type(f"{model.__name__}Row", (), attrs)


def _relation(field) -> property:
    """A foreign key's name on a row: takes a related object (its id now, or when written); gives back only
    an object it was given — a row never loads one, so a row read from the database with only the id
    refuses, rather than answering None."""
    slot = f"_rel_{field.name}"

    def get(self):
        obj = getattr(self, slot)
        if obj is None and getattr(self, field.attname) is not None:
            raise AttributeError(f"a row holds {field.attname}, not the {field.name} object")
        return obj

    def assign(self, obj) -> None:
        setattr(self, slot, obj)
        setattr(self, field.attname, None if obj is None else obj.pk)

    return property(get, assign)


def rows_of(queryset) -> list:
    """A queryset's rows as ``row_type`` rows: every column, one query, no ORM object per row (issue 12: a
    re-upload edits as many documents and records as an upload creates). ``rows_update`` writes them back."""
    model = queryset.model
    make = row_type(model)
    names = [f.attname for f in model._meta.concrete_fields]
    return [make(**values) for values in queryset.values(*names)]
