"""The trend report workbook's contract: its sheets, tables and columns (contract).

The report is written, never read back, but analysts and Power Query read it: the sheet
titles, table columns and number formats here are what they find, so they are declared once
and the writer (files/report_workbook.py) lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass

SUMMARY_SHEET = "Summary"
TITLE = "Workload trend report"
SPC_SHEET_PREFIX = "SPC "
"""Each team's XmR sheet is titled 'SPC <team>' (made unique and short enough for Excel)."""

SPC_HEADER_ROW = 4
"""The heading row of each team's XmR table, below the sheet's title and notes."""

SPC_CHART_SERIES = 8
"""The XmR chart draws this many SPC_COLUMNS after `Period`: the value, the mean, the four
lines, the special-cause points and the incomplete returns (points of their own, off the
line)."""


@dataclass(frozen=True)
class ServiceBlock:
    """One teams × periods table on a service's sheet: a figure of each team's trend."""

    title: str
    field: str  # the TeamTrend attribute whose series fills the rows
    number_format: str
    service_mean_row: bool = False  # a last row with the service's own mean


SERVICE_BLOCKS: tuple[ServiceBlock, ...] = (
    ServiceBlock("Mean points per FTE", "points_per_fte", "0.0", service_mean_row=True),
    ServiceBlock("Total points", "total_points", "0.0"),
    ServiceBlock("FTE", "total_fte", "0.00"),
    ServiceBlock("Spread (coefficient of variation)", "spread", "0%"),
    ServiceBlock("Difference from the service mean", "vs_service", "+0.0;-0.0;0.0"),
    ServiceBlock("Load against expected", "load", "0%", service_mean_row=True),
    ServiceBlock("Return", "returns", "@"),
)
"""The `Return` table says, team by team, what each period's return was: returned, incomplete
return (so many workers left out that the figures are no trend: shown, shaded, in every table,
but left out of the SPC rules) or no return."""

BAND_BLOCK_TITLE = "Points per FTE by experience band"
"""A table below the teams' ones: a row per experience band, the service's counted workers of
that band together (total points ÷ total FTE), so a band's load over time can be read apart."""

INCOMPLETE_FILL = "FFEB9C"
"""The shading of an incomplete return's cells in the service sheet's tables."""


@dataclass(frozen=True)
class SpcColumn:
    heading: str
    width: int
    number_format: str = "General"


SPC_COLUMNS: tuple[SpcColumn, ...] = (
    SpcColumn("Period", 10),
    SpcColumn("Mean points per FTE", 12, "0.0"),
    SpcColumn("Mean", 9, "0.0"),
    SpcColumn("Upper process limit", 11, "0.0"),
    SpcColumn("Lower process limit", 11, "0.0"),
    SpcColumn("Upper two sigma", 10, "0.0"),
    SpcColumn("Lower two sigma", 10, "0.0"),
    SpcColumn("Special cause", 10, "0.0"),
    SpcColumn("Incomplete return", 12, "0.0"),
    SpcColumn("Rules", 26),
    SpcColumn("Variation", 18),
    SpcColumn("Limits", 9),
)
