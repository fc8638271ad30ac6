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
)


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
    SpcColumn("Rules", 26),
    SpcColumn("Variation", 18),
    SpcColumn("Limits", 9),
)
