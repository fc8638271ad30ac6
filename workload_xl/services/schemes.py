"""schemes, and the scheme every other command is given (service layer)."""

from __future__ import annotations

from workload_xl.core.schemes import Scheme, SchemeRegistry
from workload_xl.services.options import OptionError


def load_schemes() -> SchemeRegistry:
    """The schemes of the scheme folder, each wrong file a problem in `registry.problems`.
    Raises Refused when the folder itself cannot be used."""
    return SchemeRegistry.from_dir()


def find_scheme(registry: SchemeRegistry, scheme_id: str) -> Scheme:
    """The scheme with this id; OptionError (for --scheme) when it is wrong or unknown."""
    scheme = registry.get(scheme_id)
    if scheme is None and registry.problem(scheme_id):
        raise OptionError(
            f"the scheme file for '{scheme_id}' is wrong, so that scheme was not loaded (see "
            "above). Correct the file and run the command again.",
            "--scheme",
        )
    if scheme is None:
        raise OptionError(
            f"there is no scheme '{scheme_id}'. Known schemes: {', '.join(registry.ids)}.",
            "--scheme",
        )
    return scheme
