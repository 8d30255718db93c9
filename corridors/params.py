"""Routing parameters and assumptions: speeds, border dwell and fees, gauge changes, tariffs.

Every number the routing engine uses comes from one TOML file, ``geodata/parameters.toml`` by
default, where each value carries its source or is marked as an assumption. A user changes an
assumption by editing that file or by passing overrides, never the code.
"""

from __future__ import annotations

import copy
import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridors._errors import ParameterError
from corridors.data import get_path
from corridors.schema import GAUGE_CHANGE_METHODS

__all__ = ["Parameters", "load_parameters", "merge_overrides"]

_TOP = {
    "units",
    "speed",
    "border",
    "gauge_change",
    "tariff",
    "value_of_time",
    "country_groups",
    "routing",
    "meta",
    "service",
    "uncertainty",
}


def merge_overrides(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Return a deep copy of ``base`` with ``overrides`` merged in (tables merge, values replace).

    Examples
    --------
    >>> merge_overrides({"a": {"x": 1, "y": 2}}, {"a": {"y": 3}})
    {'a': {'x': 1, 'y': 3}}
    """
    out = copy.deepcopy(dict(base))
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_overrides(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _num(table: Mapping[str, Any], key: str, where: str, file: str) -> float:
    if key not in table:
        msg = f"{file}: [{where}] needs '{key}'"
        raise ParameterError(msg)
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        msg = f"{file}: [{where}] '{key}' must be a non-negative number, got {value!r}"
        raise ParameterError(msg)
    return float(value)


def _sourced(table: Any, where: str, file: str) -> None:
    if not isinstance(table, Mapping):
        msg = f"{file}: [{where}] must be a table, got {table!r}"
        raise ParameterError(msg)
    if not table.get("source") and not table.get("assumption"):
        msg = f"{file}: [{where}] has neither a 'source' nor 'assumption = true'; every number needs one"
        raise ParameterError(msg)


@dataclass(frozen=True)
class Parameters:
    """Validated routing parameters. Build with :func:`load_parameters`.

    Attributes
    ----------
    raw
        The parameter tables as read (after overrides), for reports.
    source
        The file they came from.
    """

    raw: dict[str, Any]
    source: str = ""
    _file: str = field(default="parameters", repr=False)

    # --- lookups -------------------------------------------------------------------------
    def for_service(self, name: str) -> Parameters:
        """These parameters with the service profile ``[service.<name>]`` laid over them.

        A service (``block_train``, ``wagonload``, ``truck``, ...) is an overlay: factors on the
        speeds, border dwells and gauge-change times, plus explicit overrides, merged over the base
        tables (see :func:`corridors.services.apply_service`). The one pricing model prices the
        result; :attr:`source` names the service, so every route says which service it is for.

        Raises
        ------
        ParameterError
            If there is no such service; the known ones are listed.

        Examples
        --------
        >>> p = load_parameters()
        >>> p.for_service("block_train").service, p.service
        ('block_train', '')
        """
        from corridors.services import apply_service

        return apply_service(self, name)

    @property
    def service(self) -> str:
        """The service profile these parameters are for (``""``: the base parameters)."""
        return str(self.raw.get("meta", {}).get("service", ""))

    def tables(self) -> dict[str, Any]:
        """A deep copy of every table as read (values with their sources), for reports."""
        return copy.deepcopy(self.raw)

    def speed_kmh(self, *, segment: str, status: str, country: str, gauge: str) -> float:
        """Commercial speed for a segment's kilometres in one country.

        Precedence: ``speed.by_segment`` > ``speed.by_status`` (for segments not operational
        today) > ``speed.by_country`` > ``speed.by_gauge`` > ``speed.default``.
        """
        sp = self.raw["speed"]
        for table, key in (
            (sp.get("by_segment", {}), segment),
            (sp.get("by_status", {}) if status != "operational" else {}, status),
            (sp.get("by_country", {}), country),
            (sp.get("by_gauge", {}), gauge),
        ):
            if key in table:
                return float(table[key]["kmh"])
        return float(sp["default"]["kmh"])

    def speed_key(self, segment: str) -> str:
        """``segment`` if it has a speed of its own (``speed.by_segment``), else ``""``."""
        return segment if segment in self.raw["speed"].get("by_segment", {}) else ""

    def tariff_per_km(self, country: str) -> float:
        """Rail tariff in cost units per km in a country (``tariff.by_country`` or ``tariff.default``)."""
        t = self.raw["tariff"]
        return float(t.get("by_country", {}).get(country, t["default"])["usd_per_km"])

    def border(self, a: str, b: str, *, segment: str = "") -> tuple[float, float, str]:
        """Dwell hours, fee and the table used for a crossing between countries ``a`` and ``b``.

        Precedence: ``border.crossings.<segment id>`` > ``border.pairs."A-B"`` (ISO3 in
        alphabetical order) > ``border.default``.
        """
        bd = self.raw["border"]
        pair = "-".join(sorted((a, b)))
        for table, key, label in (
            (bd.get("crossings", {}), segment, f"border.crossings.{segment}"),
            (bd.get("pairs", {}), pair, f"border.pairs.{pair}"),
        ):
            if key in table:
                return float(table[key]["dwell_h"]), float(table[key]["fee_usd"]), label
        return float(bd["default"]["dwell_h"]), float(bd["default"]["fee_usd"]), "border.default"

    def gauge_change(self, method: str) -> tuple[float, float]:
        """Time (h) and cost of changing gauge by ``method``."""
        t = self.raw["gauge_change"][method]
        return float(t["time_h"]), float(t["cost_usd"])

    @property
    def value_of_time(self) -> float:
        """Cost units per hour used in the generalized cost."""
        return float(self.raw["value_of_time"]["usd_per_h"])

    @property
    def cost_unit(self) -> str:
        """What a unit of cost is (e.g. ``"USD per TEU"``)."""
        return str(self.raw.get("units", {}).get("cost", "USD"))

    @property
    def alternatives_max_overlap(self) -> float:
        """Largest share of an alternative's km it may share with a better route."""
        return float(self.raw.get("routing", {}).get("alternatives_max_overlap", {}).get("value", 0.8))

    @property
    def length_basis(self) -> str:
        """``documented`` (a segment's sourced length where given) or ``geometry`` (always geodesic)."""
        return str(self.raw.get("routing", {}).get("length_basis", {}).get("value", "geometry"))

    @property
    def country_passage_min_km(self) -> float:
        """Kilometres a segment must run in a country before it counts as entering it."""
        return float(self.raw.get("routing", {}).get("country_passage_min_km", {}).get("value", 1.0))

    def country_group(self, name: str) -> set[str]:
        """Member countries (ISO3) of a named group, e.g. ``"ECO"``.

        Raises
        ------
        ParameterError
            If there is no such group; close names are suggested.
        """
        groups = self.raw.get("country_groups", {})
        for key in groups:
            if key.casefold() == name.casefold():
                return set(groups[key]["members"])
        close = difflib.get_close_matches(name, list(groups), n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; known groups: {', '.join(groups)}"
        msg = f"unknown country group {name!r}{hint}"
        raise ParameterError(msg)


def _validate(raw: Mapping[str, Any], file: str) -> None:
    unknown = set(raw) - _TOP
    if unknown:
        bad = sorted(unknown)[0]
        close = difflib.get_close_matches(bad, _TOP, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        msg = f"{file}: unknown table [{bad}]{hint}"
        raise ParameterError(msg)
    for key in ("speed", "border", "gauge_change", "tariff", "value_of_time"):
        if key not in raw:
            msg = f"{file}: missing table [{key}]"
            raise ParameterError(msg)
    sp = raw["speed"]
    _sourced(sp.get("default"), "speed.default", file)
    _num(sp["default"], "kmh", "speed.default", file)
    for group in ("by_gauge", "by_country", "by_status", "by_segment"):
        for key, t in sp.get(group, {}).items():
            _sourced(t, f"speed.{group}.{key}", file)
            if _num(t, "kmh", f"speed.{group}.{key}", file) <= 0:
                msg = f"{file}: [speed.{group}.{key}] kmh must be positive"
                raise ParameterError(msg)
    bd = raw["border"]
    _sourced(bd.get("default"), "border.default", file)
    for where, t in [("border.default", bd["default"])] + [
        (f"border.{g}.{k}", t) for g in ("pairs", "crossings") for k, t in bd.get(g, {}).items()
    ]:
        _sourced(t, where, file)
        _num(t, "dwell_h", where, file)
        _num(t, "fee_usd", where, file)
    for method in GAUGE_CHANGE_METHODS:
        t = raw["gauge_change"].get(method)
        _sourced(t, f"gauge_change.{method}", file)
        _num(t, "time_h", f"gauge_change.{method}", file)
        _num(t, "cost_usd", f"gauge_change.{method}", file)
    tr = raw["tariff"]
    _sourced(tr.get("default"), "tariff.default", file)
    _num(tr["default"], "usd_per_km", "tariff.default", file)
    for key, t in tr.get("by_country", {}).items():
        _sourced(t, f"tariff.by_country.{key}", file)
        _num(t, "usd_per_km", f"tariff.by_country.{key}", file)
    _sourced(raw["value_of_time"], "value_of_time", file)
    _num(raw["value_of_time"], "usd_per_h", "value_of_time", file)
    basis = raw.get("routing", {}).get("length_basis", {}).get("value", "geometry")
    if basis not in ("documented", "geometry"):
        msg = f"{file}: [routing.length_basis] value must be 'documented' or 'geometry', got {basis!r}"
        raise ParameterError(msg)
    from corridors.services import check_services

    check_services(raw, file)
    for name, g in raw.get("country_groups", {}).items():
        members = g.get("members") if isinstance(g, Mapping) else None
        if not isinstance(members, list) or not all(isinstance(m, str) and len(m) == 3 for m in members):
            msg = f"{file}: [country_groups.{name}] 'members' must be a list of ISO3 codes"
            raise ParameterError(msg)


def load_parameters(path: str | Path | None = None, *, overrides: Mapping[str, Any] | None = None) -> Parameters:
    """Load routing parameters from TOML, the shipped ``geodata/parameters.toml`` by default.

    Parameters
    ----------
    path
        A parameters file in the documented format.
    overrides
        Tables merged over the file's (e.g. ``{"border": {"default": {"dwell_h": 48}}}``).

    Returns
    -------
    corridors.Parameters
        The validated parameters.

    Raises
    ------
    ParameterError
        If the file cannot be read, is not TOML, or a value is missing, mistyped or unsourced;
        the message names the file and the table.

    Examples
    --------
    >>> p = load_parameters()
    >>> p.gauge_change("transloading")[0] > 0
    True
    """
    p = Path(path) if path is not None else get_path("parameters.toml")
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"{p}: parameters file not found"
        raise ParameterError(msg) from None
    except tomllib.TOMLDecodeError as exc:
        msg = f"{p}: not valid TOML ({exc})"
        raise ParameterError(msg) from None
    if overrides:
        raw = merge_overrides(raw, overrides)
    _validate(raw, str(p))
    return Parameters(raw=raw, source=str(p), _file=str(p))
