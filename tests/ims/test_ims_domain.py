"""Pure IMS rules (invoices/domain.py). No database. Expected values are written by hand."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest

from core.periods import IST
from ims.domain import (
    ActionRequest,
    RecordState,
    action_after_assignment,
    action_refusal,
    amendment_effect,
    amendment_order,
    assign_itc_period,
    declaration_blocked,
    declaration_refusal,
    ims_section,
    is_itc_reducing,
    ispendactblocked,
    keep_out_reason,
    normalize_declaration,
    normalize_remarks,
    pending_deadline,
    pending_refusal,
    provisional_itc_period,
    record_reduction,
    remarks_refusal,
    section_16_4_last_date,
    window_period,
)


def ist(y, m, d, hh=0, mm=0, ss=0, us=0):
    return datetime(y, m, d, hh, mm, ss, us, tzinfo=IST)


# --- R-4.1 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "gstr1_section, doc_type, expected",
    [
        ("b2b", "INV", "b2b"),
        ("b2ba", "INV", "b2ba"),
        ("cdnr", "DN", "b2bdn"),
        ("cdnr", "CN", "b2bcn"),
        ("cdnra", "DN", "b2bdna"),
        ("cdnra", "CN", "b2bcna"),
        ("ecom", "ECO", "ecom"),
        ("ecoma", "ECO", "ecoma"),
    ],
)
def test_r4_1_ims_section_of_gstr1_section(gstr1_section, doc_type, expected):
    assert ims_section(gstr1_section=gstr1_section, doc_type=doc_type) == expected


@pytest.mark.parametrize("gstr1_section, doc_type", [("cdnr", "INV"), ("b2cl", "INV"), ("cdnur", "CN")])
def test_r4_1_ims_section_unknown_is_an_error(gstr1_section, doc_type):
    with pytest.raises(ValueError):
        ims_section(gstr1_section=gstr1_section, doc_type=doc_type)


@pytest.mark.parametrize(
    "doc_date, expected",
    [
        (date(2025, 3, 31), date(2025, 11, 30)),
        (date(2024, 4, 1), date(2025, 11, 30)),
        (date(2025, 4, 1), date(2026, 11, 30)),
        (date(2026, 1, 15), date(2026, 11, 30)),
    ],
)
def test_r4_1_section_16_4_last_date_is_30_november_after_fy(doc_date, expected):
    assert section_16_4_last_date(doc_date) == expected


_FY2425 = date(2025, 3, 15)  # last date 30-11-2025


@pytest.mark.parametrize(
    "supplier, pos, recipient, rchrg, doc_type, filed_on, expected",
    [
        # P beats C and reverse charge
        ("27", "27", "29", True, "INV", date(2025, 12, 1), (True, "P")),
        ("27", "27", "29", False, "CN", None, (True, "P")),
        # C beats reverse charge
        ("27", "29", "29", True, "INV", date(2025, 12, 1), (True, "C")),
        ("27", "29", "29", False, "DN", date(2025, 12, 1), (True, "C")),
        ("27", "29", "29", False, "ECO", date(2025, 12, 1), (True, "C")),
        # 30-11 boundary: filed on 30-11 is in time
        ("27", "29", "29", False, "INV", date(2025, 11, 30), (False, None)),
        ("27", "29", "29", True, "INV", date(2025, 11, 30), (True, None)),
        # a CN is never late
        ("27", "29", "29", False, "CN", date(2026, 5, 1), (False, None)),
        ("27", "29", "29", True, "CN", date(2026, 5, 1), (True, None)),
        # saved, not filed: not C
        ("27", "29", "29", False, "INV", None, (False, None)),
        # intra-state, inter-state, export pos: not P
        ("29", "29", "29", False, "INV", date(2025, 6, 1), (False, None)),
        ("27", "33", "29", False, "INV", date(2025, 6, 1), (False, None)),
        ("27", "96", "29", False, "INV", date(2025, 6, 1), (False, None)),
    ],
)
def test_r4_1_keep_out_precedence_p_then_c_then_reverse_charge(
    supplier, pos, recipient, rchrg, doc_type, filed_on, expected
):
    got = keep_out_reason(
        supplier_state=supplier,
        pos=pos,
        recipient_state=recipient,
        rchrg=rchrg,
        doc_type=doc_type,
        doc_date=_FY2425,
        filed_on=filed_on,
    )
    assert got == expected


# --- R-5.1 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filed_at, expected",
    [
        (ist(2025, 10, 11, 23, 59, 59, 999999), 202509),
        (ist(2025, 10, 12), 202510),
        (ist(2025, 10, 1, 9), 202509),
        (ist(2025, 10, 31, 23, 59), 202510),
        (ist(2025, 11, 11, 12), 202510),
        (ist(2026, 1, 5), 202512),
        (ist(2026, 1, 12), 202601),
        # 11-10 18:30 UTC is 12-10 00:00 IST
        (datetime(2025, 10, 11, 18, 29, 59, tzinfo=UTC), 202509),
        (datetime(2025, 10, 11, 18, 30, tzinfo=UTC), 202510),
    ],
)
@pytest.mark.parametrize("form", ["GSTR1", "GSTR1A"])
def test_r5_1_monthly_window_12th_to_11th(filed_at, form, expected):
    assert window_period(filed_at=filed_at, form=form) == expected


@pytest.mark.parametrize(
    "filed_at, expected",
    [
        (ist(2025, 10, 13, 23, 59, 59, 999999), 202509),
        (ist(2025, 10, 12), 202509),
        (ist(2025, 10, 14), 202510),
        (ist(2025, 11, 13, 18), 202510),
        (ist(2026, 1, 13), 202512),
        (ist(2026, 1, 14), 202601),
        (datetime(2025, 10, 13, 18, 30, tzinfo=UTC), 202510),
    ],
)
@pytest.mark.parametrize("form", ["IFF", "GSTR1Q"])
def test_r5_1_iff_and_quarterly_gstr1_window_14th_to_13th(filed_at, form, expected):
    assert window_period(filed_at=filed_at, form=form) == expected


def test_r5_1_window_needs_known_form_and_aware_time():
    with pytest.raises(ValueError):
        window_period(filed_at=ist(2025, 10, 14), form="GSTR3B")
    with pytest.raises(ValueError):
        window_period(filed_at=datetime(2025, 10, 14), form="GSTR1")


def _monthly(p):
    return False


def _quarterly(p):
    return True


def _filed(*periods):
    return lambda p: p in periods


@pytest.mark.parametrize(
    "window, start, is_quarterly, is_3b_filed, expected",
    [
        (202509, 202410, _monthly, _filed(), 202509),
        (202409, 202410, _monthly, _filed(), 202410),
        (202509, 202510, _monthly, _filed(), 202510),
        (202509, 202410, _monthly, _filed(202509), 202510),
        (202509, 202410, _monthly, _filed(202509, 202510), 202511),
        (202512, 202410, _monthly, _filed(202512), 202601),
        # quarterly recipient: the quarter's last month; 3B keyed by it
        (202510, 202410, _quarterly, _filed(), 202512),
        (202511, 202410, _quarterly, _filed(), 202512),
        (202512, 202410, _quarterly, _filed(), 202512),
        (202510, 202410, _quarterly, _filed(202512), 202603),
        (202510, 202410, _quarterly, _filed(202510, 202511), 202512),
        (202409, 202410, _quarterly, _filed(), 202412),
        (202503, 202410, _quarterly, _filed(202503, 202506), 202509),
        # monthly until 202512, quarterly from 202601
        (202512, 202410, lambda p: p >= 202601, _filed(202512), 202603),
        # quarterly until 202512, monthly from 202601
        (202511, 202410, lambda p: p < 202601, _filed(202512), 202601),
    ],
)
def test_r5_1_assign_itc_period(window, start, is_quarterly, is_3b_filed, expected):
    got = assign_itc_period(
        window=window, start_period=start, is_quarterly=is_quarterly, is_3b_filed=is_3b_filed
    )
    assert got == expected


@pytest.mark.parametrize(
    "rtnprd, quarterly, start, expected",
    [
        (202511, False, None, 202511),
        (202511, True, None, 202512),
        (202510, True, None, 202512),
        (202603, True, None, 202603),
        (202509, False, 202510, 202510),
        (202509, True, 202510, 202512),
    ],
)
def test_r4_4_provisional_itc_period_is_supplier_return_period(rtnprd, quarterly, start, expected):
    got = provisional_itc_period(rtnprd=rtnprd, recipient_quarterly=quarterly, start_period=start)
    assert got == expected


# --- R-4.3 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case, doc_type, is_amendment, increases, amended_action, amended_counted, expected",
    [
        ("a original CN", "CN", False, None, None, False, True),
        ("original INV", "INV", False, None, None, False, False),
        ("original DN", "DN", False, None, None, False, False),
        ("original ECO", "ECO", False, None, None, False, False),
        ("b CN amendment increases", "CN", True, True, "A", True, True),
        ("CN amendment decreases counted", "CN", True, False, "A", True, False),
        ("CN amendment equal counted", "CN", True, None, "N", True, False),
        ("c CN amendment of rejected, decreases", "CN", True, False, "R", False, True),
        ("c CN amendment of rejected, equal", "CN", True, None, "R", False, True),
        ("c' CN amendment of uncounted (superseded)", "CN", True, False, "A", False, True),
        ("d INV amendment decreases counted", "INV", True, False, "A", True, True),
        ("d DN amendment decreases deemed", "DN", True, False, "N", True, True),
        ("d ECO amendment decreases counted", "ECO", True, False, "A", True, True),
        ("INV amendment decreases not counted", "INV", True, False, "A", False, False),
        ("INV amendment decreases rejected", "INV", True, False, "R", False, False),
        ("INV amendment increases counted", "INV", True, True, "A", True, False),
        ("INV amendment equal counted", "INV", True, None, "A", True, False),
    ],
)
def test_r4_3_itc_reducing_cases_a_to_d(
    case, doc_type, is_amendment, increases, amended_action, amended_counted, expected
):
    got = is_itc_reducing(
        doc_type=doc_type,
        is_amendment=is_amendment,
        tax_increases=increases,
        amended_action=amended_action,
        amended_counted=amended_counted,
    )
    assert got is expected, case


# --- effect and reduction -------------------------------------------------------------------

_INV = {"txval": D("1000.00"), "igst": D("180.00"), "cgst": D("0.00"), "sgst": D("0.00"), "cess": D("5.00")}
_INV_A = {"txval": D("800.00"), "igst": D("144.00"), "cgst": D("0.00"), "sgst": D("0.00"), "cess": D("5.00")}


def test_r5_4_amendment_effect_of_counted_original_is_the_difference():
    got = amendment_effect(amendment=_INV_A, amended=_INV, amended_counted=True)
    assert got == {"txval": D("-200.00"), "igst": D("-36.00"), "cgst": D("0"), "sgst": D("0"), "cess": D("0")}


def test_r5_4_amendment_effect_of_uncounted_original_is_in_full():
    got = amendment_effect(amendment=_INV_A, amended=_INV, amended_counted=False)
    assert got == {"txval": D("800"), "igst": D("144"), "cgst": D("0"), "sgst": D("0"), "cess": D("5")}


def test_r4_6_record_reduction_of_original_cn_and_amendment():
    cn = {"txval": D("500"), "igst": D("0"), "cgst": D("45"), "sgst": D("45"), "cess": D("1.50")}
    assert record_reduction(itc_reducing=True, is_amendment=False, values=cn) == {
        "igst": D("0"),
        "cgst": D("45"),
        "sgst": D("45"),
        "cess": D("1.50"),
    }
    effect = {"txval": D("-200.00"), "igst": D("-36.00"), "cgst": D("0"), "sgst": D("0"), "cess": D("0")}
    assert record_reduction(itc_reducing=True, is_amendment=True, values=_INV_A, effect=effect) == {
        "igst": D("36"),
        "cgst": D("0"),
        "sgst": D("0"),
        "cess": D("0"),
    }
    assert record_reduction(itc_reducing=False, is_amendment=False, values=_INV) == {
        "igst": D("0"),
        "cgst": D("0"),
        "sgst": D("0"),
        "cess": D("0"),
    }


# --- pending -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reducing, first, next_q, state, expected",
    [
        (True, 202510, False, "27", date(2025, 12, 20)),
        (True, 202511, False, "09", date(2026, 1, 20)),
        (True, 202509, False, "27", None),
        (True, 202412, False, "27", None),
        (False, 202510, False, "27", None),
        # quarterly recipients: next quarter's 3B, 22nd or 24th by state
        (True, 202512, True, "27", date(2026, 4, 22)),
        (True, 202512, True, "29", date(2026, 4, 22)),
        (True, 202512, True, "09", date(2026, 4, 24)),
        (True, 202512, True, "38", date(2026, 4, 24)),
        (True, 202512, True, "97", date(2026, 4, 24)),
        (True, 202603, True, "07", date(2026, 7, 24)),
        # monthly in 202512, quarterly from 202601
        (True, 202512, True, "33", date(2026, 4, 22)),
        # quarterly Jan-Mar 2026, monthly from 202604
        (True, 202603, False, "09", date(2026, 5, 20)),
    ],
)
def test_r4_4_pending_allowed_until_3b_due_date_of_next_period(reducing, first, next_q, state, expected):
    got = pending_deadline(
        itc_reducing=reducing, first_itc_period=first, next_period_quarterly=next_q, recipient_state=state
    )
    assert got == expected


@pytest.mark.parametrize(
    "reducing, period, deadline, today, expected",
    [
        (True, 202509, None, date(2025, 10, 5), "PENDING_NOT_ALLOWED"),
        (True, 202412, None, date(2025, 1, 5), "PENDING_NOT_ALLOWED"),
        (True, 202510, date(2025, 12, 20), date(2025, 11, 14), None),
        (True, 202510, date(2025, 12, 20), date(2025, 12, 20), None),
        (True, 202510, date(2025, 12, 20), date(2025, 12, 21), "PENDING_EXPIRED"),
        (True, 202512, date(2026, 4, 22), date(2026, 4, 23), "PENDING_EXPIRED"),
        (True, 202512, date(2026, 4, 24), date(2026, 4, 23), None),
        (False, 202509, None, date(2025, 10, 5), None),
        (False, 202510, None, date(2030, 1, 1), None),
    ],
)
def test_r4_4_original_credit_note_cannot_be_pending_before_102025(
    reducing, period, deadline, today, expected
):
    got = pending_refusal(itc_reducing=reducing, itc_period=period, deadline=deadline, today=today)
    assert (got[0] if got else None) == expected
    blocked = ispendactblocked(itc_reducing=reducing, itc_period=period, deadline=deadline, today=today)
    assert blocked == ("N" if expected is None else "Y")


@pytest.mark.parametrize(
    "action, reducing, period, deadline, today, expected",
    [
        ("P", True, 202509, None, date(2025, 10, 15), "N"),
        ("P", True, 202510, date(2025, 12, 20), date(2025, 11, 12), "P"),
        ("P", True, 202510, date(2025, 12, 20), date(2025, 12, 21), "N"),
        ("P", False, 202509, None, date(2025, 10, 15), "P"),
        ("A", True, 202509, None, date(2025, 10, 15), "A"),
        ("R", True, 202509, None, date(2025, 10, 15), "R"),
        ("N", True, 202509, None, date(2025, 10, 15), "N"),
    ],
)
def test_r4_4_action_returns_to_n_when_assigned_period_refuses_it(
    action, reducing, period, deadline, today, expected
):
    got = action_after_assignment(
        action=action, itc_reducing=reducing, itc_period=period, deadline=deadline, today=today
    )
    assert got == expected


# --- remarks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action, remarks, expected",
    [
        ("R", "x" * 500, None),
        ("P", "x" * 500, None),
        ("R", "x" * 501, "INVALID_REMARKS"),
        ("R", "a", None),
        ("R", "", None),
        ("R", None, None),
        ("A", "", None),
        ("N", None, None),
        ("A", "ok", "REMARKS_NOT_ALLOWED"),
        ("N", "ok", "REMARKS_NOT_ALLOWED"),
        ("A", "\n", "REMARKS_NOT_ALLOWED"),
        ("R", "line\nbreak", "INVALID_REMARKS"),
        ("R", "tab\there", "INVALID_REMARKS"),
        ("R", "cr\r", "INVALID_REMARKS"),
        ("R", "nul\x00", "INVALID_REMARKS"),
        ("R", "del\x7f", "INVALID_REMARKS"),
        ("R", "nel\x85", "INVALID_REMARKS"),
        ("R", "ls\u2028", "INVALID_REMARKS"),
        ("R", "ps\u2029", "INVALID_REMARKS"),
        ("R", "lone \ud800", "INVALID_REMARKS"),
        ("R", "\U0001f44d" * 500, None),
        ("R", "\U0001f44d" * 501, "INVALID_REMARKS"),
        ("P", "family \U0001f468\u200d\U0001f469\u200d\U0001f467 ok", None),
        ("P", "मूल्य ग़लत है — ₹ 1,000", None),
        ("R", "   ", None),
    ],
)
def test_r4_5_remarks(action, remarks, expected):
    got = remarks_refusal(action=action, remarks=remarks)
    assert (got[0] if got else None) == expected


@pytest.mark.parametrize("raw, expected", [(None, None), ("", None), (" a ", " a "), ("x", "x")])
def test_r4_5_empty_remarks_mean_none(raw, expected):
    assert normalize_remarks(raw) == expected


# --- declaration -----------------------------------------------------------------------------

_RED = {"igst": D("0.00"), "cgst": D("90.00"), "sgst": D("90.00"), "cess": D("10.00")}
_FULL = {"igst": D("0.00"), "cgst": D("90.00"), "sgst": D("90.00"), "cess": D("10.00")}
_NONE = {"igst": None, "cgst": None, "sgst": None, "cess": None}
_ZEROS = {"igst": D("0"), "cgst": D("0"), "sgst": D("0"), "cess": D("0")}


@pytest.mark.parametrize(
    "reducing, period, expected",
    [
        (True, 202510, False),
        (True, 202603, False),
        (True, 202509, True),
        (False, 202510, True),
        (False, 202509, True),
    ],
)
def test_r4_6_is_itc_red_req_blocked(reducing, period, expected):
    assert declaration_blocked(itc_reducing=reducing, itc_period=period) is expected


@pytest.mark.parametrize(
    "case, action, reducing, period, req, decl, expected_code, expected_store",
    [
        ("plain A", "A", True, 202510, None, {}, None, ("Y", _FULL)),
        ("Y without amounts", "A", True, 202510, "Y", {}, None, ("Y", _FULL)),
        (
            "Y with equal CGST/SGST",
            "A",
            True,
            202510,
            "Y",
            {"cgst": D("50"), "sgst": D("50")},
            None,
            ("Y", {"igst": D("0.00"), "cgst": D("50"), "sgst": D("50"), "cess": D("10.00")}),
        ),
        (
            "amounts without itcRedReq mean Y",
            "A",
            True,
            202511,
            None,
            {"cess": D("0"), "igst": None},
            None,
            ("Y", {"igst": D("0.00"), "cgst": D("90.00"), "sgst": D("90.00"), "cess": D("0")}),
        ),
        ("full amounts given", "A", True, 202510, "Y", dict(_RED), None, ("Y", _FULL)),
        ("N", "A", True, 202510, "N", {}, None, ("N", _ZEROS)),
        ("N with all None", "A", True, 202510, "N", dict(_NONE), None, ("N", _ZEROS)),
        ("empty itcRedReq is absent", "A", True, 202510, "", {}, None, ("Y", _FULL)),
        ("plain A before 102025", "A", True, 202509, None, {}, None, (None, _NONE)),
        ("plain A non-reducing", "A", False, 202510, None, {}, None, (None, _NONE)),
        ("R nothing", "R", True, 202510, None, {}, None, (None, _NONE)),
        ("N with zero amount", "A", True, 202510, "N", {"cess": D("0")}, "DECLARATION_NOT_ALLOWED", None),
        ("N with amount", "A", True, 202510, "N", {"igst": D("5")}, "DECLARATION_NOT_ALLOWED", None),
        ("bad itcRedReq", "A", True, 202510, "X", {}, "DECLARATION_NOT_ALLOWED", None),
        ("lower-case y", "A", True, 202510, "y", {}, "DECLARATION_NOT_ALLOWED", None),
        ("before 102025", "A", True, 202509, "Y", {}, "DECLARATION_NOT_ALLOWED", None),
        ("amount before 102025", "A", True, 202509, None, {"cess": D("1")}, "DECLARATION_NOT_ALLOWED", None),
        ("non-reducing", "A", False, 202510, "N", {}, "DECLARATION_NOT_ALLOWED", None),
        ("with R", "R", True, 202510, "Y", {}, "DECLARATION_NOT_ALLOWED", None),
        (
            "with P",
            "P",
            True,
            202510,
            None,
            {"cgst": D("1"), "sgst": D("1")},
            "DECLARATION_NOT_ALLOWED",
            None,
        ),
        ("with N", "N", True, 202510, "N", {}, "DECLARATION_NOT_ALLOWED", None),
        (
            "over reduction",
            "A",
            True,
            202510,
            "Y",
            {"cgst": D("90.01"), "sgst": D("90.01")},
            "DECLARATION_EXCEEDS_TAX",
            None,
        ),
        (
            "igst over zero reduction",
            "A",
            True,
            202510,
            None,
            {"igst": D("0.01")},
            "DECLARATION_EXCEEDS_TAX",
            None,
        ),
        ("cess over", "A", True, 202510, "Y", {"cess": D("10.01")}, "DECLARATION_EXCEEDS_TAX", None),
        ("negative", "A", True, 202510, "Y", {"cess": D("-1")}, "DECLARATION_EXCEEDS_TAX", None),
        (
            "exceeds beats cgst/sgst",
            "A",
            True,
            202510,
            "Y",
            {"cgst": D("100"), "sgst": D("1")},
            "DECLARATION_EXCEEDS_TAX",
            None,
        ),
        ("CGST only: SGST full", "A", True, 202510, "Y", {"cgst": D("50")}, "DECLARATION_CGST_SGST", None),
        ("SGST only: CGST full", "A", True, 202510, None, {"sgst": D("0")}, "DECLARATION_CGST_SGST", None),
        (
            "CGST != SGST",
            "A",
            True,
            202510,
            "Y",
            {"cgst": D("50"), "sgst": D("40")},
            "DECLARATION_CGST_SGST",
            None,
        ),
    ],
)
def test_r4_6_declaration(case, action, reducing, period, req, decl, expected_code, expected_store):
    kwargs = dict(
        action=action, itc_reducing=reducing, itc_period=period, itc_red_req=req, decl=decl, reduction=_RED
    )
    got = declaration_refusal(**kwargs)
    assert (got[0] if got else None) == expected_code, case
    if expected_store is not None:
        assert normalize_declaration(**kwargs) == expected_store, case


# --- .. one action ----------------------------------------------------------------------

_TODAY = date(2025, 11, 20)


def _record(**over):
    base = dict(
        itc_reducing=True,
        itc_period=202510,
        pending_deadline=date(2025, 12, 20),
        waiting_on_original=False,
        return_filed=False,
        active=True,
        reduction=dict(_RED),
    )
    base.update(over)
    return RecordState(**base)


@pytest.mark.parametrize(
    "record, request_, today, expected",
    [
        (_record(active=False, return_filed=True), ActionRequest(action="X"), _TODAY, "INVALID_ACTION"),
        (_record(), ActionRequest(action="a"), _TODAY, "INVALID_ACTION"),
        (_record(), ActionRequest(action=""), _TODAY, "INVALID_ACTION"),
        (_record(active=False, return_filed=True), ActionRequest(action="A"), _TODAY, "NOT_FOUND"),
        (
            _record(return_filed=True, waiting_on_original=True),
            ActionRequest(action="N"),
            _TODAY,
            "RETURN_FILED",
        ),
        (
            _record(waiting_on_original=True, itc_period=202509),
            ActionRequest(action="P"),
            _TODAY,
            "ORIGINAL_NOT_SETTLED",
        ),
        (_record(waiting_on_original=True), ActionRequest(action="N"), _TODAY, "ORIGINAL_NOT_SETTLED"),
        (
            _record(itc_period=202509, pending_deadline=None),
            ActionRequest(action="P", remarks="\n"),
            _TODAY,
            "PENDING_NOT_ALLOWED",
        ),
        (_record(), ActionRequest(action="P", remarks="x" * 501), date(2025, 12, 21), "PENDING_EXPIRED"),
        (_record(), ActionRequest(action="P", remarks="x" * 500), date(2025, 12, 20), None),
        (_record(), ActionRequest(action="P", remarks="x" * 501), _TODAY, "INVALID_REMARKS"),
        (_record(), ActionRequest(action="A", remarks="ok", itc_red_req="Q"), _TODAY, "REMARKS_NOT_ALLOWED"),
        (
            _record(),
            ActionRequest(action="R", remarks="wrong rate", itc_red_req="Y"),
            _TODAY,
            "DECLARATION_NOT_ALLOWED",
        ),
        (_record(), ActionRequest(action="A", decl={"cess": D("11")}), _TODAY, "DECLARATION_EXCEEDS_TAX"),
        (_record(), ActionRequest(action="A", decl={"cgst": D("1")}), _TODAY, "DECLARATION_CGST_SGST"),
        (_record(), ActionRequest(action="A", itc_red_req="N"), _TODAY, None),
        (_record(), ActionRequest(action="A"), _TODAY, None),
        (
            _record(itc_period=202509, pending_deadline=None),
            ActionRequest(action="R", remarks="no"),
            _TODAY,
            None,
        ),
        (
            _record(itc_reducing=False, itc_period=202509, pending_deadline=None, reduction={}),
            ActionRequest(action="P", remarks="later"),
            _TODAY,
            None,
        ),
        (
            _record(itc_reducing=False, pending_deadline=None),
            ActionRequest(action="A", itc_red_req="Y"),
            _TODAY,
            "DECLARATION_NOT_ALLOWED",
        ),
        (_record(), ActionRequest(action="N"), date(2026, 6, 1), None),
    ],
)
def test_r4_2_to_r4_7_action_refusal_order(record, request_, today, expected):
    got = action_refusal(record=record, request=request_, today=today)
    assert (got[0] if got else None) == expected
    if got:
        assert isinstance(got[1], str) and got[1]


# --- R-4.7 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "orig_period, amend_period, orig_action, orig_filed, expected",
    [
        (202510, 202510, "N", False, "supersede"),
        (202510, 202510, "A", False, "supersede"),
        (202510, 202510, "R", False, "supersede"),
        (202510, 202510, "P", False, "wait"),
        (202510, 202511, "A", False, "wait"),
        (202510, 202511, "N", False, "wait"),
        (202511, 202511, "P", False, "wait"),
        (202510, 202511, "A", True, "normal"),
        (202510, 202511, "R", True, "normal"),
        (202510, 202511, "N", True, "normal"),
        (202510, 202511, "P", True, "wait"),
        (202512, 202512, "A", False, "supersede"),
    ],
)
def test_r4_7_amendment_order(orig_period, amend_period, orig_action, orig_filed, expected):
    got = amendment_order(
        original_itc_period=orig_period,
        amendment_itc_period=amend_period,
        original_action=orig_action,
        original_3b_filed=orig_filed,
    )
    assert got == expected


def test_r4_4_deadline_is_whole_day_ist():
    # The day after the deadline begins at 00:00 IST, which is 18:30 UTC of the deadline day.
    deadline = date(2025, 12, 20)
    moment = datetime(2025, 12, 20, 18, 30, tzinfo=UTC)
    today = moment.astimezone(IST).date()
    assert today == date(2025, 12, 21)
    refused = pending_refusal(itc_reducing=True, itc_period=202510, deadline=deadline, today=today)
    assert refused[0] == "PENDING_EXPIRED"
    earlier = (moment - timedelta(seconds=1)).astimezone(IST).date()
    assert pending_refusal(itc_reducing=True, itc_period=202510, deadline=deadline, today=earlier) is None
