"""Pure rules of taxpayers/domain.py (RULES.md R-1, R-2): no database. Expected values are written by hand."""

from datetime import date

import pytest

from core.errors import DomainError
from core.periods import (
    is_quarter_first_month,
    parse_period,
    period_code,
    period_ended,
    period_started,
    quarter_first_month,
    quarter_last_month,
)
from taxpayers.domain import (
    GSTIN_STATE_CODES,
    POS_CODES,
    FrequencyChange,
    frequency_change_error,
    frequency_for,
    gstin_check_char,
    gstin_error,
    gstin_state,
    gstr1_due_date,
    gstr3b_due_date,
    iff_last_date,
    is_valid_gstin,
    normalize_gstin,
    start_period_error,
)

VALID = ["27AAPFU0939F1ZV", "29AAGCB7383J1Z4", "24AANFA2641L1ZF", "33GSPTN0791G1Z5", "07AAGFF2194N1Z1"]


# --- GSTIN ------------------------------------------------------------------------------


@pytest.mark.parametrize("gstin", VALID)
def test_r1_1_check_char_of_valid_gstins(gstin):
    assert gstin_check_char(gstin[:14]) == gstin[14]


def test_r1_1_check_char_worked_by_hand():
    # 27AAPFU0939F1Z: values 2 7 10 10 25 15 30 0 9 3 9 15 1 35, weights 1 2 1 2 ...; products
    # 2 14 10 20 25 30 30 0 9 6 9 30 1 70 -> digit sums (quotient + remainder by 36) total 221;
    # 221 mod 36 = 5; (36 - 5) mod 36 = 31 = "V".
    assert gstin_check_char("27AAPFU0939F1Z") == "V"


@pytest.mark.parametrize("gstin", VALID)
def test_r1_1_valid_gstins_have_no_error(gstin):
    assert gstin_error(gstin) is None
    assert is_valid_gstin(gstin)


@pytest.mark.parametrize(
    "raw, expected",
    [
        (" 27aapfu0939f1zv ", "27AAPFU0939F1ZV"),
        ("\t29AAGCB7383J1z4\n", "29AAGCB7383J1Z4"),
        (None, ""),
        (27, ""),
    ],
)
def test_r1_1_gstin_trimmed_and_upper_cased(raw, expected):
    assert normalize_gstin(raw) == expected


def test_r1_1_lower_case_with_spaces_is_valid():
    assert gstin_error("  24aanfa2641l1zf ") is None


@pytest.mark.parametrize(
    "raw, code",
    [
        ("", "GSTIN_LENGTH"),
        (None, "GSTIN_LENGTH"),
        ("27AAPFU0939F1Z", "GSTIN_LENGTH"),
        ("27AAPFU0939F1ZVX", "GSTIN_LENGTH"),
        ("27 AAPFU0939F1ZV", "GSTIN_LENGTH"),
        # state code
        ("00AAPFU0939F1ZV", "GSTIN_STATE"),
        ("39AAPFU0939F1ZV", "GSTIN_STATE"),
        ("96AAPFU0939F1ZV", "GSTIN_STATE"),  # 96 is a place of supply only
        ("99AAPFU0939F1ZV", "GSTIN_STATE"),
        ("A7AAPFU0939F1ZV", "GSTIN_STATE"),
        ("2-AAPFU0939F1ZV", "GSTIN_STATE"),
        # PAN: 5 letters, 4 digits, 1 letter
        ("271APFU0939F1ZV", "GSTIN_PAN"),
        ("27AAPFUA939F1ZV", "GSTIN_PAN"),
        ("27AAPFU093991ZV", "GSTIN_PAN"),
        ("27AAP-U0939F1ZV", "GSTIN_PAN"),
        # entity character 1-9 or A-Z
        ("27AAPFU0939F0ZV", "GSTIN_ENTITY"),
        ("27AAPFU0939F-ZV", "GSTIN_ENTITY"),
        # 14th is Z, or the kind of registration (1-9, A-J); never 0 or K-Y
        ("27AAPFU0939F1YV", "GSTIN_Z"),
        ("27AAPFU0939F10V", "GSTIN_Z"),
        ("27AAPFU0939F1KV", "GSTIN_Z"),
        ("27AAPFU0939F1-V", "GSTIN_Z"),
        # check character
        ("27AAPFU0939F1ZW", "GSTIN_CHECK"),
        ("29AAGCB7383J1Z5", "GSTIN_CHECK"),
        ("07AAGFF2194N1Z0", "GSTIN_CHECK"),
        ("27AAPFU0939F1Z-", "GSTIN_CHECK"),
        ("27AAPFU0939F2ZV", "GSTIN_CHECK"),  # a valid entity digit that changes the check value
    ],
)
def test_r1_1_invalid_gstin_names_the_part(raw, code):
    err = gstin_error(raw)
    assert err is not None
    assert err[0] == code
    assert err[1]
    assert not is_valid_gstin(raw)


@pytest.mark.parametrize(
    "gstin",
    # Check characters worked out by hand with the mod-36 scheme of.
    [
        "27AAPFU0939F1C6",
        "07AAGFF2194N1CC",
        "27AAPFU0939F11S",
        "27AAPFU0939F1D4",
        "27AAPFU0939F1JR",
        "27AAPFU0939F1AA",
        "27AAPFU0939F1B8",
    ],  # fmt: skip
)
def test_r1_1_other_kinds_of_registration_are_valid(gstin):
    # An e-commerce operator collecting tax (C, as in a supeco etin), and the other kinds GSTN allows.
    assert gstin_error(gstin) is None


def test_r1_1_first_problem_wins_state_before_check():
    # Both the state and the check character are wrong: the state is reported.
    assert gstin_error("99AAPFU0939F1ZW")[0] == "GSTIN_STATE"


# --- State codes ------------------------------------------------------------------------


def test_r1_2_state_codes_are_01_to_38_and_97():
    expected = {
        "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17",
        "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34",
        "35", "36", "37", "38", "97",
    }  # fmt: skip
    assert set(GSTIN_STATE_CODES) == expected


def test_r1_2_place_of_supply_may_also_be_96():
    assert "96" in POS_CODES
    assert "96" not in GSTIN_STATE_CODES
    assert set(POS_CODES) - set(GSTIN_STATE_CODES) == {"96"}
    assert "00" not in POS_CODES
    assert "39" not in POS_CODES


@pytest.mark.parametrize("state", ["01", "38", "97"])
def test_r1_2_gstin_with_edge_state_code_is_valid(state):
    first14 = f"{state}AAPFU0939F1Z"
    gstin = first14 + gstin_check_char(first14)
    assert gstin_error(gstin) is None
    assert gstin_state(gstin) == state


def test_r1_2_state_is_first_two_digits():
    assert [gstin_state(g) for g in VALID] == ["27", "29", "24", "33", "07"]


# --- Periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, expected",
    [("102025", 202510), ("012026", 202601), ("122024", 202412), (" 092025 ", 202509)],
)
def test_period_parsed_from_mmyyyy(code, expected):
    assert parse_period(code) == expected


@pytest.mark.parametrize(
    "code", ["132025", "002025", "2025-10", "10-2025", "10202", "1020255", "", None, 102025]
)
def test_period_malformed_is_invalid(code):
    with pytest.raises(DomainError) as exc:
        parse_period(code)
    assert exc.value.code == "INVALID"


@pytest.mark.parametrize("p, code", [(202510, "102025"), (202601, "012026"), (202412, "122024")])
def test_period_code_is_mmyyyy(p, code):
    assert period_code(p) == code


@pytest.mark.parametrize(
    "p, first, last",
    [
        (202504, 202504, 202506),
        (202505, 202504, 202506),
        (202509, 202507, 202509),
        (202510, 202510, 202512),
        (202512, 202510, 202512),
        (202601, 202601, 202603),
        (202603, 202601, 202603),
    ],
)
def test_quarters_are_apr_jun_jul_sep_oct_dec_jan_mar(p, first, last):
    assert quarter_first_month(p) == first
    assert quarter_last_month(p) == last


# --- Filing frequency -------------------------------------------------------------------


def test_r1_3_default_frequency_is_monthly():
    assert frequency_for([], 202510) == "M"


def test_r1_3_frequency_applies_per_quarter_from_its_change():
    changes = [FrequencyChange(202410, "M"), FrequencyChange(202601, "Q"), FrequencyChange(202607, "M")]
    assert frequency_for(changes, 202410) == "M"
    assert frequency_for(changes, 202512) == "M"
    assert frequency_for(changes, 202601) == "Q"
    assert frequency_for(changes, 202602) == "Q"
    assert frequency_for(changes, 202603) == "Q"
    assert frequency_for(changes, 202606) == "Q"
    assert frequency_for(changes, 202607) == "M"
    assert frequency_for(changes, 202703) == "M"


def test_r1_3_changes_are_read_in_period_order_whatever_the_list_order():
    changes = [FrequencyChange(202604, "M"), FrequencyChange(202410, "Q"), FrequencyChange(202601, "Q")]
    assert frequency_for(changes, 202412) == "Q"
    assert frequency_for(changes, 202603) == "Q"
    assert frequency_for(changes, 202605) == "M"


def test_r1_3_registered_quarterly_from_start_period():
    changes = [FrequencyChange(202510, "Q")]
    assert frequency_for(changes, 202510) == "Q"
    assert frequency_for(changes, 202511) == "Q"
    assert frequency_for(changes, 202512) == "Q"


@pytest.mark.parametrize("p", [202601, 202604, 202607, 202610])
def test_r1_3_change_for_a_quarter_not_begun_is_allowed(p):
    assert frequency_change_error(p, date(2025, 12, 31)) is None


@pytest.mark.parametrize(
    "p, today",
    [
        (202601, date(2026, 1, 1)),  # the quarter's first day: it has begun
        (202601, date(2026, 2, 15)),
        (202510, date(2025, 11, 5)),
        (202410, date(2025, 11, 5)),
    ],
)
def test_r1_3_change_for_a_started_quarter_is_quarter_started(p, today):
    err = frequency_change_error(p, today)
    assert err is not None
    assert err[0] == "QUARTER_STARTED"


@pytest.mark.parametrize("p", [202602, 202603, 202605, 202606, 202608, 202611, 202612])
def test_r1_3_change_must_name_a_quarters_first_month(p):
    err = frequency_change_error(p, date(2025, 11, 5))
    assert err is not None
    assert err[0] == "INVALID"


@pytest.mark.parametrize(
    "p, first",
    [
        (202601, True),
        (202604, True),
        (202607, True),
        (202610, True),
        (202602, False),
        (202603, False),
        (202609, False),
        (202612, False),
    ],
)
def test_r1_3_quarter_first_months(p, first):
    assert is_quarter_first_month(p) is first


# --- Start period -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "p, freq",
    [(202410, "M"), (202410, "Q"), (202509, "M"), (202511, "M"), (202601, "Q"), (202504, "Q")],
)
def test_r1_4_start_period_allowed(p, freq):
    assert start_period_error(p, freq) is None


@pytest.mark.parametrize(
    "p, freq", [(202409, "M"), (202407, "Q"), (202312, "M"), (202509, "Q"), (202411, "Q")]
)
def test_r1_4_start_period_refused(p, freq):
    err = start_period_error(p, freq)
    assert err is not None
    assert err[0] == "INVALID"


# --- GSTR-1 and IFF deadlines -----------------------------------------------------------


@pytest.mark.parametrize(
    "p, due",
    [
        (202510, date(2025, 11, 11)),
        (202512, date(2026, 1, 11)),
        (202601, date(2026, 2, 11)),
        (202602, date(2026, 3, 11)),
    ],
)
def test_r2_1_monthly_gstr1_due_on_11th_of_next_month(p, due):
    assert gstr1_due_date(p, quarterly=False) == due


@pytest.mark.parametrize(
    "p, due",
    [
        (202510, date(2026, 1, 13)),
        (202511, date(2026, 1, 13)),
        (202512, date(2026, 1, 13)),
        (202603, date(2026, 4, 13)),
        (202604, date(2026, 7, 13)),
    ],
)
def test_r2_1_quarterly_gstr1_due_on_13th_after_quarter(p, due):
    assert gstr1_due_date(p, quarterly=True) == due


@pytest.mark.parametrize(
    "p, last",
    [(202510, date(2025, 11, 13)), (202511, date(2025, 12, 13)), (202601, date(2026, 2, 13))],
)
def test_r2_1_iff_open_until_13th_of_next_month(p, last):
    assert iff_last_date(p) == last


# --- GSTR-3B deadlines ------------------------------------------------------------------


@pytest.mark.parametrize(
    "p, state, due",
    [
        (202510, "27", date(2025, 11, 20)),
        (202510, "07", date(2025, 11, 20)),
        (202512, "29", date(2026, 1, 20)),
        (202602, "97", date(2026, 3, 20)),
    ],
)
def test_r2_2_monthly_gstr3b_due_on_20th(p, state, due):
    assert gstr3b_due_date(p, quarterly=False, state_code=state) == due


STATES_22 = ["22", "23", "24", "25", "26", "27", "29", "30", "31", "32", "33", "34", "35", "36", "37"]
STATES_24 = [
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17",
    "18", "19", "20", "21", "28", "38", "97",
]  # fmt: skip


@pytest.mark.parametrize("state", STATES_22)
def test_r2_2_quarterly_gstr3b_due_on_22nd_for_listed_states(state):
    assert gstr3b_due_date(202512, quarterly=True, state_code=state) == date(2026, 1, 22)
    assert gstr3b_due_date(202510, quarterly=True, state_code=state) == date(2026, 1, 22)


@pytest.mark.parametrize("state", STATES_24)
def test_r2_2_quarterly_gstr3b_due_on_24th_for_other_states(state):
    assert gstr3b_due_date(202512, quarterly=True, state_code=state) == date(2026, 1, 24)
    assert gstr3b_due_date(202603, quarterly=True, state_code=state) == date(2026, 4, 24)


def test_r2_2_every_state_code_has_one_quarterly_due_day():
    assert set(STATES_22) | set(STATES_24) == set(GSTIN_STATE_CODES)
    assert not set(STATES_22) & set(STATES_24)


# --- Period ended / started -------------------------------------------------------------


@pytest.mark.parametrize(
    "p, today, ended",
    [
        (202510, date(2025, 10, 31), False),
        (202510, date(2025, 11, 1), True),
        (202510, date(2025, 10, 1), False),
        (202512, date(2026, 1, 1), True),
        (202602, date(2026, 2, 28), False),
        (202602, date(2026, 3, 1), True),
        (202402, date(2024, 2, 29), False),
    ],
)
def test_r2_3_period_ended_only_after_its_last_day(p, today, ended):
    assert period_ended(p, today) is ended


@pytest.mark.parametrize(
    "p, today, started",
    [
        (202511, date(2025, 10, 31), False),
        (202511, date(2025, 11, 1), True),
        (202511, date(2025, 12, 31), True),
        (202601, date(2025, 12, 31), False),
    ],
)
def test_r2_3_period_started_on_its_first_day(p, today, started):
    assert period_started(p, today) is started
