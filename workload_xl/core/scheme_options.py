"""What a scheme file may choose beyond its items: how a co-worked case counts (`co_working`)
and when a number is worth a conversation (its `[flags]`) (core layer).

Kept apart from the team roll-up (core.coworking) and the fairness flags (core.disparity) that
act on them, so that loading a scheme, as every command that names a service does, loads
neither: two modules of records and functions cost about 5 ms of every such command's
start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

FULL = "full"
SHARE = "share"
DEFAULT = FULL
RULES: dict[str, str] = {
    FULL: "each worker keeps the points their own sheet gives a co-worked case",
    SHARE: "a co-worked case's points are shared equally between the workers holding it",
}
"""The scheme's `co_working` values, and what each means in words a manager reads."""


@dataclass(frozen=True)
class SignalSettings:
    """When a number is worth a conversation; the defaults are the calibrated ones."""

    outlier_margin: float = 0.30
    disparity_margin: float = 0.12
    disparity_periods: int = 3
    run_length: int = 7
    baseline: int = 12
    min_baseline: int = 6
    min_workers: int = 3
    """Fewer counted workers (in a team, or in a band when the scheme sets no expectation)
    give no middle to compare with."""

    def __post_init__(self) -> None:
        if not 0 < self.disparity_margin <= self.outlier_margin:
            raise ValueError("the margins must be above 0, the outlier one the larger")
        for name in ("disparity_periods", "run_length", "baseline", "min_baseline"):
            if getattr(self, name) < 2:
                raise ValueError(f"{name} must be at least 2")
        if self.min_baseline > self.baseline:
            raise ValueError("min_baseline cannot exceed baseline")
