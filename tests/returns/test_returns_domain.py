"""Pure rules of returns/domain.py (R-5.2, R-5.3, R-5.5, R-5.6, R-6.3), table-driven, no database."""

from datetime import date

import pytest

from returns import domain
from taxpayers.domain import previous_return


def monthly(_p: int) -> bool:
    return False


def quarterly(_p: int) -> bool:
    return True


def quarterly_from_jan_2026(p: int) -> bool:
    return p >= 202601


def quarterly_until_mar_2026(p: int) -> bool:
    return p <= 202603


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (202509, date(2025, 10, 14)),
        (202512, date(2026, 1, 14)),  # also the quarter Oct-Dec: the 14th after it
        (202603, date(2026, 4, 14)),
    ],
)
def test_r5_2_draft_date_is_the_14th_of_the_next_month(period, expected):
    assert domain.draft_date(period) == expected


@pytest.mark.parametrize(
    ("period", "freq", "start", "expected"),
    [
        (202509, monthly, 202509, None),  # the start period has no predecessor
        (202510, monthly, 202509, 202509),
        (202601, monthly, 202509, 202512),
        (202512, quarterly, 202510, None),  # the first quarter of a quarterly start
        (202603, quarterly, 202510, 202512),
        (202603, quarterly_from_jan_2026, 202509, 202512),  # monthly December before the first quarter
        (202512, quarterly_from_jan_2026, 202509, 202511),
        (202604, quarterly_until_mar_2026, 202510, 202603),  # the quarter before a monthly April
    ],
)
def test_r5_3_previous_return(period, freq, start, expected):
    assert previous_return(period, quarterly=freq, start_period=start) == expected


@pytest.mark.parametrize(
    ("period", "freq", "expected"),
    [
        (202510, quarterly, True),
        (202511, quarterly, True),
        (202512, quarterly, False),
        (202510, monthly, False),
    ],
)
def test_r5_6_months_1_and_2_of_a_quarter(period, freq, expected):
    assert domain.is_quarter_month(period, freq) is expected


@pytest.mark.parametrize(
    ("period", "start", "freq", "prev_filed", "expected"),
    [
        (202508, 202509, monthly, False, "BEFORE_START_PERIOD"),
        (202507, 202510, quarterly, False, "BEFORE_START_PERIOD"),  # before start wins over quarter month
        (202510, 202510, quarterly, False, "QUARTERLY_TAXPAYER"),  # quarter month wins over previous 3B
        (202510, 202509, monthly, False, "PREVIOUS_3B_NOT_FILED"),
        (202510, 202509, monthly, True, "NOT_YET_GENERATED"),
    ],
)
def test_r5_3_not_generated_reason_order(period, start, freq, prev_filed, expected):
    got = domain.not_generated_reason(
        period=period, start_period=start, quarterly=freq, previous_3b_filed=prev_filed
    )
    assert got == expected


D13, D14 = date(2025, 11, 13), date(2025, 11, 14)


@pytest.mark.parametrize(
    ("period", "freq", "has_version", "today", "prev_filed", "expected"),
    [
        (202508, monthly, True, D13, False, "BEFORE_START_PERIOD"),
        (202510, quarterly, True, D13, False, "QUARTERLY_TAXPAYER"),
        (202510, monthly, True, D13, False, "ALREADY_GENERATED"),  # before DRAFT_NOT_DUE
        (202510, monthly, False, D13, False, "DRAFT_NOT_DUE"),  # before PREVIOUS_3B_NOT_FILED
        (202510, monthly, False, D14, False, "PREVIOUS_3B_NOT_FILED"),
        (202510, monthly, False, D14, True, None),
    ],
)
def test_r5_5_schedule_skip_reason_first_that_applies(period, freq, has_version, today, prev_filed, expected):
    got = domain.schedule_skip_reason(
        period=period,
        start_period=202509 if freq is monthly else 202507,
        quarterly=freq,
        has_version=has_version,
        today=today,
        previous_3b_filed=prev_filed,
    )
    assert got == expected


@pytest.mark.parametrize(
    ("period", "freq", "filed", "today", "prev_filed", "expected"),
    [
        (202508, monthly, True, D13, False, "BEFORE_START_PERIOD"),
        (202511, quarterly, True, D13, False, "QUARTERLY_TAXPAYER"),
        (202510, monthly, True, D13, False, "RETURN_FILED"),  # before DRAFT_NOT_DUE
        (202510, monthly, False, D13, False, "DRAFT_NOT_DUE"),  # before PREVIOUS_3B_NOT_FILED
        (202510, monthly, False, D14, False, "PREVIOUS_3B_NOT_FILED"),
        (202510, monthly, False, D14, True, None),
    ],
)
def test_r5_5_recompute_refusal_first_that_applies(period, freq, filed, today, prev_filed, expected):
    got = domain.recompute_refusal(
        period=period,
        start_period=202509 if freq is monthly else 202507,
        quarterly=freq,
        filed_3b=filed,
        today=today,
        previous_3b_filed=prev_filed,
    )
    assert got == expected


def test_r6_3_gstr3b_blockers_lists_every_reason_in_order():
    got = domain.gstr3b_blockers(
        period=202510,
        start_period=202509,
        quarterly=monthly,
        filed=True,
        today=date(2025, 10, 31),
        previous_3b_filed=False,
        has_2b=False,
        stale_2b=True,
        gstr1a_unfiled=True,
    )
    assert got == [
        "ALREADY_FILED",
        "PERIOD_NOT_ENDED",
        "PREVIOUS_3B_NOT_FILED",
        "2B_NOT_GENERATED",
        "GSTR1A_UNFILED",
    ]
    got = domain.gstr3b_blockers(
        period=202511,
        start_period=202510,
        quarterly=quarterly,
        filed=False,
        today=date(2025, 12, 1),
        previous_3b_filed=True,
        has_2b=True,
        stale_2b=True,
        gstr1a_unfiled=False,
    )
    assert got == ["QUARTERLY_TAXPAYER", "2B_STALE"]
    assert (
        domain.gstr3b_blockers(
            period=202510,
            start_period=202509,
            quarterly=monthly,
            filed=False,
            today=date(2025, 11, 1),
            previous_3b_filed=True,
            has_2b=True,
            stale_2b=False,
            gstr1a_unfiled=False,
        )
        == []
    )


def test_r5_4_every_group_has_the_api_keys():
    nonrev = ("b2b", "b2ba", "cdnr", "cdnra", "ecom", "ecoma")
    rev = ("b2b", "b2ba", "cdnr", "cdnra")
    other = ("cdnr", "cdnra", "b2ba", "ecoma", "cdnrrev")
    assert {
        ("itcavl", "nonrevsup"): nonrev,
        ("itcavl", "revsup"): rev,
        ("itcavl", "othersup"): other,
        ("itcavl", "imports"): ("impg", "impgsez"),
        ("itcunavl", "nonrevsup"): nonrev,
        ("itcunavl", "revsup"): rev,
        ("itcunavl", "othersup"): other,
        ("itcRejected", "nonrevsup"): nonrev,
        ("itcRejected", "othersup"): other,
    } == domain.GROUP_KEYS
    assert domain.SECTION_2B == {
        "b2b": "b2b",
        "b2ba": "b2ba",
        "b2bdn": "cdnr",
        "b2bcn": "cdnr",
        "b2bdna": "cdnra",
        "b2bcna": "cdnra",
        "ecom": "ecom",
        "ecoma": "ecoma",
        # Bills of entry: an amendment is a line of its section with isamd Y.
        "impg": "impg",
        "impga": "impg",
        "impgsez": "impgsez",
        "impgseza": "impgsez",
    }


def test_r6_3_issue17_open_proposals_block_a_3b_that_is_not_filed():
    args = dict(
        period=202510,
        start_period=202509,
        quarterly=monthly,
        today=date(2025, 11, 1),
        previous_3b_filed=True,
        has_2b=True,
        stale_2b=False,
        gstr1a_unfiled=False,
        proposals_open=True,
    )
    assert domain.gstr3b_blockers(filed=False, **args) == ["PROPOSALS_OPEN"]
    assert domain.gstr3b_blockers(filed=True, **args) == ["ALREADY_FILED"]
