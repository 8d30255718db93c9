"""The data schema of a corridors network: fields, types and allowed values.

This module is the code's copy of the schema documented in ``geodata/README.md``; a test
checks that the two agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "DATE_PATTERN",
    "ESTIMABLE_FIELDS",
    "GAUGES",
    "GAUGE_CHANGE_METHODS",
    "GEOMETRY_SOURCES",
    "MODES",
    "ROLES",
    "SEGMENT_FIELDS",
    "STATION_FIELDS",
    "STATUSES",
    "TRANSFERS",
    "WATER_MODES",
    "Field",
    "carrier_mode",
    "parse_date",
    "segment_carriers",
    "split_urls",
    "track_gauges",
]

#: Station roles.
ROLES = ("station", "junction", "border_station", "port", "dry_port")
#: Methods of changing between gauges at a station.
GAUGE_CHANGE_METHODS = ("transloading", "bogie_exchange")
#: Track gauges in millimetres; ``dual`` carries both 1520 mm and 1435 mm trains.
GAUGES = ("1520", "1435", "1676", "dual")
#: Where a feature's geometry comes from: traced along OpenStreetMap track, drawn through OpenStreetMap
#: station points, placed on an OpenStreetMap station node, or drawn from the cited sources.
GEOMETRY_SOURCES = ("osm_track", "osm_stations", "osm_node", "drawn")
#: Modes of transport a segment can be: rail, road, a ferry crossing (Caspian) or a sea leg.
MODES = ("rail", "road", "ferry", "sea")
#: Modes whose legs sail (priced by sailing time and departures, not by country).
WATER_MODES = ("ferry", "sea")
#: Changes of mode a station can offer (unordered pairs; the cargo moves either way).
TRANSFERS = ("rail-road", "rail-ferry", "rail-sea", "road-ferry", "road-sea")
#: Segment statuses, from built to merely announced.
STATUSES = ("operational", "under_construction", "planned", "proposed", "closed")
#: Fields that may be flagged as estimates in the ``estimated`` list.
ESTIMABLE_FIELDS = (
    "coordinates",
    "geometry",
    "opened",
    "expected_opening",
    "closed",
    "length_km",
    "gauge",
    "departures_per_week",
    "sailing_h",
    "status",
    "role",
)
#: Dates are ISO 8601 and only as precise as the source: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class Field:
    """One property of a station or segment feature.

    Attributes
    ----------
    name
        Property name in the data files.
    kind
        ``str``, ``float``, ``list`` (list of strings), ``urls`` (a list of links; a single string
        of links separated by ``;`` or spaces is read as that list), ``date`` (partial ISO date string).
    required
        Whether the property must be present and non-null.
    choices
        Allowed values (for ``str``) or allowed items (for ``list``); empty for free values.
    """

    name: str
    kind: str
    required: bool = True
    choices: tuple[str, ...] = ()


STATION_FIELDS = (
    Field("id", "str"),
    Field("name", "str"),
    Field("alt_names", "list", required=False),
    Field("country", "str"),
    Field("role", "str", choices=ROLES),
    Field("gauge_change", "list", required=False, choices=GAUGE_CHANGE_METHODS),
    Field("transfers", "list", required=False, choices=TRANSFERS),
    Field("source", "str"),
    Field("source_url", "urls", required=False),
    Field("estimated", "list", required=False, choices=ESTIMABLE_FIELDS),
    Field("geometry_source", "str", required=False, choices=GEOMETRY_SOURCES),
    Field("osm_ids", "list", required=False),
    Field("notes", "str", required=False),
)

SEGMENT_FIELDS = (
    Field("id", "str"),
    Field("name", "str", required=False),
    Field("from", "str"),
    Field("to", "str"),
    Field("mode", "str", required=False, choices=MODES),
    Field("gauge", "str", required=False, choices=GAUGES),
    Field("status", "str", choices=STATUSES),
    Field("opened", "date", required=False),
    Field("expected_opening", "date", required=False),
    Field("closed", "date", required=False),
    Field("length_km", "float", required=False),
    Field("departures_per_week", "float", required=False),
    Field("sailing_h", "float", required=False),
    Field("corridors", "list", required=False),
    Field("source", "str"),
    Field("source_url", "urls", required=False),
    Field("estimated", "list", required=False, choices=ESTIMABLE_FIELDS),
    Field("geometry_source", "str", required=False, choices=GEOMETRY_SOURCES),
    Field("osm_ids", "list", required=False),
    Field("notes", "str", required=False),
)


def parse_date(value: str) -> date:
    """Parse a partial ISO date to the first day of the period it names.

    Parameters
    ----------
    value
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Returns
    -------
    datetime.date
        The first day of that year, month or the day itself.

    Raises
    ------
    ValueError
        If the string is not such a date.

    Examples
    --------
    >>> parse_date("2016")
    datetime.date(2016, 1, 1)
    >>> parse_date("2023-09")
    datetime.date(2023, 9, 1)
    """
    m = DATE_PATTERN.match(str(value))
    if not m:
        msg = f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"
        raise ValueError(msg)
    year, month, day = m.groups()
    return date(int(year), int(month or 1), int(day or 1))


def track_gauges(gauge: str) -> tuple[str, ...]:
    """Return the gauges of train that can run on a segment of this gauge.

    Examples
    --------
    >>> track_gauges("dual")
    ('1520', '1435')
    >>> track_gauges("1676")
    ('1676',)
    """
    return ("1520", "1435") if gauge == "dual" else (gauge,)


def split_urls(value: str | list[str] | None) -> list[str]:
    """Links as a list: a list is kept, a string is split at ``;``, ``,`` followed by a scheme, or spaces.

    Examples
    --------
    >>> split_urls("https://a.org/x ; https://b.org/y")
    ['https://a.org/x', 'https://b.org/y']
    >>> split_urls(None), split_urls(["https://a.org"])
    ([], ['https://a.org'])
    """
    if value is None:
        return []
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    parts = re.split(r"\s*;\s*|\s+|,(?=\s*https?://)", value)
    return [p.strip() for p in parts if p.strip()]


def segment_carriers(mode: str | None, gauge: str | None) -> tuple[str, ...]:
    """What can move on a segment: the train gauges of a rail segment, else the mode itself.

    The routing state of a load is a station and a carrier; a change of carrier is a change of
    gauge (between two rail carriers) or of mode.

    Examples
    --------
    >>> segment_carriers("rail", "dual"), segment_carriers("ferry", None), segment_carriers(None, "1435")
    (('1520', '1435'), ('ferry',), ('1435',))
    """
    if mode in (None, "", "rail"):
        return track_gauges(str(gauge))
    return (str(mode),)


def carrier_mode(carrier: str) -> str:
    """The mode of a carrier: ``rail`` for a gauge, else the carrier itself.

    Examples
    --------
    >>> carrier_mode("1520"), carrier_mode("road")
    ('rail', 'road')
    """
    return carrier if carrier in MODES else "rail"
