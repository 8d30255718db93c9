"""Checks of network data. Every check gathers all the problems it finds before reporting."""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
from shapely.geometry import Point

from corridors.geo import point_distance_km
from corridors.schema import (
    DATE_PATTERN,
    GAUGE_CHANGE_METHODS,
    WATER_MODES,
    Field,
    parse_date,
    split_urls,
    track_gauges,
)

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "Problem",
    "TomlChecker",
    "check_network",
    "check_records",
    "country_problem",
    "date_range_problem",
    "network_countries",
    "show",
    "toml_lines",
]

#: A segment end further than this from its station is an error (km).
END_TOLERANCE_KM = 1.0
#: A station further than this outside its declared country is an error (km); Natural Earth
#: 1:10m borders are accurate to a few hundred metres, border stations sit on them.
COUNTRY_TOLERANCE_KM = 5.0
#: A segment running more than this through a country neither of its stations is in is reported
#: (km): usually a waypoint on the wrong side of a border river.
THIRD_COUNTRY_KM = 5.0
#: Geodesic vs documented length: larger relative differences are reported.
LENGTH_TOLERANCE = 0.15


@dataclass(frozen=True)
class Problem:
    """One problem found in the data.

    Attributes
    ----------
    severity
        ``"error"`` (the data is wrong or unusable) or ``"warning"`` (worth a look).
    file
        The file name.
    kind
        ``"station"``, ``"segment"`` or ``"network"``.
    feature
        The feature id (or ``#N`` for the N-th feature when it has no id).
    field
        The property concerned, or ``None``.
    message
        What is wrong, with the bad value.
    """

    severity: str
    file: str
    kind: str
    feature: str
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.kind} {self.feature!r}" if self.feature else f"{self.file}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{self.severity}: {where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """Return the problem as a plain dict (for JSON output)."""
        return dict(self.__dict__)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _check_value(field: Field, value: Any) -> str | None:
    """Return a message if ``value`` does not fit ``field``, else None."""
    if _missing(value):
        return "is required but missing or empty" if field.required else None
    if field.kind == "str":
        if not isinstance(value, str):
            return f"must be a string, got {type(value).__name__} {value!r}"
        if field.choices and value not in field.choices:
            return f"{value!r} is not one of {', '.join(field.choices)}"
    elif field.kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"must be a number, got {type(value).__name__} {value!r}"
        if not math.isfinite(value) or value <= 0:
            return f"must be a positive finite number, got {value!r}"
    elif field.kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"must be a list of strings, got {value!r}"
        bad = [v for v in value if field.choices and v not in field.choices]
        if bad:
            return f"{', '.join(map(repr, bad))} not allowed; use {', '.join(field.choices)}"
    elif field.kind == "urls":
        items = value if isinstance(value, list) else [value]
        if not isinstance(value, str | list) or not all(isinstance(v, str) for v in items):
            return f"must be a list of links (or one string of links), got {value!r}"
        bad = [u for u in split_urls(value) if not u.startswith(("http://", "https://"))]
        if bad:
            return f"{', '.join(map(repr, bad[:3]))} is not a link (http:// or https://)"
    elif field.kind == "date":
        if not isinstance(value, str) or not DATE_PATTERN.match(value):
            return f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"
        try:
            day = parse_date(value)
        except ValueError:
            return f"{value!r} is not a valid calendar date"
        return date_range_problem(day)
    return None


def check_records(
    records: list[dict[str, Any]],
    fields: tuple[Field, ...],
    *,
    file: str,
    kind: str,
    geom_type: str,
) -> list[Problem]:
    """Check raw feature records (properties plus ``geometry``) against the schema.

    Parameters
    ----------
    records
        One dict per feature: its properties, plus ``geometry`` (a shapely geometry or None)
        and ``_geometry_error`` when the geometry could not be read.
    fields
        The schema (:data:`corridors.schema.STATION_FIELDS` or ``SEGMENT_FIELDS``).
    file, kind
        Used in the messages.
    geom_type
        The required geometry type (``"Point"`` or ``"LineString"``).

    Returns
    -------
    list of Problem
        Schema, type, enum, duplicate-id and geometry-type errors; unknown properties as warnings.
    """
    problems: list[Problem] = []
    known = {f.name for f in fields} | {"geometry", "_geometry_error"}
    ids = Counter(r.get("id") for r in records if isinstance(r.get("id"), str))
    for i, rec in enumerate(records):
        fid: str = rec["id"] if isinstance(rec.get("id"), str) and rec.get("id") else f"#{i}"

        def add(field: str | None, msg: str, severity: str = "error", fid: str = fid) -> None:
            problems.append(Problem(severity, file, kind, fid, field, msg))

        for field in fields:
            msg = _check_value(field, rec.get(field.name))
            if msg:
                add(field.name, msg)
        for extra in sorted(set(rec) - known):
            add(extra, "unknown property (not in the schema; see geodata/README.md)", "warning")
        if isinstance(rec.get("id"), str) and ids[rec["id"]] > 1:
            add("id", f"duplicate id: {ids[rec['id']]} features share it")
        geom = rec.get("geometry")
        if rec.get("_geometry_error"):
            add("geometry", f"cannot be read: {rec['_geometry_error']}")
        elif geom is None:
            add("geometry", f"missing; a {kind} needs a {geom_type}")
        elif geom.geom_type != geom_type:
            add("geometry", f"must be a {geom_type}, got {geom.geom_type}")
        elif geom.is_empty:
            add("geometry", "is empty")
        elif not all(math.isfinite(v) for xy in geom.coords for v in xy):
            add("geometry", "has a coordinate that is not a finite number (NaN or infinity)")
        elif not geom.is_valid:
            add("geometry", "is invalid")
        elif geom_type == "LineString" and geom.length == 0:
            add("geometry", "has zero length")
        elif any(not (-180 <= x <= 180 and -90 <= y <= 90) for x, y in geom.coords):
            add("geometry", "has coordinates outside longitude -180..180 / latitude -90..90")
    return problems


def check_references(stations: set[str], segments: list[dict[str, Any]], *, file: str) -> list[Problem]:
    """Check that every segment's ``from``/``to`` names a known station; suggest close ids."""
    problems = []
    for i, seg in enumerate(segments):
        fid = seg.get("id") or f"#{i}"
        for end in ("from", "to"):
            sid = seg.get(end)
            if isinstance(sid, str) and sid and sid not in stations:
                close = difflib.get_close_matches(sid, stations, n=3)
                hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
                problems.append(Problem("error", file, "segment", fid, end, f"unknown station {sid!r}{hint}"))
        if seg.get("from") and seg.get("from") == seg.get("to"):
            problems.append(Problem("error", file, "segment", fid, "to", "segment starts and ends at the same station"))
        mode = seg.get("mode") or "rail"
        if mode == "rail" and _missing(seg.get("gauge")):
            problems.append(Problem("error", file, "segment", fid, "gauge", "is required for a rail segment"))
        if mode in WATER_MODES and _missing(seg.get("departures_per_week")):
            problems.append(
                Problem("error", file, "segment", fid, "departures_per_week", f"is required for a {mode} leg")
            )
    return problems


def check_network(
    stations: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    *,
    station_file: str,
    segment_file: str,
    today: date,
) -> list[Problem]:
    """Check a structurally valid network for inconsistencies.

    Checks segment ends against station positions, stations against their country polygon,
    geodesic against documented length, status against dates, breaks of gauge at stations
    without a gauge-change facility, and summarises connectivity.

    Returns
    -------
    list of Problem
    """
    problems: list[Problem] = []
    st = stations.set_index("id")

    for sid, row in st.iterrows():
        code = row["country"]
        if code not in countries.index:
            problems.append(
                Problem("error", station_file, "station", str(sid), "country", f"unknown country code {code!r}")
            )
            continue
        poly = countries.loc[code, "geometry"]
        pt: Point = row.geometry
        if not poly.contains(pt):
            nearest = poly.exterior if poly.geom_type == "Polygon" else poly.boundary
            q = nearest.interpolate(nearest.project(pt))
            d = point_distance_km(pt.x, pt.y, q.x, q.y)
            if d > COUNTRY_TOLERANCE_KM:
                inside = countries[countries.contains(pt)].index.tolist()
                where = f"it lies in {inside[0]}" if inside else "it lies in no country polygon"
                problems.append(
                    Problem(
                        "error",
                        station_file,
                        "station",
                        str(sid),
                        "geometry",
                        f"{d:.1f} km outside its country {code} ({where}; tolerance {COUNTRY_TOLERANCE_KM} km)",
                    )
                )

    from corridors.data import corridor_names

    known_corridors = corridor_names()
    gauges_at: dict[str, set[str]] = {}
    unknown_opened: list[str] = []
    for _, seg in segments.iterrows():
        sid = seg["id"]

        def flag(severity: str, field: str, msg: str, sid: str = sid) -> None:
            problems.append(Problem(severity, segment_file, "segment", sid, field, msg))

        for c in seg["corridors"]:
            if c not in known_corridors:
                close = difflib.get_close_matches(c, list(known_corridors), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                flag("warning", "corridors", f"unknown corridor id {c!r} (not in geodata/corridors.toml){hint}")
        coords = list(seg.geometry.coords)
        for end, (x, y) in (("from", coords[0]), ("to", coords[-1])):
            station = st.loc[seg[end]]
            d = point_distance_km(x, y, station.geometry.x, station.geometry.y)
            if d > END_TOLERANCE_KM:
                flag(
                    "error",
                    "geometry",
                    f"its {end} end is {d:.1f} km from station {seg[end]!r} (tolerance {END_TOLERANCE_KM} km)",
                )
        doc = seg["length_km"]
        if doc is not None and not (isinstance(doc, float) and math.isnan(doc)):
            ratio = seg["length_geodesic_km"] / doc
            if abs(ratio - 1) > LENGTH_TOLERANCE:
                flag(
                    "warning",
                    "length_km",
                    f"documented {doc:g} km but the geometry measures {seg['length_geodesic_km']:.1f} km "
                    f"({(ratio - 1) * 100:+.0f} %)",
                )
        ends = {st.loc[seg["from"], "country"], st.loc[seg["to"], "country"]}
        for country, km in seg["km_by_country"].items():
            if country not in ends and km > THIRD_COUNTRY_KM:
                flag(
                    "warning",
                    "geometry",
                    f"runs {km:.1f} km through {country}, where neither of its stations is "
                    f"({' and '.join(sorted(ends))}); check the alignment",
                )
        status, opened = seg["status"], seg["opened"]
        if status in ("operational", "closed") and not opened:
            if "opened" in seg["estimated"]:
                unknown_opened.append(sid)
            else:
                flag("error", "opened", f"status is {status} but no opening date")
        if status == "operational" and opened and parse_date(opened) > today:
            flag("error", "opened", f"status is operational but it opens in the future ({opened})")
        if status in ("under_construction", "planned", "proposed") and opened:
            flag("error", "opened", f"status is {status} but it has an opening date ({opened}); use expected_opening")
        if status == "closed" and not seg["closed"]:
            flag("warning", "closed", "status is closed but no closing date")
        exp = seg["expected_opening"]
        if status in ("under_construction", "planned") and exp and parse_date(exp) < date(today.year, 1, 1):
            flag("warning", "expected_opening", f"expected opening {exp} has passed; is the status current?")
        if seg.get("mode", "rail") != "rail":
            continue
        for end in ("from", "to"):
            gauges_at.setdefault(seg[end], set()).update(
                track_gauges(seg["gauge"]) if seg["gauge"] != "dual" else {"dual"}
            )

    if unknown_opened:
        # One line, not one per segment: an OpenStreetMap import can hold thousands of them.
        problems.append(
            Problem(
                "warning",
                segment_file,
                "network",
                "",
                "opened",
                f"{len(unknown_opened)} operational or closed segment(s) have an unknown opening date "
                f"('opened' empty and listed in 'estimated'); they count as open on every date: "
                f"{', '.join(unknown_opened[:5])}{' ...' if len(unknown_opened) > 5 else ''}",
            )
        )
    for sid, gauges in sorted(gauges_at.items()):
        plain = gauges - {"dual"}
        if len(plain) > 1 and not set(st.loc[sid, "gauge_change"]) & set(GAUGE_CHANGE_METHODS):
            problems.append(
                Problem(
                    "warning",
                    station_file,
                    "station",
                    sid,
                    "gauge_change",
                    f"segments of gauges {', '.join(sorted(plain))} meet here but the station has no gauge-change "
                    "facility, so no train or load can pass between them",
                )
            )

    g = nx.Graph()
    g.add_nodes_from(st.index)
    g.add_edges_from(zip(segments["from"], segments["to"], strict=True))
    comps = sorted(nx.connected_components(g), key=len, reverse=True)
    isolated = [n for n in g if g.degree(n) == 0]
    for n in isolated:
        problems.append(Problem("warning", station_file, "station", n, None, "no segment reaches this station"))
    if len(comps) - len(isolated) > 1:
        small = [sorted(c) for c in comps[1:] if len(c) > 1]
        problems.append(
            Problem(
                "warning",
                segment_file,
                "network",
                "",
                None,
                f"the network (all statuses) falls into {len(comps) - len(isolated)} parts; "
                f"the smaller ones hold {'; '.join(', '.join(c[:4]) + (' ...' if len(c) > 4 else '') for c in small)}",
            )
        )
    return problems


# --------------------------------------------------------------------------------------------
# Dates, countries and TOML files (parameters, scenarios, options)
# --------------------------------------------------------------------------------------------
#: Dates accepted anywhere (data, files, command line): years in this range, both included.
MIN_YEAR, MAX_YEAR = 1800, 2200

#: A key in a TOML document: table names, array indices and the key, e.g. ``("option", 0, "from")``.
Key = tuple[str | int, ...]


def date_range_problem(day: date) -> str | None:
    """A message if ``day`` lies outside the years :data:`MIN_YEAR` to :data:`MAX_YEAR`, else None.

    Examples
    --------
    >>> date_range_problem(date(9999, 12, 31))
    '9999-12-31 is outside the years 1800 to 2200'
    """
    if MIN_YEAR <= day.year <= MAX_YEAR:
        return None
    return f"{day.isoformat()} is outside the years {MIN_YEAR} to {MAX_YEAR}"


def network_countries(*frames: Any) -> set[str]:
    """The countries of a network: its stations' countries and the countries its segments run through.

    Parameters
    ----------
    *frames
        Networks (anything with ``stations`` and ``segments`` frames); ``None`` is skipped.
    """
    out: set[str] = set()
    for net in frames:
        if net is None:
            continue
        out |= {str(c) for c in net.stations["country"]}
        if "km_by_country" in net.segments.columns:
            out |= {str(c) for parts in net.segments["km_by_country"] for c in parts}
    return out


def country_problem(code: Any, known: set[str]) -> str | None:
    """A message if ``code`` is not one of the ``known`` ISO3 codes (close codes suggested), else None.

    Examples
    --------
    >>> country_problem("TKN", {"TKM", "TJK", "IRN"})
    "'TKN' is not a country of the network; did you mean TKM?"
    >>> country_problem("irn", {"IRN"}) is None
    True
    """
    if not isinstance(code, str):
        return f"{show(code)} is not an ISO3 country code (a string like AFG)"
    if code.upper() in known:
        return None
    close = difflib.get_close_matches(code.upper(), sorted(known), n=1, cutoff=0.5)
    if close:
        hint = f"; did you mean {', '.join(close)}?"
    else:
        hint = f"; the network's countries are {', '.join(sorted(known))}"
    return f"{code!r} is not a country of the network{hint}"


def show(value: Any, limit: int = 80) -> str:
    """A value as a message shows it: its type and a shortened repr.

    Examples
    --------
    >>> show("false"), show(1.5)
    ("string 'false'", 'number 1.5')
    """
    kinds = {bool: "boolean", str: "string", int: "number", float: "number", list: "array", dict: "table"}
    kind = next((k for t, k in kinds.items() if type(value) is t), type(value).__name__)
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{kind} {text}"


def key_name(key: Key) -> str:
    """A key as written in messages: ``option[0].from``, ``speed.by_gauge."1520".kmh``.

    Examples
    --------
    >>> key_name(("option", 0, "from")), key_name(("speed", "by_gauge", "1520", "kmh"))
    ('option[0].from', 'speed.by_gauge."1520".kmh')
    """
    out = ""
    for part in key:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if part.replace("_", "a").replace("-", "a").isalnum() and not part.isdigit() else f'"{part}"'
            out += ("." if out else "") + text
    return out


def _split_dotted(text: str) -> list[str]:
    parts, cur, quote = [], "", ""
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
            else:
                cur += ch
        elif ch in "\"'":
            quote = ch
        elif ch == ".":
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return parts


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_LINE = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def toml_lines(text: str) -> dict[Key, int]:
    r"""Where each table and key of a TOML document is written: key path -> 1-based line.

    Arrays of tables count their entries (``[[option]]`` gives ``("option", 0)``,
    ``("option", 1)``, ...). Used only to point messages at a line; unusual layouts
    (keys inside multi-line values) are simply not found.

    Examples
    --------
    >>> toml_lines('a = 1\n[[o]]\nx = 2\n[[o]]\nx = 3')[("o", 1, "x")]
    5
    """
    lines: dict[Key, int] = {}
    counts: dict[Key, int] = {}
    table: Key = ()
    for n, line in enumerate(text.splitlines(), 1):
        m = _HEADER.match(line)
        if m and not _KEY_LINE.match(line):
            path: Key = tuple(_split_dotted(m.group(2)))
            if m.group(1) == "[[":
                i = counts.get(path, 0)
                counts[path] = i + 1
                path = (*path, i)
            table = path
            lines.setdefault(table, n)
            continue
        k = _KEY_LINE.match(line)
        if k:
            lines.setdefault((*table, *_split_dotted(k.group(1))), n)
    return lines


class TomlChecker:
    """Checks of one TOML file's values, gathering every problem with file, line, key and value.

    Parameters
    ----------
    path
        The file, for messages.
    text
        Its text, to find the line of each key.

    Examples
    --------
    >>> c = TomlChecker("x.toml", "expected = 'no'")
    >>> c.boolean("no", ("expected",)) is None
    True
    >>> c.problems
    ["x.toml, line 1, key 'expected': must be true or false, got string 'no'"]
    """

    def __init__(self, path: str | Path, text: str) -> None:
        self.path = str(path)
        self.lines = toml_lines(text)
        self.problems: list[str] = []

    def line(self, key: Key) -> int | None:
        """The line of ``key`` or of the nearest enclosing table found, else None."""
        for n in range(len(key), 0, -1):
            if key[:n] in self.lines:
                return self.lines[key[:n]]
        return None

    def add(self, key: Key, msg: str) -> None:
        """Record a problem with ``key``."""
        line = self.line(key)
        where = self.path + (f", line {line}" if line else "") + (f", key {key_name(key)!r}" if key else "")
        self.problems.append(f"{where}: {msg}")

    def unknown(self, table: Mapping[str, Any], allowed: Iterable[str], key: Key = ()) -> None:
        """Report every key of ``table`` not in ``allowed``, with the closest allowed name."""
        names = sorted(allowed)
        for name in sorted(set(table) - set(names)):
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(names)}"
            self.add((*key, name), f"unknown key{hint}")

    def table(self, value: Any, key: Key) -> dict[str, Any] | None:
        """``value`` if it is a table, else None (reported)."""
        if isinstance(value, dict):
            return value
        self.add(key, f"must be a table, got {show(value)}")
        return None

    def tables(self, value: Any, key: Key) -> list[tuple[int, dict[str, Any]]]:
        """The tables of an array of tables (``[[name]]``) with their indices; anything else reported."""
        if not isinstance(value, list):
            self.add(key, f"must be an array of tables ([[{key_name(key)}]]), got {show(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                out.append((i, item))
            else:
                self.add((*key, i), f"must be a table, got {show(item)}")
        return out

    def number(
        self,
        value: Any,
        key: Key,
        *,
        low: float | None = None,
        high: float | None = None,
        positive: bool = False,
    ) -> float | None:
        """``value`` as a float if it is a finite number in range, else None (reported)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(key, f"must be a number, got {show(value)}")
            return None
        x = float(value)
        if not math.isfinite(x):
            self.add(key, f"must be a finite number, got {value!r}")
            return None
        if positive and x <= 0:
            self.add(key, f"must be greater than 0, got {value!r}")
            return None
        if (low is not None and x < low) or (high is not None and x > high):
            span = f"between {low:g} and {high:g}" if low is not None and high is not None else f"at least {low:g}"
            if low is None and high is not None:
                span = f"at most {high:g}"
            self.add(key, f"must be {span}, got {value!r}")
            return None
        return x

    def boolean(self, value: Any, key: Key) -> bool | None:
        """``value`` if it is a TOML boolean, else None (reported; ``"false"`` is not a boolean)."""
        if isinstance(value, bool):
            return value
        self.add(key, f"must be true or false, got {show(value)}")
        return None

    def string(self, value: Any, key: Key, *, choices: Iterable[str] = (), nonempty: bool = False) -> str | None:
        """``value`` if it is a string (one of ``choices`` when given), else None (reported)."""
        if not isinstance(value, str):
            self.add(key, f"must be a string, got {show(value)}")
            return None
        allowed = list(choices)
        if allowed and value not in allowed:
            close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.add(key, f"{value!r} is not one of {', '.join(allowed)}{hint}")
            return None
        if nonempty and not value.strip():
            self.add(key, "must not be empty")
            return None
        return value

    def strings(self, value: Any, key: Key) -> list[str] | None:
        """``value`` if it is an array of strings, else None (reported)."""
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(key, f"must be an array of strings, got {show(value)}")
            return None
        return list(value)

    def date(self, value: Any, key: Key) -> date | None:
        """A date from a TOML date or an ISO string (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``), else None (reported).

        Dates outside the years :data:`MIN_YEAR` to :data:`MAX_YEAR` are reported too.
        """
        if isinstance(value, datetime) or (not isinstance(value, date) and not isinstance(value, str)):
            self.add(key, f"must be a date like 2030-01-01, got {show(value)}")
            return None
        if isinstance(value, str):
            try:
                day = parse_date(value)
            except ValueError:
                self.add(key, f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
                return None
        else:
            day = value
        msg = date_range_problem(day)
        if msg:
            self.add(key, msg)
            return None
        return day
