"""Figures for the views (matplotlib, headless): scorecard levels, progress over time, confusion matrices.

Figures are built with ``matplotlib.figure.Figure`` directly (no pyplot, no GUI backend), and
matplotlib is imported on first use, not when the app starts. Every figure plots levels on the
rubric's 1-4 scale with abstentions drawn apart (a hollow marker at the bottom), never as a
made-up number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LEVEL_COLORS = {1: "#ef4444", 2: "#f59e0b", 3: "#38bdf8", 4: "#22c55e"}
ABSTAIN = "#94a3b8"
#: Bar charts leave room for this many questions, so few answers do not make giant bars.
MIN_SLOTS = 5


def _figure(panels: int, *, height: float = 2.1, cols: int = 2) -> tuple[Figure, list[Any]]:
    from matplotlib.figure import Figure

    cols = max(1, min(cols, panels))
    rows = max(1, -(-panels // cols))
    fig = Figure(figsize=(4.2 * cols, height * rows + 0.3), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel().tolist()
    for ax in axes[panels:]:
        ax.set_visible(False)
    return fig, axes[:panels]


def levels_by_dimension(dimensions: Mapping[str, Sequence[int | None]], labels: Sequence[str]) -> Figure:
    """One panel per dimension: the level each question earned (hollow = abstained)."""
    names = list(dimensions)
    fig, axes = _figure(max(1, len(names)))
    if not names:
        axes[0].text(0.5, 0.5, "no scored answers yet", ha="center", va="center")
        axes[0].set_axis_off()
        return fig
    for ax, name in zip(axes, names, strict=False):
        levels = list(dimensions[name])
        xs = list(range(1, len(levels) + 1))
        heights = [lv or 0 for lv in levels]
        colors = [LEVEL_COLORS.get(lv or 0, ABSTAIN) for lv in levels]
        ax.bar(xs, heights, color=colors, width=0.6)
        for x, lv in zip(xs, levels, strict=True):
            if lv is None:
                ax.plot([x], [0.15], marker="o", mfc="none", mec=ABSTAIN, ms=7)
        ax.set_title(name, fontsize=10, loc="left")
        ax.set_ylim(0, 4.3)
        ax.set_xlim(0.4, max(len(xs), MIN_SLOTS) + 0.6)  # one answer is one slim bar, not a wall
        ax.set_yticks([1, 2, 3, 4])
        ax.set_xticks(xs, [labels[i - 1] if i - 1 < len(labels) else f"Q{i}" for i in xs], fontsize=8)
        ax.grid(axis="y", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    return fig


def _over_time(
    series: Mapping[str, Sequence[tuple[datetime, float]]], empty: str
) -> tuple[Figure, list[tuple[Any, str, list[float]]]]:
    """One panel per non-empty series, a dated line in each; returns (axes, name, values) for the
    caller's own y scale, or no panels and a figure that says ``empty``."""
    names = [n for n in series if series[n]]
    fig, axes = _figure(max(1, len(names)))
    if not names:
        axes[0].text(0.5, 0.5, empty, ha="center", va="center")
        axes[0].set_axis_off()
        return fig, []
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    panels = []
    for ax, name in zip(axes, names, strict=False):
        points = sorted(series[name])
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        ax.plot(xs, ys, marker="o", color="#6366f1")
        if min(xs) == max(xs):  # one day of practice: a readable window around it, not decades
            ax.set_xlim(min(xs) - timedelta(days=1), max(xs) + timedelta(days=1))
        locator = AutoDateLocator(maxticks=5)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        ax.set_title(name, fontsize=10, loc="left")
        ax.grid(alpha=0.3)
        ax.tick_params(axis="x", labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
        panels.append((ax, name, ys))
    return fig, panels


def progress(series: Mapping[str, Sequence[tuple[datetime, float]]]) -> Figure:
    """One panel per dimension: the session average over time."""
    fig, panels = _over_time(series, "no finished sessions with scores yet")
    for ax, _, _ in panels:
        ax.set_ylim(0.8, 4.2)
        ax.set_yticks([1, 2, 3, 4])
    return fig


def delivery_trend(series: Mapping[str, Sequence[tuple[datetime, float]]]) -> Figure:
    """Delivery over sessions: pace (with the comfortable range shaded) and filler words per minute."""
    from interviewer.voice.delivery import FILLERS_PER_MIN_NOTE, PACE_RANGE

    fig, panels = _over_time(series, "no spoken answers yet: answer by voice to see your delivery")
    for ax, name, ys in panels:
        if "filler" in name:
            ax.axhline(FILLERS_PER_MIN_NOTE, color="#f59e0b", lw=1, ls="--")
            ax.set_ylim(0, max(FILLERS_PER_MIN_NOTE * 1.5, max(ys) * 1.15))
        else:
            ax.axhspan(*PACE_RANGE, color="#22c55e", alpha=0.12)
            ax.set_ylim(min(60.0, min(ys) * 0.9), max(220.0, max(ys) * 1.1))
    return fig


def confusion_matrices(matrices: Mapping[str, Sequence[Sequence[int]]]) -> Figure:
    """One heat map per dimension: gold level (rows) against predicted level (columns)."""
    names = list(matrices)
    fig, axes = _figure(max(1, len(names)), height=3.0, cols=3)
    if not names:
        axes[0].text(0.5, 0.5, "no labelled dimensions", ha="center", va="center")
        axes[0].set_axis_off()
        return fig
    for ax, name in zip(axes, names, strict=False):
        m = [list(row) for row in matrices[name]]
        size = len(m)
        ax.imshow(m, cmap="Blues")
        peak = max((v for row in m for v in row), default=0) or 1
        for i in range(size):
            for j in range(size):
                ax.text(
                    j,
                    i,
                    str(m[i][j]),
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="white" if m[i][j] > peak / 2 else "#0f172a",
                )
        ticks = list(range(size))
        ax.set_xticks(ticks, [str(t + 1) for t in ticks])
        ax.set_yticks(ticks, [str(t + 1) for t in ticks])
        ax.set_xlabel("predicted", fontsize=8)
        ax.set_ylabel("gold", fontsize=8)
        ax.set_title(name, fontsize=10, loc="left")
    return fig
