"""The dialect of an exported report's CSV text (files edge).

Caseload reports and activity exports come from many systems: comma, semicolon (Excel in much
of Europe) or tab (Excel's "Unicode Text"), often with title lines above the headings, which
confuse csv.Sniffer. Both readers sniff the same way.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence


def sniff_dialect(lines: Sequence[str], title_rows: int) -> type[csv.Dialect] | csv.Dialect:
    """The dialect (comma, semicolon or tab) sniffed from the first lines (whole lines, with
    their line ends); when title lines above the headings confuse the sniffer, from the lines
    below each of up to `title_rows` in turn; else Excel's comma."""
    for skip in range(min(len(lines), title_rows + 1)):
        sample = "".join(lines[skip:])[:4096]
        try:
            return csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            continue
    return csv.excel
