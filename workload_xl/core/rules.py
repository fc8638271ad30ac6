"""The catalogue of finding rules: stable ids, severities and help text (core layer).

Rule ids are part of the product's contract: users filter on them and later issues build on
them, so they live here as data, each documented in docs/findings.md (a test checks both ways).
Severity belongs to the rule, not to the code that raises it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from workload_xl.core.findings import Finding, Severity
from workload_xl.core.values import FTE_MAX, FTE_MIN

ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


class Rule(NamedTuple):
    """One row of the catalogue: the id a finding carries, its severity and its title.

    A named tuple, not a dataclass: every command imports the catalogue, and on Python 3.11 a
    named tuple class costs a fifth of a frozen dataclass's to make at start-up (which
    benchmarks/bench_startup.py holds to 1.5x of click's)."""

    id: str
    severity: Severity
    title: str

    def finding(self, message: str, **where: Any) -> Finding:
        return Finding(rule=self.id, severity=self.severity, message=message, **where)


_RULES = [
    # The file as a whole: nothing else can be checked when one of these fires.
    Rule("file-not-found", ERR, "The file does not exist"),
    Rule("file-not-workbook", ERR, "The file is not an Excel workbook (.xlsx / .xlsm)"),
    Rule("file-old-format", ERR, "The file is an old .xls workbook"),
    Rule("file-encrypted", ERR, "The workbook is password-protected"),
    Rule("file-corrupt", ERR, "The workbook is damaged and cannot be read"),
    Rule("file-too-large", ERR, "The workbook expands to more data than a measurement sheet holds"),
    Rule("file-too-slow", ERR, "Reading the workbook took longer than the time allowed"),
    Rule("sheet-too-large", ERR, "A sheet has something in a cell far beyond its data"),
    Rule("table-too-large", ERR, "A table's range reaches far beyond the rows it needs"),
    Rule(
        "file-unsafe", ERR, "The workbook contains XML constructs that are never in a real workbook"
    ),
    Rule("not-measurement-sheet", ERR, "The workbook has no workload measurement table"),
    Rule("team-workbook-given", INFO, "A team workbook was given where worker sheets are read"),
    Rule("team-workbook-named", WARN, "A team workbook was named where worker sheets are read"),
    Rule("input-skipped", INFO, "A file in an input folder that is no workbook was skipped"),
    # The header block.
    Rule("name-missing", ERR, "A defined name the sheet relies on has been deleted or broken"),
    Rule("header-missing", ERR, "A required header field is blank"),
    Rule("header-blank", WARN, "A header field that should be filled before signing is blank"),
    Rule("scheme-unknown", ERR, "The sheet names a points scheme that does not exist"),
    Rule(
        "scheme-mismatch", ERR, "The sheet names another scheme than the one it was checked against"
    ),
    Rule("scheme-version-mismatch", ERR, "The sheet was made from another version of the scheme"),
    Rule("service-unknown", ERR, "The service is not one the scheme serves"),
    Rule("band-unknown", ERR, "The experience band is not one of the scheme's bands"),
    Rule(
        "fte-invalid", ERR, f"FTE is missing, not a number, or outside {FTE_MIN:g} to {FTE_MAX:g}"
    ),
    Rule("period-invalid", ERR, "The period is missing or not a valid month or 4-week period"),
    Rule("date-invalid", ERR, "The date agreed is not a date"),
    # The table of cases and activities.
    Rule("column-missing", ERR, "A required column of the table has been deleted or renamed"),
    Rule("item-unknown", ERR, "The item is not in the scheme"),
    Rule("item-missing", ERR, "A row has entries but no item"),
    Rule("points-missing", ERR, "An item is given but its agreed points are blank"),
    Rule("points-not-number", ERR, "Agreed points are not a number"),
    Rule("points-negative", ERR, "Agreed points are negative"),
    Rule("points-out-of-range", ERR, "Agreed points are outside the range the scheme allows"),
    Rule("points-adjusted", INFO, "Agreed points differ from the scheme's points"),
    Rule("quantity-invalid", ERR, "The quantity is not a positive number"),
    Rule("number-as-text", INFO, "A number was typed as text; it has been read as a number"),
    Rule("case-ref-missing", ERR, "A case row has no case reference"),
    Rule("case-ref-duplicate", ERR, "The same case reference appears on more than one row"),
    Rule("outside-table", WARN, "Something is typed outside the table and will be ignored"),
    Rule("row-formulas-missing", ERR, "A row of the table has no calculated-column formulas"),
    Rule("total-mismatch", ERR, "A total does not match the rows"),
    Rule("total-not-formula", WARN, "A total's formula has been replaced or changed"),
    # Team sheets: putting worker sheets together.
    Rule("team-no-sheets", ERR, "There are no usable worker sheets to build a team sheet from"),
    Rule("team-mixed-schemes", ERR, "The worker sheets use different points schemes"),
    Rule("team-mixed-services", ERR, "The worker sheets come from different services"),
    Rule("team-mixed-periods", ERR, "The worker sheets are for different periods"),
    Rule("team-mixed-teams", WARN, "The worker sheets name different teams"),
    Rule("sheet-other-period", INFO, "A sheet for another period was left out"),
    Rule("worker-duplicate", ERR, "A worker has more than one sheet"),
    # Team sheets: fairness flags. They inform a discussion; none is a verdict.
    Rule("worker-outlier", WARN, "A worker's points per FTE are far from similar colleagues'"),
    Rule("band-too-small", INFO, "Too few workers share an experience band to compare them"),
    Rule("team-spread-wide", WARN, "Points per FTE differ widely across the team"),
    Rule("case-co-worked", INFO, "A case is on more than one worker's sheet"),
    Rule(
        "disparity-persistent", WARN, "A worker has stood out from colleagues for periods running"
    ),
    Rule("trend-rising", INFO, "A worker's points per FTE have risen period after period"),
    Rule("trend-falling", INFO, "A worker's points per FTE have fallen period after period"),
    Rule("history-unreadable", WARN, "An earlier team sheet given as history cannot be used"),
    Rule("history-skipped", INFO, "Workbooks in a --history folder that are no team workbooks"),
    # Consolidation: team returns into the returns store.
    Rule("return-invalid", ERR, "A team return cannot be used"),
    Rule("return-skipped", INFO, "Worker workbooks in a folder given to consolidate were skipped"),
    Rule("return-total-mismatch", WARN, "A worker's total on a return does not match its rows"),
    Rule("return-points-blank", WARN, "A case row on a return has no agreed points, or an error"),
    Rule("return-date-signed-unused", WARN, "A return's date signed cannot be the day it was sent"),
    Rule("return-already-stored", INFO, "The same return file is in the store already"),
    Rule("return-superseded", INFO, "A newer return replaces an earlier one for the period"),
    Rule("return-held", WARN, "A return changing a team's service or people awaits a decision"),
    Rule("store-unusable", ERR, "The returns store cannot be opened or written"),
    Rule("store-damaged", ERR, "The returns store fails SQLite's checks, or its meta is damaged"),
    Rule("store-foreign", ERR, "The file given as the returns store is another SQLite database"),
    Rule(
        "store-people-mismatch",
        ERR,
        "The store's people would be mixed: names with pseudonyms, or two keys' pseudonyms",
    ),
    # CAPA job plans.
    Rule("not-jobplan-workbook", ERR, "A file given as a job plan has no job-plan tables"),
    Rule("jobplan-column-missing", ERR, "A job-plan table has lost one of its columns"),
    Rule("capa-setting-invalid", ERR, "A CAPA setting is outside the range it can take"),
    Rule("capa-setting-missing", WARN, "A CAPA setting's row is missing: the default is used"),
    Rule("capa-clinician-missing", ERR, "A job plan row has hours but no clinician's name"),
    Rule(
        "capa-referrals-invalid",
        ERR,
        "Accepted referrals per week are not a number or are negative",
    ),
    Rule("capa-clinician-duplicate", ERR, "Two job plans have the same clinician's name"),
    Rule(
        "capa-hours-invalid",
        ERR,
        "Job plan hours are not a number or are negative, or contracted hours are not above 0",
    ),
    Rule(
        "capa-hours-over-contract",
        ERR,
        "A job plan's activity hours add up to more than the contracted hours",
    ),
    Rule(
        "capa-hours-unallocated", INFO, "Some contracted hours are in no activity of the job plan"
    ),
    Rule(
        "capa-hours-blank",
        WARN,
        "An activity's hours are blank (counted as 0) while contracted hours are in no activity",
    ),
    Rule(
        "capa-absence-dates-invalid", ERR, "An absence has no valid dates or ends before it starts"
    ),
    Rule("capa-absence-clinician-unknown", WARN, "An absence names a clinician with no job plan"),
    Rule("capa-absence-kind-unknown", WARN, "An absence is of no known kind"),
    Rule("capa-period-invalid", ERR, "The period has no valid dates or ends before it starts"),
    Rule("capa-waiting-invalid", ERR, "A number waiting is not a number or is negative"),
    # Caseload import.
    Rule("caseload-unreadable", ERR, "The caseload report cannot be read"),
    Rule(
        "caseload-wrong-kind",
        ERR,
        "The caseload report is a PDF, a Word document, an image or another file, not CSV or Excel",
    ),
    Rule("caseload-title-rows", INFO, "The caseload report's headings are below title lines"),
    Rule("caseload-column-missing", ERR, "The caseload report lacks a column the import needs"),
    Rule("caseload-type-unmapped", WARN, "A case type in the report maps to no scheme item"),
    Rule("caseload-no-cases", WARN, "The caseload report lists no cases for this worker"),
    Rule("caseload-ref-duplicate", WARN, "The caseload report lists the same case twice"),
    Rule("caseload-ref-missing", WARN, "A case in the caseload report has no case reference"),
    # CAPA activity actuals: `workload-xl capa actuals`.
    Rule("activity-unreadable", ERR, "The activity export cannot be read"),
    Rule(
        "activity-wrong-kind",
        ERR,
        "The activity export is a PDF, a Word document, an image or another file, not CSV or Excel",
    ),
    Rule("activity-empty", ERR, "The activity export has no rows that can be counted"),
    Rule("activity-column-missing", ERR, "The activity export lacks the columns it needs"),
    Rule("activity-title-rows", INFO, "The activity export's headings are below title lines"),
    Rule("activity-clinician-unknown", WARN, "A row names a clinician with no job plan"),
    Rule("activity-type-unmapped", WARN, "An appointment type maps to nothing the plan counts"),
    Rule("activity-date-invalid", WARN, "A date or month is not one, or is out of range"),
    Rule("activity-count-invalid", WARN, "A count is negative, not whole or not a number"),
    Rule("activity-count-blank", WARN, "A count is blank, so that month's figure is a gap"),
    Rule("activity-clinician-missing", WARN, "A job-plan clinician has no rows in the export"),
    Rule("activity-month-missing", WARN, "A month inside the export's range has no rows"),
    Rule(
        "activity-signals-held",
        WARN,
        "Signals are held back: a job-plan clinician's figures are missing",
    ),
    Rule("activity-mapping-invalid", ERR, "The activity mapping file is wrong"),
    Rule(
        "activity-previous-unreadable", ERR, "The previous Plan and actual workbook cannot be read"
    ),
    Rule("activity-month-replaced", WARN, "A month of the history is replaced by the export's"),
    # Points scheme files.
    Rule("scheme-invalid", ERR, "A points scheme file is wrong, so that scheme was not loaded"),
    Rule("scheme-folder-unusable", ERR, "The points scheme folder cannot be used"),
    # Allocation: `workload-xl allocate` and Try an allocation.
    Rule("allocation-item-unknown", ERR, "The item to allocate is not an item of the scheme"),
    Rule("allocation-worker-unknown", ERR, "The worker named is not on the team sheet"),
    Rule("allocation-case-unknown", ERR, "No case row of the team workbook has the reference"),
    Rule("allocation-move-invalid", ERR, "The case cannot be moved as asked"),
    # Writing files.
    Rule("output-exists", ERR, "The output file exists already"),
    Rule("output-unwritable", ERR, "The output file cannot be written"),
    Rule("addin-not-installable", ERR, "The Excel add-in cannot be installed here"),
    Rule("output-is-input", ERR, "The output would be written over a file the command reads"),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}

FILE_LEVEL_RULES = frozenset(
    {
        "file-not-found",
        "file-not-workbook",
        "file-old-format",
        "file-encrypted",
        "file-corrupt",
        "file-too-large",
        "file-too-slow",
        "file-unsafe",
        "sheet-too-large",
        "table-too-large",
        "not-measurement-sheet",
    }
)


def finding(rule_id: str, message: str, **where: Any) -> Finding:
    """Build a finding for a catalogued rule; an unknown id is a programming error."""
    return RULES[rule_id].finding(message, **where)
