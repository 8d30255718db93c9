"""Service profiles: the same network priced for a block train, a wagonload train or a truck.

One average border dwell and one speed per country cannot stand for every train: a scheduled
container block train with pre-cleared documents and booked transloading slots crosses
China–Kazakhstan in hours, a single wagon waiting for a train to be formed can take days.
A **service** is a named profile in the parameters file::

    [service.block_train]
    description = "Scheduled container block train"
    mode = "rail"                    # rail | road | ferry
    speed_factor = 1.3               # multiplies every speed table
    border_dwell_factor = 0.25       # multiplies every border dwell
    gauge_change_factor = 1.0        # multiplies every gauge-change time
    source = "..."                   # or assumption = true
    note = "..."

    [service.block_train.overrides.border.pairs."CHN-KAZ"]   # optional: tables merged over the base
    dwell_h = 20.0

:func:`apply_service` merges the overrides over the base tables, then applies the factors, and
returns ordinary :class:`~corridors.Parameters`: the one pricing model
(:mod:`corridors.pricing`) prices every service, there is no second price rule. The resulting
parameters name their service (:attr:`Parameters.service`, and their ``source`` ends with
``[service.<name>]``, which every :class:`~corridors.Route` carries in ``parameters``).
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from corridors._errors import ParameterError
from corridors.params import Parameters, merge_overrides

__all__ = ["FACTORS", "MODES", "apply_service", "check_services", "service_mode", "service_names"]

#: The factors a service may set, and what each multiplies.
FACTORS: dict[str, str] = {
    "speed_factor": "every kmh in [speed.*]",
    "border_dwell_factor": "every dwell_h in [border.*]",
    "gauge_change_factor": "every time_h in [gauge_change.*]",
    "tariff_factor": "every usd_per_km in [tariff.*]",
}
#: Transport modes a service can be for.
MODES = ("rail", "road", "ferry")


def service_names(params: Parameters) -> list[str]:
    """The service profiles the parameters define.

    Examples
    --------
    >>> from corridors import load_parameters
    >>> {"block_train", "wagonload", "truck"} <= set(service_names(load_parameters()))
    True
    """
    return sorted(params.raw.get("service", {}))


def _table(params: Parameters, name: str) -> Mapping[str, Any]:
    services = params.raw.get("service", {})
    if name not in services:
        close = difflib.get_close_matches(name, list(services), n=2)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(sorted(services)) or 'none'}"
        msg = f"{params.source or 'parameters'}: no service profile [service.{name}]{hint}"
        raise ParameterError(msg)
    table: Mapping[str, Any] = services[name]
    return table


def service_mode(params: Parameters, name: str) -> str:
    """The mode a service runs on (``rail``, ``road`` or ``ferry``).

    Examples
    --------
    >>> from corridors import load_parameters
    >>> service_mode(load_parameters(), "truck")
    'road'
    """
    return str(_table(params, name).get("mode", "rail"))


_OTHER_MODES = ("road", "ferry", "sea")


def _scale(tables: Any, key: str, factor: float) -> None:
    """Multiply every ``key`` found in nested tables by ``factor`` (in place, on a copy)."""
    if isinstance(tables, dict):
        for k, v in tables.items():
            if k == key and isinstance(v, int | float) and not isinstance(v, bool):
                tables[k] = float(v) * factor
            else:
                _scale(v, key, factor)


def apply_service(params: Parameters, name: str) -> Parameters:
    """The parameters with service profile ``name`` laid over them (``params`` is not modified).

    The profile's ``overrides`` are merged over the base tables first, then its factors multiply
    speeds, border dwells, gauge-change times and tariffs (overridden values included) of its own
    mode: the rail tables for a rail service, ``speed.road``/``border.road``/``tariff.road`` for a
    road service.

    Raises
    ------
    ParameterError
        If there is no such profile.

    Examples
    --------
    >>> from corridors import load_parameters
    >>> base = load_parameters()
    >>> bt = apply_service(base, "block_train")
    >>> bt.border("CHN", "KAZ")[0] < base.border("CHN", "KAZ")[0]
    True
    >>> bt.source.endswith("[service.block_train]")
    True
    """
    table = _table(params, name)
    raw = merge_overrides(params.raw, table.get("overrides", {}))
    for factor, (section, key) in zip(
        FACTORS,
        (("speed", "kmh"), ("border", "dwell_h"), ("gauge_change", "time_h"), ("tariff", "usd_per_km")),
        strict=True,
    ):
        value = float(table.get(factor, 1.0))
        if value != 1.0:
            raw[section] = copy.deepcopy(raw[section])
            mode = str(table.get("mode", "rail"))
            if mode == "rail":  # the rail tables: everything but the other modes' own tables
                for k, v in raw[section].items():
                    if k not in _OTHER_MODES:
                        _scale({k: v}, key, value)
            elif isinstance(raw[section].get(mode), dict):  # that mode's own tables only
                _scale(raw[section][mode], key, value)
    raw.setdefault("meta", {})
    raw["meta"] = {**raw["meta"], "service": name}
    base_source = params.source.split(" [service.")[0]
    return replace(params, raw=raw, source=f"{base_source} [service.{name}]")


def check_services(raw: Mapping[str, Any], file: str) -> None:
    """Check the ``[service.*]`` tables of a parameters file.

    Raises
    ------
    ParameterError
        For a profile without a source or ``assumption = true``, an unknown mode, or a factor
        that is not a positive number; the message names the file and the table.
    """
    for name, t in raw.get("service", {}).items():
        where = f"service.{name}"
        if not isinstance(t, Mapping):
            msg = f"{file}: [{where}] must be a table, got {t!r}"
            raise ParameterError(msg)
        if not t.get("source") and not t.get("assumption"):
            msg = f"{file}: [{where}] has neither a 'source' nor 'assumption = true'; every number needs one"
            raise ParameterError(msg)
        if t.get("mode", "rail") not in MODES:
            msg = f"{file}: [{where}] mode must be one of {', '.join(MODES)}, got {t.get('mode')!r}"
            raise ParameterError(msg)
        for factor in FACTORS:
            v = t.get(factor, 1.0)
            if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
                msg = f"{file}: [{where}] '{factor}' must be a non-negative number, got {v!r}"
                raise ParameterError(msg)
        if float(t.get("speed_factor", 1.0)) == 0:
            msg = f"{file}: [{where}] 'speed_factor' must be positive"
            raise ParameterError(msg)
        unknown = set(t) - {*FACTORS, "description", "mode", "source", "source_url", "assumption", "note", "overrides"}
        unknown -= {k for k in t if k.startswith("calibrat")}
        if unknown:
            msg = f"{file}: [{where}] unknown key {sorted(unknown)[0]!r}"
            raise ParameterError(msg)
