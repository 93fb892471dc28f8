"""Personas and round scripts: the shipped files, and errors that name the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from interviewer.bank import Round
from interviewer.config import PROJECT_ROOT
from interviewer.errors import DataError
from interviewer.personas import Persona, load_personas
from interviewer.rounds import check_catalog, load_scripts, plan_stages

PERSONAS = PROJECT_ROOT / "personas"
ROUNDS = PROJECT_ROOT / "rounds"


def _write(folder: Path, name: str, doc: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(doc) if not isinstance(doc, str) else doc, encoding="utf-8")
    return path


def _persona(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "tester",
        "name": "Tess",
        "role": "Staff MLE",
        "style": "neutral",
        "strictness": 3,
        "probing": 2,
        "rounds": ["behavioral"],
        "opening": "Hi, I'm {name}.",
        "closing": "Thanks.",
    }
    base.update(over)
    return base


def test_shipped_personas_cover_the_loop_and_validate() -> None:
    personas = load_personas(PERSONAS)
    scripts = load_scripts(ROUNDS)
    assert check_catalog(personas, scripts) == []
    assert len(personas) >= 6
    roles = " | ".join(p.role.lower() for p in personas.values())
    for needle in ("tech lead", "research scientist", "hiring manager", "bar raiser", "software engineer", "panel"):
        assert needle in roles
    assert {st.script.round for st in plan_stages(personas, scripts, loop=True).stages} == set(Round)
    for p in personas.values():  # every template renders with the placeholders it may use
        t = p.phrasing
        assert t.ground[0].format(quote="q") and t.challenge[0].format(quote="q")
        assert p.opening_line("Coding") and p.closing_line()


def test_every_round_script_has_budgets_and_starts_with_a_question() -> None:
    scripts = load_scripts(ROUNDS)
    assert set(scripts.rounds) >= {r.value for r in Round}
    for script in scripts.rounds.values():
        assert script.phases[0].ask == "new"
        assert script.max_turns == sum(p.turns for p in script.phases) > 0
        assert all(p.minutes > 0 for p in script.phases)
    ladder = [p.level_offset for p in scripts.round("ml_theory").phases]
    assert ladder == sorted(ladder) and ladder[0] < ladder[-1]  # fundamentals to depth
    design = [p.id for p in scripts.round("ml_design").phases]
    assert design == ["clarify", "high_level", "deep_dive", "tradeoffs"]


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"style": "grumpy"}, "style", "Input should be"),
        ({"probing": 9}, "probing", "less than or equal to 3"),
        ({"opening": "Hi {nmae}"}, "opening", "unknown placeholder"),
        ({"templates": {"challenge": ["You said {quote} {oops}"]}}, "templates", "unknown placeholder"),
        ({"templates": {"dimension": {"charisma": ["?"]}}}, "templates", "unknown dimension"),
        ({"rounds": [], "loop": None}, "(top level)", "set 'rounds'"),
        ({"colour": "blue"}, "colour", "Extra inputs are not permitted"),
    ],
)
def test_persona_errors_name_file_and_field(tmp_path: Path, over: dict[str, object], field: str, message: str) -> None:
    path = _write(tmp_path, "tester.yaml", _persona(**over))
    with pytest.raises(DataError) as e:
        load_personas(tmp_path)
    text = str(e.value)
    assert str(path) in text and "persona tester" in text and f"field {field}" in text and message in text


def test_bad_yaml_and_duplicate_ids_are_reported_together(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", _persona())
    _write(tmp_path, "b.yaml", _persona())
    _write(tmp_path, "c.yaml", "id: [unclosed\n")
    with pytest.raises(DataError) as e:
        load_personas(tmp_path)
    assert len(e.value.problems) == 2
    assert any("b.yaml: persona tester: field id: duplicate id" in p for p in e.value.problems)
    assert any("c.yaml" in p and "malformed YAML" in p for p in e.value.problems)


def test_round_script_errors_name_file_and_field(tmp_path: Path) -> None:
    bad = {
        "id": "tiny",
        "round": "coding",
        "title": "Tiny",
        "minutes": 10,
        "phases": [
            {"id": "p1", "title": "P", "ask": "new", "questions": 2, "followups": 1, "turns": 1, "minutes": 5},
            {"id": "p2", "title": "Q", "ask": "continue", "followups": 1, "turns": 1, "minutes": 5, "focus": ["vibes"]},
        ],
    }
    path = _write(tmp_path, "tiny.yaml", bad)
    with pytest.raises(DataError) as e:
        load_scripts(tmp_path)
    problems = "\n".join(e.value.problems)
    assert f"{path}: round tiny: field phases[0]" in problems and "turns (1) must allow one answer" in problems
    assert "field phases[1].focus" in problems and "unknown focus ['vibes']" in problems


def test_plan_explains_what_would_work() -> None:
    personas, scripts = load_personas(PERSONAS), load_scripts(ROUNDS)
    with pytest.raises(DataError, match="does not run coding rounds"):
        plan_stages(personas, scripts, persona="behavioral_hiring_manager", round="coding")
    with pytest.raises(DataError, match="unknown persona 'nobody'; known: "):
        plan_stages(personas, scripts, persona="nobody")
    with pytest.raises(DataError, match="unknown round 'chess'"):
        plan_stages(personas, scripts, round="chess")
    plan = plan_stages(personas, scripts, round="coding")
    assert [st.persona.id for st in plan.stages] == ["coding_interviewer"] and plan.host is None
    loop = plan_stages(personas, scripts, persona="short_video_panel")
    assert loop.host is not None and len(loop.stages) == 4


def test_persona_overrides_only_the_slots_it_sets() -> None:
    p = Persona.model_validate(_persona(templates={"move_on": ["Next."]}))
    assert p.phrasing.move_on == ["Next."]
    assert p.phrasing.dimension["impact"]  # inherited from interviewer/prompts/followup.yaml
