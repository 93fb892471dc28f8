"""Rationales and "what would raise it" for the offline scorer, in the rubric's own words.

A level is only useful to a candidate with the anchor it stands for and the one concrete thing
that would move it up, so every sentence here is chosen from what the evidence lacks, not from a
generic list.
"""

from __future__ import annotations

from collections.abc import Sequence

from interviewer.rubrics import Rubric
from interviewer.scoring.types import KeyPointMatch

LABELS = {1: "level 1", 2: "level 2", 3: "level 3", 4: "level 4"}


def anchor(rubric: Rubric | None, dim: str, level: int) -> str:
    if rubric is None or dim not in rubric.dimensions:
        return LABELS[level]
    lv = rubric[dim].levels[level]
    return f"{lv.label} - {lv.anchors[0]}"


def _first(checks: Sequence[tuple[bool, str]]) -> str:
    for missing, text in checks:
        if missing:
            return text
    return checks[-1][1]


def missing_text(dim: str, level: int, f: dict[str, float], missed: Sequence[KeyPointMatch] = ()) -> str:
    """The one thing to add for the next level up, picked from the features that are absent."""
    if level >= 4:
        return ""
    hyp = f.get("hypothetical_share", 0.0) >= 0.4
    if dim == "ownership":
        return {
            1: "tell one real past situation and say, in the first person, what you yourself did"
            if hyp or f["i_share"] == 0
            else "say what you personally did rather than what the team or others did",
            2: "name a decision you made yourself (what you chose or cut) and the reason for it",
            3: _first(
                [
                    (
                        f["driver_kinds"] == 0,
                        "show initiative beyond your assignment: that you spotted the problem, "
                        "pushed for the fix or persuaded another team, and the argument you used",
                    ),
                    (
                        f["driver_kinds"] < 2 / 3,
                        "own a setback openly or describe your follow-through after launch "
                        "(monitoring, hand-off, docs)",
                    ),
                    (
                        True,
                        "make every key decision of the story unambiguously yours, including one that went against "
                        "the initial plan",
                    ),
                ]
            ),
        }[level]
    if dim == "impact":
        return {
            1: "tell a real past situation and state what actually happened as a result of the work"
            if hyp
            else "state the outcome of your work (what changed for the system, users or the business)",
            2: "state the result as a measured change against a baseline (before/after, or versus control)",
            3: _first(
                [
                    (
                        f["measurement"] == 0,
                        "say how the result was measured (A/B test, holdout, backtest) and whether "
                        "it was significant or sustained",
                    ),
                    (
                        True,
                        "connect the measured change to users or the business (revenue, retention, cost saved) and "
                        "mention a counter-metric you checked",
                    ),
                ]
            ),
        }[level]
    if dim == "tradeoffs":
        return {
            1: "name a real alternative you considered and why you did not choose it",
            2: "say what the chosen option cost you (latency, money, risk, engineering time) next to what it won"
            if f["weighed"]
            else "compare two options on an explicit criterion (latency, cost, accuracy, risk) and say what the "
            "choice gave up",
            3: _first(
                [
                    (
                        f["alt_quantified"] == 0,
                        "use the situation's constraints with rough numbers (a latency budget, "
                        "a deadline, data size) to decide between the options",
                    ),
                    (
                        f["condition"] == 0,
                        "say under which conditions the other option would have been the right call, "
                        "or when you would revisit the choice",
                    ),
                    (
                        True,
                        "name the residual risk of the choice and how you limited it (guardrail, fallback, staged "
                        "rollout)",
                    ),
                ]
            ),
        }[level]
    if dim == "star":
        return {
            1: "tell one specific past situation, not what you would do or usually do",
            2: _first(
                [
                    (f["i_actions"] == 0, "describe the concrete steps you yourself took, in order"),
                    (f["has_result"] == 0, "finish the story with its result: what actually happened"),
                    (
                        f["has_setting"] == 0,
                        "set the scene first, in a sentence or two: the situation and what you were asked to achieve",
                    ),
                    (True, "keep the situation brief and give most of the answer to your actions and the result"),
                ]
            ),
            3: _first(
                [
                    (
                        f["has_reflection"] == 0,
                        "end with a reflection: what you learned or would do differently next time",
                    ),
                    (True, "keep situation and task to a few sentences and make the actions concrete and ordered"),
                ]
            ),
        }[level]
    if dim == "coverage":
        wrong = [m for m in missed if m.contradicted]
        if wrong:
            return f"correct what contradicts the key point: {wrong[0].key_point}"
        if not missed:
            return "make each point specific (components, metrics, numbers or formulas) and connect them"
        names = "; ".join(m.key_point for m in missed[:3])
        return f"cover the missed key points: {names}"
    return ""


def contradicted_text(wrong: Sequence[KeyPointMatch]) -> str:
    """The key points stated backwards, each with the sentence that does it, quoted verbatim."""
    said = "; ".join(f'"{k.evidence}" contradicts key point {k.index} ({k.key_point})' for k in wrong[:3])
    return f"{len(wrong)} key point(s) stated wrongly: {said}."


def found_text(dim: str, f: dict[str, float], covered: int = 0, total: int = 0) -> str:
    """What the evidence showed, in a phrase, to follow the anchor in the rationale."""
    if dim == "ownership":
        parts = [
            f"{f['i_share']:.0%} of sentences in the first person",
            f"{round(f['decisions'] * 3)} own decision(s)" if f["decisions"] else "no decision of your own",
            f"{f['team_only_share']:.0%} team-only or passive",
        ]
        if f["driver_kinds"]:
            parts.append(
                f"{round(f['driver_kinds'] * 3)} kind(s) of driving signal "
                "(unasked, against a plan, influence, setback owned)"
            )
    elif dim == "impact":
        parts = [
            "a result with a baseline"
            if f["result_measured"]
            else "a number without a baseline"
            if f["result_number"]
            else "an unmeasured result"
            if f["result_any"]
            else "no result stated"
        ]
        if f["measurement"]:
            parts.append("measurement method named")
        if f["business"]:
            parts.append("business or user meaning")
    elif dim == "tradeoffs":
        parts = [
            f"{round(f['weighed'] * 3)} statement(s) weighing options" if f["weighed"] else "no options weighed",
            f"{round(f['criteria_kinds'] * 3)} kind(s) of criteria",
        ]
        if f["alt_quantified"]:
            parts.append("quantified")
        if f["condition"]:
            parts.append("conditions for the other choice")
        if f["vacuous_only"]:
            parts.append('"trade-offs" mentioned without any named')
    elif dim == "star":
        present = [
            name
            for k, name in (
                ("has_situation", "situation"),
                ("has_task", "task"),
                ("i_actions", "own actions"),
                ("has_result", "result"),
                ("has_reflection", "reflection"),
            )
            if f[k]
        ]
        parts = [("found: " + ", ".join(present)) if present else "no story parts found"]
    elif dim == "coverage":
        parts = [f"{covered} of {total} key points covered"]
    else:
        parts = []
    if f.get("hypothetical_share", 0.0) >= 0.4 and dim != "coverage":
        parts.append("mostly hypothetical")
    if f.get("buzz_density", 0.0) >= 0.3 and dim in ("tradeoffs", "coverage"):
        parts.append("buzzword-heavy")
    return "; ".join(parts)
