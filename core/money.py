"""Money is Decimal with two places, rounded half-up here and nowhere else."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PAISA = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    """Round any number-like value (never a float from user input) to paise, half-up."""
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(PAISA, rounding=ROUND_HALF_UP)


# GSTN's bounds (its offline tool and API schema): a value has at most 13 digits before the point, a tax
# head at most 11. Anything larger is refused before any arithmetic (1e30 used to overflow into a 500).
VALUE_MAX = Decimal("9999999999999.99")
TAX_MAX = Decimal("99999999999.99")
TAX_KEYS = frozenset({"iamt", "camt", "samt", "csamt", "igst", "cgst", "sgst", "cess"})


def parse_amount(value, maximum: Decimal = VALUE_MAX) -> Decimal | None:
    """A JSON amount: a number (not bool, not string) from 0 to ``maximum`` with at most 2 decimals,
    else None. (Nine of these per document of a large upload: the common types are tried first.)"""
    kind = type(value)
    if kind is Decimal:
        d = value
    elif kind is int:
        d = Decimal(value)
    elif kind is float:
        d = Decimal(repr(value))
    elif isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    else:  # a subclass of int, float or Decimal
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    try:
        if not d.is_finite() or d < 0 or d > maximum:
            return None
        paise = d.quantize(PAISA)
        return paise if paise == d else None
    except InvalidOperation:
        return None


def amount_limit(key: str) -> Decimal:
    return TAX_MAX if key in TAX_KEYS else VALUE_MAX


def indian_grouping(digits: str) -> str:
    """'12345678' -> '1,23,45,678' (lakh/crore grouping)."""
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join(groups) + "," + tail


def rupees(value, sign: str = "₹") -> str:
    """₹1,23,45,678.90 as a practitioner reads it; negative as −₹1,234.00."""
    d = money(value)
    whole, frac = f"{abs(d):.2f}".split(".")
    text = f"{sign}{indian_grouping(whole)}.{frac}"
    return f"−{text}" if d < 0 else text
