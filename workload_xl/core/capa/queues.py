"""Queue load, target size and relief capacity, the NHS demand-and-capacity way (core layer)."""

from __future__ import annotations

import math


def load(demand: float, capacity: float) -> float:
    """Queue load = demand ÷ capacity (NHS demand and capacity; Fong et al. 2022).

    Above 1 the queue grows without limit; below 1 it is the share of time the list is not
    empty. No capacity with demand is an infinite load; no demand at all is a load of 0.
    """
    if demand < 0 or capacity < 0:
        raise ValueError("Demand and capacity cannot be negative.")
    if capacity == 0:
        return math.inf if demand > 0 else 0.0
    return demand / capacity


def target_queue_size(demand: float, target_wait: float) -> float:
    """The list size at which waits meet the target = demand × target wait ÷ 4.

    The convention of the NHS demand-and-capacity guidance (Fong et al. 2022, and the NHS-R
    NHSRwaitinglist package's default factor): aim for a mean wait of a quarter of the target,
    which leaves about a 1.8% chance of a wait beyond it (e⁻⁴ if waits are exponential), and
    by Little's law the queue is demand × mean wait. Demand and wait in the same time unit.
    """
    if demand < 0 or target_wait <= 0:
        raise ValueError("Demand cannot be negative and the target wait must be above 0.")
    return demand * target_wait / 4


def relief_capacity(demand: float, queue: float, target_queue: float, weeks: float) -> float:
    """Capacity a week to bring a queue to its target size in `weeks` weeks.

    NHS demand and capacity: demand + (queue − target queue) ÷ weeks. A queue already below
    target gives less than demand: the list may grow back to target.
    """
    if weeks <= 0:
        raise ValueError("The weeks to reach the target must be above 0.")
    return demand + (queue - target_queue) / weeks


def weeks_to_target(
    demand: float, capacity: float, queue: float, target_queue: float
) -> float | None:
    """Weeks for a queue to come down to its target size at present capacity.

    Each week the queue falls by capacity − demand, so it takes (queue − target queue) ÷
    (capacity − demand) weeks. 0 when the queue is at or below target already; None when
    capacity does not exceed demand, since the queue then never comes down (above a load of 1
    it grows). Demand and capacity in the same unit a week.
    """
    if queue - target_queue <= 1e-9:
        return 0.0
    if capacity - demand <= 1e-9:
        return None
    return (queue - target_queue) / (capacity - demand)
