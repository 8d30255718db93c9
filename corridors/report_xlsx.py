"""The comparison report as an Excel workbook (``report.xlsx``), written with openpyxl.

Sheets: ``options`` (the summary table), ``by date`` (one row per date, the options side by
side), ``assumptions``, ``sources`` (one hyperlink per URL) and ``timeline``. Numbers are
numbers, dates are dates, header rows are frozen and filterable, columns are sized to read.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from corridors.report import HEADERS, Report, split_urls
from corridors.schema import DATE_PATTERN

__all__ = ["workbook_sheets", "write_workbook"]

_HEADER_FILL = PatternFill("solid", fgColor="F0F0F0")
_BEST_FILL = PatternFill("solid", fgColor="E8F4EA")
_INTEGER_COLUMNS = {"km", "cost (USD/TEU)", "generalized", "borders", "gauge changes", "rank", "depends on (count)"}


def _value(v: Any, column: str) -> Any:
    """A cell value: numbers as numbers, ISO dates as dates, lists joined, missing as empty."""
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp | datetime):
        return v.date()
    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
    if isinstance(v, float) and (column in _INTEGER_COLUMNS or column.endswith("_count")) and v.is_integer():
        return int(v)
    if isinstance(v, str) and DATE_PATTERN.match(v) and len(v) == 10:
        return date.fromisoformat(v)
    if isinstance(v, list | tuple):
        return "; ".join(str(x) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{k}: {x}" for k, x in v.items())
    return v


def workbook_sheets(rep: Report) -> dict[str, pd.DataFrame]:
    """The tables of the workbook, by sheet name (reader headers; raw values).

    Examples
    --------
    >>> from corridors import load_network
    >>> from corridors.data import get_path
    >>> from corridors.options import load_options
    >>> from corridors.report import build_report
    >>> net = load_network()
    >>> rep = build_report(net, load_options(get_path("options/tajikistan_gulf.toml"), net), command="x")
    >>> list(workbook_sheets(rep))
    ['options', 'by date', 'assumptions', 'sources', 'timeline']
    """
    table = rep.table.rename(columns=HEADERS | {"depends_on_count": "depends on (count)"})
    by_date = []
    for on, group in rep.table.groupby("date", sort=True):
        row: dict[str, Any] = {"date": on}
        best = group[group["best"].astype(bool)]
        row["best option"] = best["option"].iloc[0] if len(best) else None
        for rec in group.to_dict("records"):
            row[f"{rec['option']}: days"] = rec["days"]
            row[f"{rec['option']}: cost (USD/TEU)"] = rec["cost_usd_per_teu"]
        by_date.append(row)
    sources = rep.sources.copy()
    if "source_url" in sources:
        sources = sources.drop(columns="source_url")
    timeline = rep.timeline.drop(columns=[c for c in ("segments", "pair") if c in rep.timeline], errors="ignore")
    if "option" in timeline:
        timeline = timeline[["option", *[c for c in timeline.columns if c != "option"]]]
    if "hours" in timeline:
        timeline.insert(list(timeline.columns).index("hours") + 1, "days", pd.to_numeric(timeline["hours"]) / 24)
    return {
        "options": table,
        "by date": pd.DataFrame(by_date),
        "assumptions": pd.DataFrame(rep.assumptions).drop(columns="source_url", errors="ignore"),
        "sources": sources,
        "timeline": timeline,
    }


def _fill_sheet(ws: Worksheet, df: pd.DataFrame, links: list[list[str]] | None = None) -> None:
    columns = [str(c) for c in df.columns]
    n_links = max((len(x) for x in links), default=0) if links else 0
    header = columns + [f"link {i + 1}" for i in range(n_links)]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [min(max(len(h), 6), 40) for h in header]
    best_col = columns.index("best") if "best" in columns else None
    for r, rec in enumerate(df.itertuples(index=False), start=2):
        values = [_value(v, c) for v, c in zip(rec, columns, strict=True)]
        ws.append(values)
        for j, v in enumerate(values):
            cell = ws.cell(row=r, column=j + 1)
            if isinstance(v, date):
                cell.number_format = "yyyy-mm-dd"
                widths[j] = max(widths[j], 11)
            elif isinstance(v, float):
                cell.number_format = "#,##0.0"
                widths[j] = max(widths[j], len(f"{v:,.1f}") + 1)
            elif isinstance(v, int) and not isinstance(v, bool):
                cell.number_format = "#,##0"
                widths[j] = max(widths[j], len(f"{v:,}") + 1)
            elif isinstance(v, str):
                widths[j] = min(max(widths[j], len(v) + 1), 60)
                if len(v) > 60:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            if best_col is not None and values[best_col] is True:
                cell.fill = _BEST_FILL
        for i, url in enumerate(links[r - 2] if links else []):
            cell = ws.cell(row=r, column=len(columns) + i + 1, value=url)
            if url.startswith(("http://", "https://")):
                cell.hyperlink = url
                cell.font = Font(color="0563C1", underline="single")
            widths[len(columns) + i] = min(max(widths[len(columns) + i], len(url) + 1), 50)
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w + 1
    ws.freeze_panes = "B2" if columns and columns[0] in ("option", "date", "segment", "parameter") else "A2"
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions


def write_workbook(rep: Report, path: str | Path) -> Path:
    """Write the report's workbook (see the module docstring).

    Returns
    -------
    pathlib.Path
        The file.
    """
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    sheets = workbook_sheets(rep)
    url_lists = {
        "assumptions": [split_urls(a.get("source_url")) for a in rep.assumptions],
        "sources": [split_urls(v) for v in rep.sources["source_url"]] if "source_url" in rep.sources else None,
    }
    for name, df in sheets.items():
        _fill_sheet(wb.create_sheet(name), df, url_lists.get(name))
    wb.properties.title = rep.options_file.title
    wb.properties.creator = "corridors"
    wb.save(path)
    return path
