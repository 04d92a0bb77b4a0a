"""The trend of a dyad: monthly cooperation and conflict, and the chart of it.

Each merged timeline event counts once, in the month it happened - never in the
month an article mentioned it - so background mentions of old events add no
activity.  An undated event counts in the month it was first reported as news
(a report outside recycled/background text); undated events known only from
background are left out.  Planned, hypothetical and negated events did not
happen and are not counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from parley.analysis.timeline import filter_timeline, parse_dyad
from parley.errors import MissingExtra, ParleyError
from parley.store.base import Store, TimelineEvent

COUNTED_MODALITIES = frozenset({"occurred", "demanded"})


@dataclass
class MonthCount:
    month: str  # YYYY-MM
    cooperative: int = 0
    conflictual: int = 0
    neutral: int = 0
    mean_goldstein: float = 0.0

    @property
    def total(self) -> int:
        return self.cooperative + self.conflictual + self.neutral


def event_month(event: TimelineEvent) -> str | None:
    """The month an event happened, or when it was first reported as news."""
    if event.date and len(event.date) >= 7:
        return event.date[:7]
    if event.date:
        return None  # year precision only: no month to put it in
    news = sorted(r["published"] for r in event.reports
                  if not r.get("background") and r.get("published"))
    return news[0][:7] if news else None


def dyad_trend(events: Iterable[TimelineEvent], a: str, b: str) -> list[MonthCount]:
    """Monthly counts of cooperative (quad class 1-2) and conflictual (3-4) events."""
    months: dict[str, list[TimelineEvent]] = {}
    for event in filter_timeline(events, dyad=(a, b)):
        month = event_month(event)
        if month is None or event.modality not in COUNTED_MODALITIES:
            continue
        months.setdefault(month, []).append(event)
    trend = []
    for month in sorted(months):
        group = months[month]
        trend.append(
            MonthCount(
                month=month,
                cooperative=sum(1 for e in group if e.quad_class in (1, 2)),
                conflictual=sum(1 for e in group if e.quad_class in (3, 4)),
                neutral=sum(1 for e in group if e.quad_class not in (1, 2, 3, 4)),
                mean_goldstein=round(sum(e.goldstein for e in group) / len(group), 2),
            )
        )
    return trend


def store_trend(store: Store, a: str, b: str) -> list[MonthCount]:
    from parley.analysis.timeline import timeline

    return dyad_trend(timeline(store), a, b)


def plot_trend(trend: list[MonthCount], a: str, b: str, path: str | Path) -> Path:
    """Bars of cooperative/conflictual events per month, mean Goldstein as a line."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.dates as mdates
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise MissingExtra("plotting", "plot", "matplotlib") from None
    from datetime import date

    sides = sorted(parse_dyad((a, b)) or ())
    if not trend:
        raise ParleyError(f"no dated events between {sides[0]} and {sides[1]} to plot")
    x = [float(mdates.date2num(date(int(m.month[:4]), int(m.month[5:7]), 15))) for m in trend]
    fig, counts = plt.subplots(figsize=(10, 5), layout="constrained")
    width = 12
    counts.bar(x, [m.cooperative for m in trend], width=width, color="#2a9d8f",
               label="cooperative events")
    counts.bar(x, [-m.conflictual for m in trend], width=width, color="#e76f51",
               label="conflictual events (drawn below zero)")
    counts.axhline(0, color="black", linewidth=0.8)
    counts.yaxis.set_major_locator(MaxNLocator(integer=True))
    counts.set_xlabel("month of the event")
    counts.set_ylabel("events per month (conflictual below zero)")
    goldstein = counts.twinx()
    goldstein.plot(x, [m.mean_goldstein for m in trend], color="#264653", marker="o",
                   linewidth=1.2, label="mean Goldstein score")
    goldstein.set_ylim(-10.5, 10.5)
    goldstein.set_ylabel("mean Goldstein score (-10 conflict .. +10 cooperation)")
    counts.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    fig.autofmt_xdate()
    handles = counts.get_legend_handles_labels()
    more = goldstein.get_legend_handles_labels()
    counts.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left", fontsize=8)
    counts.set_title(f"{sides[0]}-{sides[1]}: cooperation and conflict per month "
                     f"({sum(m.total for m in trend)} events)")
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def plot_dyad(
    store: Store, a: str, b: str, path: str | Path, *, date_from: str | None = None
) -> Path:
    """Plot the trend of the dyad ``a``-``b`` from the store into ``path`` (PNG, SVG...);
    ``date_from`` (``YYYY`` or ``YYYY-MM``) leaves out older months."""
    trend = [m for m in store_trend(store, a, b) if date_from is None or m.month >= date_from[:7]]
    return plot_trend(trend, a, b, path)
