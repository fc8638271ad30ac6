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


def find_service(registry: SchemeRegistry, service: str) -> str:
    """The service as the schemes spell it (letter case and spacing as typed do not matter);
    OptionError (for --service) naming the services the schemes know, and the closest one
    when it is close, for a service no scheme serves: a team listed under a misspelt service
    would be `missing` every month, while its returns came in under the right one."""
    import difflib

    from workload_xl.core.values import clean_text

    known = sorted({s for scheme in registry for s in scheme.services}, key=str.casefold)
    typed = clean_text(service)
    for name in known:
        if name.casefold() == typed.casefold():
            return name
    by_key = {name.casefold(): name for name in known}
    close = difflib.get_close_matches(typed.casefold(), list(by_key), n=1)
    hint = f"Did you mean {by_key[close[0]]!r}? " if close else ""
    raise OptionError(
        f"no points scheme serves the service {typed!r}. {hint}The services the schemes know: "
        f"{', '.join(known)}. Type the service as its scheme names it (`workload-xl schemes` "
        "lists them), or add it to its scheme file first.",
        "--service",
    )
