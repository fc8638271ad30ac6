"""The CAPA numbers a service agrees locally, and the check that they are usable (core layer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workload_xl.core.capa.shared import is_number
from workload_xl.core.findings import Finding
from workload_xl.core.rules import finding

ANNUAL_LEAVE = "annual leave"
MATERNITY_LEAVE = "maternity leave"
LONG_TERM_SICKNESS = "long-term sickness"
OTHER_ABSENCE = "other"
ABSENCE_KINDS = (ANNUAL_LEAVE, MATERNITY_LEAVE, LONG_TERM_SICKNESS, OTHER_ABSENCE)
"""The kinds of absence a job plan records."""


@dataclass(frozen=True)
class CapaSettings:
    """The numbers a service agrees locally, with the defaults of the CAPA materials.

    - `working_weeks_per_year` 45: 52 weeks less annual leave, bank holidays and training;
      a quarter is a quarter of it, 11.25 weeks (some materials use 11.5). Capacity runs on
      this clock: clinicians work 45 weeks a year.
    - `weeks_per_quarter` 13: the weeks of a quarter over which referrals arrive (52 ÷ 4).
      Demand runs on this clock: referrals do not stop when a clinician is on leave.
    - `appointments_per_session` 2 in a half-day session of `hours_per_session` 3.5 hours.
    - `mean_core_appointments` 7.5 appointments in a Core Partnership (some services use 7).
    - `transfer_rate` 0.68: the share of Choice appointments that go on to Core (66–70%).
    - `specific_share` 0.10: the share of accepted referrals that need Specific Partnership
      work (specialist work of other than average length, alongside Core or instead of it),
      `mean_specific_appointments` 12 in a Specific episode, `specific_appointments_per_session`
      2 in a half-day session. CAPA publishes no figures for these: the defaults are a
      starting point for a service to replace with its own counts.
    - `co_therapy_rate` 0: the share of appointments seen by two clinicians.
    - `choice_target_weeks` 6 from referral to Choice; `core_target_weeks` 4 from Choice to
      Core (at most 6). A waiting list meets its target at demand a week × target ÷ 4 waiting.
    - `weeks_to_target` 13: the weeks in which to bring a waiting list down to its target
      size, for the relief capacity (a whole number of weeks).
    - `balance_tolerance` 0.10: capacity within ±10% of need is "in balance".
    - `hours_per_appointment` 1: the hours a Choice appointment takes in a job plan.
    - `unallocated_hours_tolerance` 1: contracted hours left in no activity before a job plan
      says so (an information finding, not an error).
    - `leave_in_working_weeks` ("annual leave",): kinds of absence the 45 working weeks allow
      for already, so they cost no capacity; () counts every absence as capacity lost.

    Bad values are reported by `check_settings` as findings, not raised here, so a settings
    sheet with three mistakes shows all three.
    """

    working_weeks_per_year: float = 45
    weeks_per_quarter: float = 13
    appointments_per_session: float = 2
    hours_per_session: float = 3.5
    mean_core_appointments: float = 7.5
    transfer_rate: float = 0.68
    specific_share: float = 0.10
    mean_specific_appointments: float = 12
    specific_appointments_per_session: float = 2
    co_therapy_rate: float = 0.0
    choice_target_weeks: float = 6
    core_target_weeks: float = 4
    weeks_to_target: float = 13
    balance_tolerance: float = 0.10
    hours_per_appointment: float = 1.0
    unallocated_hours_tolerance: float = 1.0
    leave_in_working_weeks: tuple[str, ...] = (ANNUAL_LEAVE,)

    @property
    def working_weeks_per_quarter(self) -> float:
        """Working weeks per year ÷ 4: 45 ÷ 4 = 11.25 in the CAPA worked example."""
        return self.working_weeks_per_year / 4

    @property
    def working_share(self) -> float:
        """The share of the year's 52 weeks a clinician works: 45 ÷ 52 = 0.865 by default.

        A weekly job plan runs in working weeks only; averaged over all 52 weeks, the clock
        referrals arrive on, it delivers this share of its slots a week.
        """
        return self.working_weeks_per_year / 52


DEFAULT_SETTINGS = CapaSettings()
"""The CAPA defaults, shared by every function that takes settings (one frozen instance)."""


def _positive(v: float) -> bool:
    return v > 0


_SETTING_CHECKS: dict[str, tuple[Callable[[float], bool], str]] = {
    "working_weeks_per_year": (lambda v: 0 < v <= 52, "more than 0 and at most 52"),
    "weeks_per_quarter": (lambda v: 0 < v <= 14, "more than 0 and at most 14 (a quarter is 13)"),
    "appointments_per_session": (_positive, "more than 0"),
    "hours_per_session": (_positive, "more than 0"),
    "mean_core_appointments": (_positive, "more than 0"),
    "transfer_rate": (lambda v: 0 <= v <= 1, "between 0 and 1 (68% is 0.68)"),
    "specific_share": (lambda v: 0 <= v <= 1, "between 0 and 1 (10% is 0.10)"),
    "mean_specific_appointments": (_positive, "more than 0"),
    "specific_appointments_per_session": (_positive, "more than 0"),
    "co_therapy_rate": (lambda v: 0 <= v <= 1, "between 0 and 1"),
    "choice_target_weeks": (_positive, "more than 0 weeks"),
    "core_target_weeks": (_positive, "more than 0 weeks"),
    "weeks_to_target": (lambda v: v >= 1 and v == int(v), "a whole number of weeks, 1 or more"),
    "balance_tolerance": (lambda v: 0 <= v < 1, "at least 0 and below 1 (10% is 0.10)"),
    "hours_per_appointment": (_positive, "more than 0"),
    "unallocated_hours_tolerance": (lambda v: v >= 0, "0 or more hours"),
}
"""What each numeric setting must be, in the words a settings sheet shows."""


def check_settings(settings: CapaSettings) -> list[Finding]:
    """Every setting the maths cannot use, each as a `capa-setting-invalid` finding."""
    found = []
    for name, (ok, requirement) in _SETTING_CHECKS.items():
        value = getattr(settings, name)
        if not is_number(value) or not ok(float(value)):
            label = name.replace("_", " ")
            found.append(
                finding(
                    "capa-setting-invalid",
                    f"The setting '{label}' is {value!r}; it must be {requirement}.",
                    field=name,
                    value=value,
                )
            )
    kinds = settings.leave_in_working_weeks
    if isinstance(kinds, str) or not all(kind in ABSENCE_KINDS for kind in kinds):
        found.append(
            finding(
                "capa-setting-invalid",
                f"The setting 'leave in working weeks' is {kinds!r}; it must list kinds of "
                f"absence from: {', '.join(ABSENCE_KINDS)}.",
                field="leave_in_working_weeks",
                value=kinds,
            )
        )
    return found
