"""The map style table: every colour, line style, marker and size used by :mod:`corridors.plot`.

Gauges differ by colour *and* line width so they stay distinguishable in greyscale print;
statuses differ by dash pattern. Change the look of every map here.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FONT", "GAUGE", "KEY_STATIONS", "MAP_CRS", "PALETTE", "ROLE", "STATUS", "STYLE", "style_key"]

#: Albers equal-area conic centred on Central Asia: areas true, shapes good over 20-56 N.
MAP_CRS = "+proj=aea +lat_1=28 +lat_2=46 +lat_0=37 +lon_0=66 +datum=WGS84 +units=m +no_defs"

#: Track gauge -> line colour and width (dark/thick vs mid/thin vs two-tone for dual).
GAUGE: dict[str, dict[str, Any]] = {
    "1520": {"color": "#1f3b73", "linewidth": 2.0, "label": "1520 mm (Russian gauge)"},
    "1435": {"color": "#c0392b", "linewidth": 1.3, "label": "1435 mm (standard gauge)"},
    "1676": {"color": "#7d3c98", "linewidth": 1.6, "label": "1676 mm (broad gauge)"},
    "dual": {"color": "#1f3b73", "linewidth": 2.4, "inner": "#c0392b", "label": "dual 1520/1435 mm"},
    # other modes, keyed by mode (see style_key)
    "road": {"color": "#a0522d", "linewidth": 1.0, "label": "road"},
    "ferry": {"color": "#1a8fbf", "linewidth": 1.4, "label": "ferry"},
    "sea": {"color": "#6fb7d9", "linewidth": 1.0, "label": "sea leg"},
}


def style_key(gauge: Any, mode: Any) -> str:
    """The key of a segment's line style in :data:`GAUGE`: its gauge on rail, else its mode.

    Examples
    --------
    >>> style_key("1520", "rail"), style_key(None, "ferry")
    ('1520', 'ferry')
    """
    return str(gauge) if mode in (None, "", "rail") else str(mode)


#: Segment status -> dash pattern and opacity.
STATUS: dict[str, dict[str, Any]] = {
    "operational": {"linestyle": "-", "alpha": 1.0, "label": "operational"},
    "under_construction": {"linestyle": (0, (5, 2)), "alpha": 0.95, "label": "under construction"},
    "planned": {"linestyle": (0, (1.5, 1.5)), "alpha": 0.9, "label": "planned"},
    "proposed": {"linestyle": (0, (0.6, 2.2)), "alpha": 0.85, "label": "proposed"},
    "closed": {"linestyle": (0, (4, 1.5, 1, 1.5)), "alpha": 0.5, "label": "closed"},
}

#: Station role -> marker. Gauge-change facilities get their own marker on top.
ROLE: dict[str, dict[str, Any]] = {
    "station": {"marker": "o", "size": 9, "color": "white", "edge": "#333333", "label": "station"},
    "junction": {"marker": "o", "size": 16, "color": "white", "edge": "#111111", "label": "junction"},
    "border_station": {"marker": "s", "size": 16, "color": "#f5d76e", "edge": "#333333", "label": "border station"},
    "port": {"marker": "^", "size": 30, "color": "#2e86c1", "edge": "#111111", "label": "sea or river port"},
    "dry_port": {"marker": "D", "size": 18, "color": "#a04000", "edge": "#111111", "label": "dry port"},
    "gauge_change": {
        "marker": "X",
        "size": 42,
        "color": "#e67e22",
        "edge": "#111111",
        "label": "gauge-change facility",
    },
}

#: Stations labelled first on network maps when they are drawn (capitals, main ports and hubs);
#: other labels follow by role (ports, junctions, gauge-change and border stations) and degree.
KEY_STATIONS = [
    "irn_tehran",
    "tkm_ashgabat",
    "uzb_tashkent",
    "tjk_dushanbe",
    "kaz_almaty",
    "chn_urumqi",
    "chn_kashgar",
    "irn_mashhad",
    "irn_bandar_abbas",
    "irn_chabahar",
    "afg_herat",
    "afg_naibabad",
    "uzb_termez",
    "irn_sarakhs",
    "tkm_turkmenbashi",
    "uzb_samarkand",
    "uzb_bukhara",
    "tjk_khujand",
    "kgz_osh",
    "aze_baku",
    "geo_tbilisi",
    "tur_kars",
    "irn_tabriz",
    "kaz_beyneu",
    "kaz_aktau_port",
    "pak_karachi_city",
    "pak_quetta",
    "chn_lanzhou",
    "kgz_bishkek",
]

#: Route colours (colour-blind-safe, from the Okabe-Ito palette), in order of use.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

FONT: dict[str, Any] = {
    "title": 13,
    "subtitle": 9.5,
    "label": 7,
    "country": 8.5,
    "legend": 7.2,
    "attribution": 6,
    "family": "DejaVu Sans",
}

STYLE: dict[str, Any] = {
    "land": "#f4f1ea",
    "land_focus": "#ebe6da",
    "border": "#8c8c8c",
    "border_width": 0.6,
    "sea": "#dfeaf2",
    "country_label": "#7a7a7a",
    "halo": "white",
    "route_width": 4.5,
    "route_alpha": 0.55,
    "figsize": (9.5, 7.0),
    "dpi": 300,
    "margin": 0.06,
    "attribution": (
        "Rail data: corridors project (geodata/, sources cited per feature). "
        "Borders: Natural Earth 1:10m (public domain). Projection: Albers equal-area, 28°N/46°N."
    ),
}
