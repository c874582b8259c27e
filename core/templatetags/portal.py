"""Formats of UI.md: Indian digit grouping, DD-MM-YYYY, periods as "Oct 2025" / "Oct–Dec 2025"."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html

from core.errors import DomainError
from core.money import indian_grouping, money, rupees
from core.periods import IST, parse_period, period_code, quarter_first_month

register = template.Library()
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@register.filter
def inr(value, sign: str = "₹") -> str:
    """₹1,23,45,678.90; negative as −₹1,234.00; blank for None."""
    if value is None or value == "":
        return ""
    try:
        d = money(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)
    return rupees(d, sign)


@register.simple_tag(takes_context=True)
def due(context, value):
    """A due date as DD-MM-YYYY, marked "overdue" once the business date is past it (issue 15)."""
    text = ddmmyyyy(value)
    now = context.get("business_now")
    day = value.astimezone(IST).date() if isinstance(value, datetime) else value
    if isinstance(day, date) and now is not None and now.astimezone(IST).date() > day:
        return format_html('{} <span class="overdue">overdue</span>', text)
    return text


@register.filter
def indian(value) -> str:
    """A count with Indian digit grouping: 12,34,567."""
    return indian_grouping(str(value)) if value not in (None, "") else ""


@register.filter
def amount(value) -> str:
    """A table figure without the rupee sign (the column header carries ₹)."""
    return inr(value, sign="")


@register.filter
def ddmmyyyy(value) -> str:
    if isinstance(value, datetime):
        return value.astimezone(IST).strftime("%d-%m-%Y")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return value or ""


@register.filter
def dt_ist(value) -> str:
    return value.astimezone(IST).strftime("%d-%m-%Y %H:%M") if isinstance(value, datetime) else ""


def period_label(p: int, quarterly: bool = False) -> str:
    if quarterly:
        first = quarter_first_month(p)
        return f"{MONTHS[first % 100 - 1]}–{MONTHS[p % 100 - 1]} {p // 100}"
    return f"{MONTHS[p % 100 - 1]} {p // 100}"


@register.filter
def period(p, quarterly=False):
    """<abbr title="102025">Oct 2025</abbr>; pass True for a quarter (named by its last month)."""
    if p in (None, ""):
        return ""
    p = int(p)
    return format_html('<abbr title="{}">{}</abbr>', period_code(p), period_label(p, bool(quarterly)))


@register.filter
def period_code_of(p) -> str:
    return period_code(int(p)) if p not in (None, "") else ""


@register.filter
def period_mmyyyy(code, quarterly=False):
    """The same as ``period`` for a code already written MMYYYY (as in API replies)."""
    try:
        return period(parse_period(code), quarterly)
    except DomainError:
        return code or ""
