"""CAPA demand: accepted referrals a week, and the checks on them (core layer).

Demand is typed as one number, or counted over weeks or months and averaged by day.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from workload_xl.core.capa.shared import (
    day,
    day_or_none,
    is_number,
    raise_on_errors,
    shown,
)
from workload_xl.core.findings import Finding, Refused
from workload_xl.core.rules import finding


def check_referrals(referrals_per_week: object) -> list[Finding]:
    """Accepted referrals per week must be a number, 0 or more."""
    if is_number(referrals_per_week) and float(referrals_per_week) >= 0:  # type: ignore[arg-type]
        return []
    return [
        finding(
            "capa-referrals-invalid",
            f"Accepted referrals per week are {referrals_per_week!r}; type a number, 0 or more.",
            field="referrals_per_week",
            value=referrals_per_week,
        )
    ]


@dataclass(frozen=True)
class ReferralCount:
    """Accepted referrals from `start` to `end`, both days included: a week, a month, or any
    stretch a service counts by."""

    start: dt.date
    end: dt.date
    referrals: float


def check_referral_series(series: Sequence[ReferralCount]) -> list[Finding]:
    """Each count needs dates in order and a number of referrals, 0 or more; two counts may
    not cover the same day, or its referrals would be counted twice."""
    found: list[Finding] = []
    spans: list[tuple[dt.date, dt.date]] = []
    for count in series:
        start, end = day_or_none(count.start), day_or_none(count.end)
        if start is None or end is None or end < start:
            bad = "start" if start is None else "end"
            found.append(
                finding(
                    "capa-referrals-invalid",
                    f"A referral count runs from {shown(count.start)} to {shown(count.end)}; "
                    "give its first and last day as dates, the last on or after the first.",
                    field=bad,
                    value=getattr(count, bad),
                )
            )
        else:
            spans.append((start, end))
        if not (is_number(count.referrals) and float(count.referrals) >= 0):
            found.append(
                finding(
                    "capa-referrals-invalid",
                    f"Accepted referrals are {count.referrals!r} for the count starting "
                    f"{count.start}; type a number, 0 or more.",
                    field="referrals",
                    value=count.referrals,
                )
            )
    spans.sort()
    for (_, end), (start, _) in itertools.pairwise(spans):
        if start <= end:
            found.append(
                finding(
                    "capa-referrals-invalid",
                    f"The referral count starting {start} overlaps the one before it (which ends "
                    f"{end}), so some days would be counted twice. Correct the dates.",
                    field="start",
                    value=start,
                )
            )
    return found


def demand_per_week(series: Sequence[ReferralCount]) -> float:
    """Accepted referrals a week from a weekly or monthly series: all the referrals ÷ all
    the days counted × 7.

    Weighted by days, so October (31 days) weighs more than February and weeks and months may
    be mixed; a weekly series gives the mean of its weeks. CAPA adjusts Choice slots over
    about six weeks as referrals vary, so a service gives the stretch it plans for (the last
    six weeks, or the same quarter last year). Raises Refused for a bad or empty series.
    """
    raise_on_errors(check_referral_series(series))
    days = sum((day(count.end) - day(count.start)).days + 1 for count in series)
    if not days:
        raise Refused(
            [
                finding(
                    "capa-referrals-invalid",
                    "The referral series is empty; "
                    "give at least one count, or the referrals a week.",
                    field="referrals",
                )
            ]
        )
    return sum(float(count.referrals) for count in series) / days * 7
