"""Routing parameters and assumptions: speeds, border dwell and fees, gauge changes, tariffs.

Every number the routing engine uses comes from one TOML file, ``geodata/parameters.toml`` by
default, where each value carries its source or is marked as an assumption. A user changes an
assumption by editing that file or by passing overrides, never the code.
"""

from __future__ import annotations

import copy
import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridors._errors import ParameterError
from corridors._validate import Key, TomlChecker, show
from corridors.data import get_path
from corridors.schema import GAUGE_CHANGE_METHODS, GAUGES, MODES, STATUSES, TRANSFERS

__all__ = ["Parameters", "load_parameters", "merge_overrides", "parameter_problems"]

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
    "transfer",
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

    def _mode_table(self, section: str, mode: str, what: str) -> Mapping[str, Any]:
        table = self.raw[section].get(mode) if section in self.raw else None
        if not isinstance(table, Mapping) or "default" not in table:
            msg = f"{self.source}: no [{section}.{mode}.default] for {what} of {mode} legs; add it (with a source)"
            raise ParameterError(msg)
        return table

    def speed_kmh(self, *, segment: str, status: str, country: str, gauge: str, mode: str = "rail") -> float:
        """Commercial speed for a segment's kilometres in one country.

        Rail precedence: ``speed.by_segment`` > ``speed.by_status`` (for segments not operational
        today) > ``speed.by_country`` > ``speed.by_gauge`` > ``speed.default``. Other modes:
        ``speed.by_segment`` > ``speed.<mode>.by_country`` > ``speed.<mode>.default``.

        Raises
        ------
        ParameterError
            For a mode the parameters do not price.
        """
        sp = self.raw["speed"]
        if mode != "rail":
            if segment in sp.get("by_segment", {}):
                return float(sp["by_segment"][segment]["kmh"])
            table = self._mode_table("speed", mode, "the speed")
            return float(table.get("by_country", {}).get(country, table["default"])["kmh"])
        for table, key in (
            (sp.get("by_segment", {}), segment),
            (sp.get("by_status", {}) if status != "operational" else {}, status),
            (sp.get("by_country", {}), country),
            (sp.get("by_gauge", {}), gauge),
        ):
            if key in table:
                return float(table[key]["kmh"])
        return float(sp["default"]["kmh"])

    def tariff_per_km(self, country: str, mode: str = "rail") -> float:
        """Tariff in cost units per km in a country (``tariff[.<mode>].by_country`` or ``.default``)."""
        t = self.raw["tariff"] if mode == "rail" else self._mode_table("tariff", mode, "the tariff")
        return float(t.get("by_country", {}).get(country, t["default"])["usd_per_km"])

    def segments_with_fare(self) -> set[str]:
        """Segment ids with a fare of their own (``tariff.by_segment``)."""
        return set(self.raw["tariff"].get("by_segment", {}))

    def segments_with_speed(self) -> set[str]:
        """Segment ids with a speed of their own (``speed.by_segment``)."""
        return set(self.raw["speed"].get("by_segment", {}))

    def has_crossing(self, segment: str, mode: str = "rail") -> bool:
        """Whether a segment has its own border values (``border[.<mode>].crossings``)."""
        bd = self.raw["border"] if mode == "rail" else self.raw["border"].get(mode, {})
        return segment in bd.get("crossings", {})

    def segment_fare(self, segment: str) -> float | None:
        """A segment's own fare (``tariff.by_segment.<id>.usd``, e.g. a ferry rate), or None."""
        t = self.raw["tariff"].get("by_segment", {}).get(segment)
        return None if t is None else float(t["usd"])

    def transfer(self, pair: str) -> tuple[float, float]:
        """Time (h) and cost of a change of mode at a terminal, e.g. ``"rail-road"``.

        Raises
        ------
        ParameterError
            If the parameters do not price that change.
        """
        t = self.raw.get("transfer", {}).get(pair)
        if not isinstance(t, Mapping):
            msg = f'{self.source}: no [transfer."{pair}"] for the change of mode {pair}; add it (with a source)'
            raise ParameterError(msg)
        return float(t["time_h"]), float(t["cost_usd"])

    def border(self, a: str, b: str, *, segment: str = "", mode: str = "rail") -> tuple[float, float, str]:
        """Dwell hours, fee and the table used for a crossing between countries ``a`` and ``b``.

        Precedence: ``border[.<mode>].crossings.<segment id>`` > ``border[.<mode>].pairs."A-B"``
        (ISO3 in alphabetical order) > ``border[.<mode>].default``; rail uses the tables directly
        under ``border``.
        """
        bd = self.raw["border"] if mode == "rail" else self._mode_table("border", mode, "border crossings")
        pre = "border" if mode == "rail" else f"border.{mode}"
        pair = "-".join(sorted((a, b)))
        for table, key, label in (
            (bd.get("crossings", {}), segment, f"{pre}.crossings.{segment}"),
            (bd.get("pairs", {}), pair, f"{pre}.pairs.{pair}"),
        ):
            if key in table:
                return float(table[key]["dwell_h"]), float(table[key]["fee_usd"]), label
        return float(bd["default"]["dwell_h"]), float(bd["default"]["fee_usd"]), f"{pre}.default"

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


_META = {"source", "source_url", "assumption", "note"}
_ISO3 = re.compile(r"^[A-Z]{3}$")
_PAIR = re.compile(r"^([A-Z]{3})-([A-Z]{3})$")
_REQUIRED = ("speed", "border", "gauge_change", "tariff", "value_of_time")
#: Modes with their own speed, border and tariff tables (rail's are the tables themselves).
_OTHER_MODES = tuple(m for m in MODES if m != "rail")


def _leaf(c: TomlChecker, value: Any, key: Key, numbers: Mapping[str, str]) -> None:
    """Check one sourced table: its numbers (``"positive"`` or ``"nonneg"``), its source or assumption."""
    t = c.table(value, key)
    if t is None:
        return
    c.unknown(t, {*numbers, *_META}, key)
    for name, rule in numbers.items():
        if name not in t:
            c.add((*key, name), "is required but missing")
        elif rule == "positive":
            c.number(t[name], (*key, name), positive=True)
        elif rule == "share":
            c.number(t[name], (*key, name), low=0.0, high=1.0)
        elif rule == "basis":
            c.string(t[name], (*key, name), choices=("documented", "geometry"))
        else:
            c.number(t[name], (*key, name), low=0.0)
    for name in ("source", "note"):
        if name in t:
            c.string(t[name], (*key, name))
    if "source_url" in t and not isinstance(t["source_url"], str):
        c.strings(t["source_url"], (*key, "source_url"))
    assumed = c.boolean(t["assumption"], (*key, "assumption")) if "assumption" in t else None
    if not (isinstance(t.get("source"), str) and t["source"].strip()) and assumed is not True:
        c.add(key, "has neither a 'source' nor 'assumption = true'; every number needs one")


def _named(
    c: TomlChecker,
    value: Any,
    key: Key,
    numbers: Mapping[str, str],
    names: re.Pattern[str] | None = None,
    choices: tuple[str, ...] = (),
    what: str = "",
) -> None:
    """Check a table of sourced tables keyed by name (a country, a gauge, a status, ...)."""
    t = c.table(value, key)
    if t is None:
        return
    for name, leaf in t.items():
        if choices and name not in choices:
            close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else f"; use one of {', '.join(choices)}"
            c.add((*key, name), f"{name!r} is not {what}{hint}")
            continue
        if names is not None and not names.match(name):
            c.add((*key, name), f"{name!r} is not {what}")
            continue
        _leaf(c, leaf, (*key, name), numbers)


def _mode_tables(c: TomlChecker, value: Any, key: Key, numbers: Mapping[str, str]) -> None:
    """A mode's own table: ``default`` and ``by_country`` (speeds or tariffs of road, ferry, sea)."""
    t = c.table(value, key)
    if t is None:
        return
    c.unknown(t, {"default", "by_country"}, key)
    if "default" in t:
        _leaf(c, t["default"], (*key, "default"), numbers)
    else:
        c.add((*key, "default"), f"missing table [{'.'.join(map(str, key))}.default]")
    _named(c, t.get("by_country", {}), (*key, "by_country"), numbers, _ISO3, what="an ISO3 code like AFG")


def _border_tables(c: TomlChecker, bd: Mapping[str, Any], key: Key, *, modes: bool) -> None:
    """Border tables (of rail, or of one other mode): ``default``, ``pairs``, ``crossings``."""
    crossing = {"dwell_h": "nonneg", "fee_usd": "nonneg"}
    c.unknown(bd, {"default", "pairs", "crossings", *(_OTHER_MODES if modes else ())}, key)
    if "default" in bd:
        _leaf(c, bd["default"], (*key, "default"), crossing)
    else:
        c.add((*key, "default"), f"missing table [{'.'.join(map(str, key))}.default]")
    pairs = c.table(bd.get("pairs", {}), (*key, "pairs"))
    for name, leaf in (pairs or {}).items():
        m = _PAIR.match(name)
        if not m or m.group(1) == m.group(2):
            c.add((*key, "pairs", name), f'{name!r} is not two different ISO3 codes like "AFG-IRN"')
        elif m.group(1) > m.group(2):
            c.add(
                (*key, "pairs", name),
                f'write the pair in alphabetical order, "{m.group(2)}-{m.group(1)}" (as written it is never used)',
            )
        else:
            _leaf(c, leaf, (*key, "pairs", name), crossing)
    _named(c, bd.get("crossings", {}), (*key, "crossings"), crossing)


def parameter_problems(raw: Mapping[str, Any], c: TomlChecker, prefix: Key = ()) -> None:
    """Check parameter tables against the documented format, adding every problem to ``c``.

    Parameters
    ----------
    raw
        The tables as read (after overrides).
    c
        Where problems are gathered (file, line, key and value in each message).
    prefix
        Prepended to every key (``("parameters",)`` for a scenario's overrides).
    """
    c.unknown(raw, _TOP, prefix)
    for name in _REQUIRED:
        if name not in raw:
            c.add((*prefix, name), f"missing table [{name}]")
    if "units" in raw and (units := c.table(raw["units"], (*prefix, "units"))) is not None:
        c.unknown(units, {"cost", "time"}, (*prefix, "units"))
        for name, value in units.items():
            if name in ("cost", "time"):
                c.string(value, (*prefix, "units", name), nonempty=True)
    if "speed" in raw and (sp := c.table(raw["speed"], (*prefix, "speed"))) is not None:
        key = (*prefix, "speed")
        c.unknown(sp, {"default", "by_gauge", "by_country", "by_status", "by_segment", *_OTHER_MODES}, key)
        kmh = {"kmh": "positive"}
        if "default" in sp:
            _leaf(c, sp["default"], (*key, "default"), kmh)
        else:
            c.add((*key, "default"), "missing table [speed.default]")
        _named(c, sp.get("by_gauge", {}), (*key, "by_gauge"), kmh, choices=GAUGES, what="a gauge")
        _named(c, sp.get("by_country", {}), (*key, "by_country"), kmh, _ISO3, what="an ISO3 code like AFG")
        statuses = tuple(s for s in STATUSES if s != "operational")
        _named(c, sp.get("by_status", {}), (*key, "by_status"), kmh, choices=statuses, what="a status used here")
        _named(c, sp.get("by_segment", {}), (*key, "by_segment"), kmh)
        for mode in _OTHER_MODES:
            if mode in sp:
                _mode_tables(c, sp[mode], (*key, mode), kmh)
    if "border" in raw and (bd := c.table(raw["border"], (*prefix, "border"))) is not None:
        _border_tables(c, bd, (*prefix, "border"), modes=True)
        for mode in _OTHER_MODES:
            if mode in bd and (t := c.table(bd[mode], (*prefix, "border", mode))) is not None:
                _border_tables(c, t, (*prefix, "border", mode), modes=False)
    if "gauge_change" in raw and (gc := c.table(raw["gauge_change"], (*prefix, "gauge_change"))) is not None:
        key = (*prefix, "gauge_change")
        c.unknown(gc, set(GAUGE_CHANGE_METHODS), key)
        for method in GAUGE_CHANGE_METHODS:
            if method in gc:
                _leaf(c, gc[method], (*key, method), {"time_h": "nonneg", "cost_usd": "nonneg"})
            else:
                c.add((*key, method), f"missing table [gauge_change.{method}]")
    if "tariff" in raw and (tr := c.table(raw["tariff"], (*prefix, "tariff"))) is not None:
        key = (*prefix, "tariff")
        c.unknown(tr, {"default", "by_country", "by_segment", *_OTHER_MODES}, key)
        per_km = {"usd_per_km": "nonneg"}
        if "default" in tr:
            _leaf(c, tr["default"], (*key, "default"), per_km)
        else:
            c.add((*key, "default"), "missing table [tariff.default]")
        _named(c, tr.get("by_country", {}), (*key, "by_country"), per_km, _ISO3, what="an ISO3 code like AFG")
        _named(c, tr.get("by_segment", {}), (*key, "by_segment"), {"usd": "nonneg"})
        for mode in _OTHER_MODES:
            if mode in tr:
                _mode_tables(c, tr[mode], (*key, mode), per_km)
    if "transfer" in raw and (tf := c.table(raw["transfer"], (*prefix, "transfer"))) is not None:
        _named(
            c,
            tf,
            (*prefix, "transfer"),
            {"time_h": "nonneg", "cost_usd": "nonneg"},
            choices=TRANSFERS,
            what="a change of mode",
        )
    if "value_of_time" in raw:
        _leaf(c, raw["value_of_time"], (*prefix, "value_of_time"), {"usd_per_h": "nonneg"})
    if "country_groups" in raw and (groups := c.table(raw["country_groups"], (*prefix, "country_groups"))):
        for name, g in groups.items():
            key = (*prefix, "country_groups", name)
            if (t := c.table(g, key)) is None:
                continue
            c.unknown(t, {"members", *_META}, key)
            members = t.get("members")
            if (
                not isinstance(members, list)
                or not members
                or not all(isinstance(m, str) and _ISO3.match(m) for m in members)
            ):
                c.add((*key, "members"), f'must be a non-empty array of ISO3 codes like "AFG", got {show(members)}')
    if "routing" in raw and (rt := c.table(raw["routing"], (*prefix, "routing"))) is not None:
        key = (*prefix, "routing")
        rules = {"alternatives_max_overlap": "share", "country_passage_min_km": "nonneg", "length_basis": "basis"}
        c.unknown(rt, set(rules), key)
        for name, rule in rules.items():
            if name in rt:
                _leaf(c, rt[name], (*key, name), {"value": rule})
    if "meta" in raw:
        c.table(raw["meta"], (*prefix, "meta"))


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
        text = p.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        msg = f"{p}: parameters file not found"
        raise ParameterError(msg) from None
    except IsADirectoryError:
        msg = f"{p}: is a folder, not a parameters file"
        raise ParameterError(msg) from None
    except UnicodeDecodeError as exc:
        msg = f"{p}: not UTF-8 text ({exc.reason})"
        raise ParameterError(msg) from None
    except tomllib.TOMLDecodeError as exc:
        msg = f"{p}: not valid TOML ({exc})"
        raise ParameterError(msg) from None
    if overrides:
        raw = merge_overrides(raw, overrides)
    c = TomlChecker(p, text)
    parameter_problems(raw, c)
    if c.problems:
        msg = f"{len(c.problems)} problem(s) in the parameters:\n  " + "\n  ".join(c.problems)
        raise ParameterError(msg)
    from corridors.services import check_services

    check_services(raw, str(p))
    return Parameters(raw=raw, source=str(p), _file=str(p))
