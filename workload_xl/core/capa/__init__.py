"""Choice and Partnership Approach (CAPA) job-plan maths for CAMHS teams (core layer).

One module per topic: settings (what a service agrees locally), demand (referrals), plans
(job plans), capacity (capacity, need and balance), absences (capacity lost), queues (NHS
demand and capacity), waiting (the Choice and Core waiting lists on those formulas), exports
(an activity export counted), actuals (plan against what was delivered), signals (the
Making Data Count rules on those months), and shared (the refusal and how typed values are
read). Callers use `capa.X`; every public name
is re-exported here.

CAPA asks three questions of a team's job plans: are there enough Choice appointments for the
referrals coming in, enough Core Partnership time for the share of them that go on to
treatment, and enough Specific Partnership time for the share that need specialist work?
Every formula here is the published CAPA one (York and Kingsbury's CAPA materials and the CAPA
job-planning tools), or the NHS demand-and-capacity convention for queues, and each docstring
names its source. Every number a service agrees locally is a setting with the CAPA default
(or, for Specific work, where CAPA publishes none, a stated starting point), so the maths
never hides a constant.

Choices a reader of the numbers should know (the tests pin each one):

- Core time is counted in half-day sessions: weekly Core hours ÷ `hours_per_session` (3.5).
  A session holds `appointments_per_session` (2) appointments plus their write-up, so one
  weekly session gives 2 × 11.25 ÷ 7.5 = 3 new Core Partnerships a quarter, and one weekly
  Core hour about 0.86 (3 ÷ 3.5): the published "11 hours give about 9.4". Specific time is
  counted the same way with its own appointments per session and per episode.
- Choice time is counted in appointments: weekly Choice hours ÷ `hours_per_appointment` (1),
  since a Choice clinic is booked hour by hour. A team that books Choice in half-day sessions
  like Core sets `hours_per_appointment` to 1.75 (3.5 ÷ 2).
- Two clocks: demand arrives in all 52 weeks of the year (13 a quarter, `weeks_per_quarter`),
  capacity in the clinicians' 45 working weeks (11.25 a quarter). So Core needed a quarter is
  referrals a week × 13 × transfer rate (8.84 × referrals with the defaults: the rule of
  thumb's 8–9), and Choice delivered a week is the job plan's slots × 45 ÷ 52. Leave is
  counted once, in the capacity.
- Co-therapy: `co_therapy_rate` is the share of appointments two clinicians see together.
  Each such appointment uses two clinicians' slots, so the team's capacity is the sum of
  its clinicians' slots ÷ (1 + co_therapy_rate), for Choice and Core alike. Per-clinician
  figures are that clinician's own slots, before the division.
- Balance: capacity ÷ need within ±`balance_tolerance` (inclusive) is "in balance", below it
  "short", above it "surplus". Nothing else is said: these numbers open a discussion.
- Hours in a balance are weekly job-plan hours: how many hours a week of Choice or Core time
  would close the gap, co-therapy included.
- Absences: each weekday (Monday to Friday, bank holidays included) is assumed to carry a
  fifth of a clinician's weekly job plan, whatever their contracted hours, since the tool
  does not know which days a part-time clinician works. An absent weekday costs 45/52 of a
  day of job plan (`working_weeks_per_year` ÷ 52), because the 45 working weeks already allow
  for the 7 weeks a year nobody works: so a clinician away for a whole quarter loses exactly
  the quarter's capacity (11.25 weeks), not 13 weeks of it. For the same reason, kinds in
  `leave_in_working_weeks` (annual leave, by default) are counted as days away but cost no
  capacity: the 45 weeks allow for them already. A day with two absences counts once, and
  costs capacity if either absence does.
- Bad settings, hours and dates are findings (data), collected in one pass. The maths
  functions refuse inputs that would make their numbers meaningless by raising `Refused`
  (core.findings), which carries the same findings.
"""

from workload_xl.core.capa.absences import (
    Absence,
    AbsenceLoss,
    CapacityLost,
    capacity_lost,
    check,
    check_absences,
    leave_note,
    working_days,
)
from workload_xl.core.capa.actuals import (
    TEAM,
    ClinicianMonth,
    Counts,
    Line,
    PlanAndActual,
    Waits,
    months_between,
    plan_and_actual,
    planned_per_month,
    quarter_of,
    waits_of,
)
from workload_xl.core.capa.capacity import (
    IN_BALANCE,
    SHORT,
    STATUSES,
    SURPLUS,
    Balance,
    Side,
    balance,
    choice_delivered_per_week,
    choice_needed_per_week,
    choice_slots_per_week,
    core_needed_per_quarter,
    core_sessions_per_week,
    hours_per_choice,
    hours_per_new_core,
    hours_per_new_specific,
    new_core_per_quarter,
    new_specific_per_quarter,
    specific_needed_per_quarter,
    specific_sessions_per_week,
    team_choice_per_week,
    team_new_core_per_quarter,
    team_new_specific_per_quarter,
)
from workload_xl.core.capa.demand import (
    ReferralCount,
    check_referral_series,
    check_referrals,
    demand_per_week,
)
from workload_xl.core.capa.exports import (
    ActivityExport,
    ActivityMapping,
    Delivered,
    WaitTally,
    load_activity_mapping,
    parse_activity_mapping,
    tally_activity,
)
from workload_xl.core.capa.plans import ACTIVITIES, Clinician, blank_hours, check_job_plans
from workload_xl.core.capa.queues import (
    load,
    relief_capacity,
    target_queue_size,
    weeks_to_target,
)
from workload_xl.core.capa.settings import (
    ABSENCE_KINDS,
    ANNUAL_LEAVE,
    LONG_TERM_SICKNESS,
    MATERNITY_LEAVE,
    OTHER_ABSENCE,
    CapaSettings,
    check_settings,
)
from workload_xl.core.capa.signals import (
    Series,
    Signal,
    Signals,
    actuals_signals,
    against_plan,
)
from workload_xl.core.capa.waiting import (
    WAITING_STREAMS,
    WaitingList,
    check_waiting,
    waiting_list,
    waiting_lists,
)

__all__ = [
    "ABSENCE_KINDS",
    "ACTIVITIES",
    "ANNUAL_LEAVE",
    "IN_BALANCE",
    "LONG_TERM_SICKNESS",
    "MATERNITY_LEAVE",
    "OTHER_ABSENCE",
    "SHORT",
    "STATUSES",
    "SURPLUS",
    "TEAM",
    "WAITING_STREAMS",
    "Absence",
    "AbsenceLoss",
    "ActivityExport",
    "ActivityMapping",
    "Balance",
    "CapaSettings",
    "CapacityLost",
    "Clinician",
    "ClinicianMonth",
    "Counts",
    "Delivered",
    "Line",
    "PlanAndActual",
    "ReferralCount",
    "Series",
    "Side",
    "Signal",
    "Signals",
    "WaitTally",
    "WaitingList",
    "Waits",
    "actuals_signals",
    "against_plan",
    "balance",
    "blank_hours",
    "capacity_lost",
    "check",
    "check_absences",
    "check_job_plans",
    "check_referral_series",
    "check_referrals",
    "check_settings",
    "check_waiting",
    "choice_delivered_per_week",
    "choice_needed_per_week",
    "choice_slots_per_week",
    "core_needed_per_quarter",
    "core_sessions_per_week",
    "demand_per_week",
    "hours_per_choice",
    "hours_per_new_core",
    "hours_per_new_specific",
    "leave_note",
    "load",
    "load_activity_mapping",
    "months_between",
    "new_core_per_quarter",
    "new_specific_per_quarter",
    "parse_activity_mapping",
    "plan_and_actual",
    "planned_per_month",
    "quarter_of",
    "relief_capacity",
    "specific_needed_per_quarter",
    "specific_sessions_per_week",
    "tally_activity",
    "target_queue_size",
    "team_choice_per_week",
    "team_new_core_per_quarter",
    "team_new_specific_per_quarter",
    "waiting_list",
    "waiting_lists",
    "waits_of",
    "weeks_to_target",
    "working_days",
]
