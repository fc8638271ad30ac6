"""workload-xl: fair, visible workloads for social care and child mental health teams."""

__version__ = "0.1.0"
