"""CAPA job plans: a clinician's weekly hours by activity, and the checks on them (core layer)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workload_xl.core.capa.settings import CapaSettings
from workload_xl.core.capa.shared import TOLERANCE, hours_text, is_number
from workload_xl.core.findings import Finding
from workload_xl.core.rules import finding

ACTIVITIES: dict[str, str] = {
    "choice": "Choice",
    "core": "Core Partnership",
    "specific": "Specific Partnership",
    "big_admin": "Big Admin",
    "team_meeting": "team meeting",
    "supervision": "supervision",
    "cpd": "CPD, research and audit",
    "management": "management",
    "travel": "travel",
    "other": "other tasks",
}
"""The activities of a CAPA job plan, by field name, with the names clinicians use."""


@dataclass(frozen=True)
class Clinician:
    """One clinician's CAPA job plan: weekly hours in each activity against contracted hours.

    Big Admin is reports, calls and liaison; other tasks include consultation and Tier 2 work.
    """

    name: str
    profession: str = ""
    contracted_hours: float = 37.5
    choice: float = 0.0
    core: float = 0.0
    specific: float = 0.0
    big_admin: float = 0.0
    team_meeting: float = 0.0
    supervision: float = 0.0
    cpd: float = 0.0
    management: float = 0.0
    travel: float = 0.0
    other: float = 0.0

    @property
    def allocated_hours(self) -> float:
        """Weekly hours in all activities of the job plan together."""
        return sum(float(getattr(self, name)) for name in ACTIVITIES)

    @property
    def unallocated_hours(self) -> float:
        """Contracted hours in no activity; negative when the plan is over-allocated."""
        return float(self.contracted_hours) - self.allocated_hours


def check_job_plans(team: Sequence[Clinician], settings: CapaSettings) -> list[Finding]:
    """Every job plan problem in the team, clinician by clinician.

    Negative or non-numeric hours and contracted hours not above 0 are errors; activity hours
    above contracted hours are an error (the plan promises time that does not exist); more
    than `unallocated_hours_tolerance` hours in no activity is information, since the time may
    be real but unplanned. A name used twice is an error: absences could not be told apart.
    """
    found: list[Finding] = []
    seen: set[str] = set()
    for clinician in team:
        who = clinician.name
        if not str(who).strip():
            found += nameless([clinician])
            continue
        if who in seen:
            found.append(
                finding(
                    "capa-clinician-duplicate",
                    f"There are two job plans for {who}; give each clinician one job plan.",
                    field="name",
                    value=who,
                )
            )
        seen.add(who)
        bad = bad_hours(clinician)
        found += bad
        if bad:
            continue
        spare = clinician.unallocated_hours
        tolerance = _unallocated_tolerance(settings)
        if spare < -TOLERANCE:
            found.append(
                finding(
                    "capa-hours-over-contract",
                    f"{who}'s job plan has {hours_text(clinician.allocated_hours)} of activities "
                    f"a week but {hours_text(clinician.contracted_hours)} contracted: "
                    f"{hours_text(-spare)} too many. Take hours out of activities.",
                    field="contracted_hours",
                    value=clinician.contracted_hours,
                )
            )
        elif spare > tolerance + TOLERANCE:
            found.append(
                finding(
                    "capa-hours-unallocated",
                    f"{hours_text(spare)} of {who}'s {hours_text(clinician.contracted_hours)} "
                    "contracted a week are in no activity of the job plan.",
                    field="contracted_hours",
                    value=clinician.contracted_hours,
                )
            )
    return found


def _unallocated_tolerance(settings: CapaSettings) -> float:
    tolerance = settings.unallocated_hours_tolerance
    if not (is_number(tolerance) and tolerance >= 0):  # said by check_settings
        tolerance = CapaSettings().unallocated_hours_tolerance
    return tolerance


def blank_hours(
    clinician: Clinician, blank: Iterable[str], settings: CapaSettings
) -> list[Finding]:
    """A warning for each activity whose hours cell was left blank (and so is counted as 0)
    while more than the tolerance of the clinician's contracted hours is in no activity: the
    blank may be hours not typed, or typed over and cleared, rather than none. Nothing when
    the plan's other hours are wrong (said by `bad_hours`) or fill the contract."""
    if bad_hours(clinician):
        return []
    spare = clinician.unallocated_hours
    if spare <= _unallocated_tolerance(settings) + TOLERANCE:
        return []
    who, contracted = clinician.name, hours_text(clinician.contracted_hours)
    blank = set(blank)
    return [
        finding(
            "capa-hours-blank",
            f"{who}'s {ACTIVITIES[key]} hours are blank, so they are counted as 0 hours, and "
            f"{hours_text(spare)} of the {contracted} contracted a week are in no activity. "
            f"Type the weekly hours of {ACTIVITIES[key]}, or 0 if none are meant.",
            field=key,
            value=None,
        )
        for key in ACTIVITIES
        if key in blank
    ]


def nameless(team: Sequence[Clinician]) -> list[Finding]:
    """A job plan with no name cannot be counted for anyone, nor its absences matched."""
    return [
        finding(
            "capa-clinician-missing",
            "A job plan has hours but no clinician's name. Type the name, or clear the row.",
            field="name",
        )
        for clinician in team
        if not str(clinician.name).strip()
    ]


def bad_hours(clinician: Clinician) -> list[Finding]:
    found = []
    contracted = clinician.contracted_hours
    if not is_number(contracted) or contracted <= 0:
        typed = "blank" if contracted is None else repr(contracted)
        found.append(
            finding(
                "capa-hours-invalid",
                f"{clinician.name}'s contracted hours are {typed}; type the weekly "
                "hours of the contract, more than 0 (37.5 full time).",
                field="contracted_hours",
                value=contracted,
            )
        )
    for name, label in ACTIVITIES.items():
        value = getattr(clinician, name)
        if not is_number(value) or value < 0:
            typed = "blank" if value is None else repr(value)
            found.append(
                finding(
                    "capa-hours-invalid",
                    f"{clinician.name}'s {label} hours are {typed}; type weekly hours, 0 or more.",
                    field=name,
                    value=value,
                )
            )
    return found
