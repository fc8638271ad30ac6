"""The trend report's team figures on hand-computed series (issue 14, first part).

A team's mean points per FTE is weighted by FTE (total points ÷ total FTE), so a part-timer
weighs what their FTE says; the team-against-service run uses the report's --run-length.
"""

from __future__ import annotations

import pytest

from workload_xl.core.returns import WorkerPeriod
from workload_xl.core.spc import SpcSettings
from workload_xl.core.trends import build_trend_report


def row(team: str, worker: str, period: str, fte: float, points: float) -> WorkerPeriod:
    return WorkerPeriod(
        worker=worker,
        band="Social worker",
        fte=fte,
        cases=1,
        total_points=points,
        counted=True,
        period=period,
        period_kind="month",
        team=team,
        service="Safeguarding",
    )


def test_a_teams_points_per_fte_is_its_total_points_over_its_total_fte():
    """100 points on 1.0 FTE and 30 on 0.2 FTE: 130 ÷ 1.2 = 108.33, not (100 + 150) ÷ 2."""
    rows = [row("North", "Ann", "2026-01", 1.0, 100.0), row("North", "Bo", "2026-01", 0.2, 30.0)]
    rows += [row("South", "Cy", "2026-01", 1.0, 90.0), row("South", "Di", "2026-01", 1.0, 110.0)]
    (service,) = build_trend_report(rows).services
    north, south = service.teams
    assert north.points_per_fte == [pytest.approx(130 / 1.2)]
    assert south.points_per_fte == [pytest.approx(100.0)]
    assert service.service_mean == [pytest.approx(330 / 3.2)]
    assert north.vs_service == [pytest.approx(130 / 1.2 - 330 / 3.2)]


def test_a_part_timers_high_figure_barely_moves_the_team():
    """Adding a 0.2 FTE worker at 150 points per FTE to ten full-timers at 95 moves the team
    by 0.2 × 55 ÷ 10.2 ≈ 1.08, not by 55 ÷ 11 = 5."""
    rows = [row("North", f"W{n}", "2026-01", 1.0, 95.0) for n in range(10)]
    rows.append(row("North", "Part", "2026-01", 0.2, 30.0))
    (service,) = build_trend_report(rows).services
    assert service.teams[0].points_per_fte[0] == pytest.approx((950 + 30) / 10.2)
    assert service.teams[0].points_per_fte[0] - 95 == pytest.approx(0.2 * 55 / 10.2)


def _above_service(length: int) -> list[str]:
    """North runs 5 months above the service, South below it."""
    rows = []
    for month in range(1, 6):
        period = f"2026-{month:02d}"
        rows += [row("North", "Ann", period, 1.0, 110.0), row("South", "Cy", period, 1.0, 90.0)]
    report = build_trend_report(rows, settings=SpcSettings(run_length=length))
    return [line for line in report.summary if "the service mean" in line]


def test_the_team_against_service_run_uses_the_reports_run_length():
    assert _above_service(7) == []
    assert _above_service(5) == [
        "Safeguarding: North: 5 periods in a row above the service mean (2026-01 to 2026-05).",
        "Safeguarding: South: 5 periods in a row below the service mean (2026-01 to 2026-05).",
    ]


def test_the_report_says_how_the_team_figure_is_worked_out():
    from workload_xl.files.report_workbook import build_report_workbook

    rows = [row("North", "Ann", "2026-01", 1.0, 100.0), row("North", "Bo", "2026-01", 0.2, 30.0)]
    wb = build_report_workbook(build_trend_report(rows))
    text = " ".join(str(c.value) for r in wb["Summary"].iter_rows() for c in r if c.value)
    assert "total points ÷ their total FTE" in text
