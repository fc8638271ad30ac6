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
    from workload_xl.core.values import clean_text

    known = sorted({s for scheme in registry for s in scheme.services}, key=str.casefold)
    typed = clean_text(service)
    for name in known:
        if name.casefold() == typed.casefold():
            return name
    close = _closest(typed, known)
    hint = f"Did you mean {close!r}? " if close else ""
    raise OptionError(
        f"no points scheme serves the service {typed!r}. {hint}The services the schemes know: "
        f"{', '.join(known)}. Type the service as its scheme names it (`workload-xl schemes` "
        "lists them), or add it to its scheme file first.",
        "--service",
    )


def find_scheme_service(registry: SchemeRegistry, scheme: Scheme, service: str) -> str:
    """The service as `scheme` spells it (letter case and spacing as typed do not matter, as
    validate reads the sheet's Service cell); OptionError (for --service) otherwise, naming
    the scheme's services, the closest one when it is close (find_service's check), and the
    scheme a service belongs to when it is another scheme's: a sheet written with it would
    only get `service-unknown` from validate."""
    from workload_xl.core.values import clean_text

    typed = clean_text(service)
    if not typed:
        raise OptionError("the service is blank: give the service's name.", "--service")
    name = scheme.service_name(typed)
    if name is not None:
        return name
    ours = f"The services of the scheme '{scheme.id}': {', '.join(scheme.services)}."
    fix = (
        f"Type the service as the scheme names it (`workload-xl schemes show {scheme.id}` "
        "lists them)."
    )
    elsewhere = [s for s in registry if s.id != scheme.id and s.serves(typed)]
    if elsewhere:
        owner = elsewhere[0]
        raise OptionError(
            f"the service {owner.service_name(typed)!r} belongs to the scheme '{owner.id}', "
            f"not to '{scheme.id}'. {ours} Give --scheme {owner.id} for a worker in "
            f"{owner.service_name(typed)}, or one of those services.",
            "--service",
        )
    close = _closest(typed, list(scheme.services))
    hint = f"Did you mean {close!r}? " if close else ""
    if not close:
        others = {s: o.id for o in registry if o.id != scheme.id for s in o.services}
        near = _closest(typed, list(others))
        if near:
            hint = f"Did you mean {near!r}? It is a service of the scheme '{others[near]}'. "
    raise OptionError(
        f"the scheme '{scheme.id}' does not serve the service {typed!r}. {hint}{ours} {fix}",
        "--service",
    )


def _closest(typed: str, names: list[str]) -> str | None:
    """The name closest to `typed` (difflib, letter case ignored), or None when none is close."""
    import difflib

    by_key = {name.casefold(): name for name in names}
    close = difflib.get_close_matches(typed.casefold(), list(by_key), n=1)
    return by_key[close[0]] if close else None
