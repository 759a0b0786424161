"""The learner model: BKT against hand-computed values, FSRS through the library, `backprop review`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop_cli.cli import main
from backprop_cli.progress import Observation, Progress, Store, skill_summaries
from backprop_cli.quiz.templates import TEMPLATES
from backprop_cli.tutor.scheduling import Review, due_now, schedule
from backprop_cli.tutor.skills import (
    DEFAULT,
    MASTERED,
    SKILL_IDS,
    TEMPLATE_SKILLS,
    BKTParams,
    guess_for,
    trace,
    update,
)
from backprop_cli.tutor.skills import Observation as Seen

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def test_bkt_update_matches_hand_computed_values():
    # right: 0.1·0.9 / (0.1·0.9 + 0.9·0.15) = 0.09/0.225 = 0.4; then + 0.6·0.2 = 0.52
    assert update(0.1, True) == pytest.approx(0.52, abs=1e-15)
    # wrong: 0.1·0.1 / (0.1·0.1 + 0.9·0.85) = 0.01/0.775; then + (1 − that)·0.2
    posterior = 0.01 / 0.775
    assert update(0.1, False) == pytest.approx(posterior + (1 - posterior) * 0.2, abs=1e-15)
    # from 0.52, right again: 0.468 / (0.468 + 0.48·0.15) = 0.8667; then + 0.1333·0.2 = 0.8933
    assert update(0.52, True) == pytest.approx(0.468 / 0.54 + (1 - 0.468 / 0.54) * 0.2, abs=1e-15)
    # a choice of 2 options: guessing is likely, so a right answer says less
    assert update(0.1, True, BKTParams(guess=0.5)) == pytest.approx(0.09 / (0.09 + 0.45) * 0.8 + 0.2)


def test_the_documented_defaults():
    assert (DEFAULT.prior, DEFAULT.learn, DEFAULT.slip, DEFAULT.guess, MASTERED) == (0.1, 0.2, 0.1, 0.15, 0.95)
    assert guess_for("choice", 3) == pytest.approx(1 / 3) and guess_for("number") == 0.15


@given(st.floats(0, 1), st.booleans())
def test_bkt_stays_a_probability_and_a_right_answer_never_lowers_mastery(p, correct):
    after = update(p, correct)
    assert 0 <= after <= 1
    if correct:
        assert after >= p - 1e-12


def test_mastery_needs_a_run_of_right_first_tries():
    right = [Seen("chain-rule", True, 0.15)]
    assert not trace(right * 2)["chain-rule"].mastered
    assert trace(right * 3)["chain-rule"].mastered  # three right first tries in a row
    mixed = trace([Seen("chain-rule", True, 0.15), Seen("chain-rule", False, 0.15)] * 3)["chain-rule"]
    assert not mixed.mastered and mixed.opportunities == 6
    assert trace([])["power-rule"].mastery == DEFAULT.prior


def test_every_template_names_known_skills_and_every_skill_has_a_template():
    assert {t.id for t in TEMPLATES} == set(TEMPLATE_SKILLS)
    named = {skill for skills in TEMPLATE_SKILLS.values() for skill in skills}
    assert named <= set(SKILL_IDS)
    assert set(SKILL_IDS) - named == set(), "a skill no quiz template can review"
    assert 10 <= len(SKILL_IDS) <= 15


def test_fsrs_schedules_through_the_library():
    from fsrs import Card, Rating, Scheduler

    reviews = [Review("chain-rule", T0, "correct"), Review("chain-rule", T0 + timedelta(minutes=12), "correct")]
    ours = schedule(reviews)["chain-rule"]
    scheduler = Scheduler(enable_fuzzing=False)
    card = Card(card_id=1, due=T0)
    for r in reviews:
        card, _ = scheduler.review_card(card, Rating.Good, review_datetime=r.at)
    assert ours.due == card.due and ours.reviews == 2 and ours.due > T0 + timedelta(days=1)
    failed = schedule([Review("power-rule", T0, "wrong")])["power-rule"]
    assert failed.due < T0 + timedelta(hours=1)  # Again: soon
    hard = schedule([Review("power-rule", T0, "hinted")])["power-rule"]
    assert failed.due <= hard.due
    assert schedule([])["power-rule"].due is None


def test_due_now_is_most_overdue_first():
    table = schedule([Review("power-rule", T0, "wrong"), Review("chain-rule", T0 - timedelta(hours=2), "wrong")])
    assert [d.skill.id for d in due_now(table, T0 + timedelta(days=1))] == ["chain-rule", "power-rule"]
    assert due_now(table, T0 - timedelta(days=1)) == []


def test_observations_merge_by_id_and_summaries_come_from_them():
    p = Progress()
    first = [Observation(skill="chain-rule", outcome="correct", at=T0.isoformat())]
    p.put_observations(first)
    p.put_observations(first)  # the same save twice
    p.put_observations([Observation(skill="chain-rule", outcome="correct", at=(T0 + timedelta(minutes=5)).isoformat())])
    assert len(p.observations) == 2
    skill = next(s for s in skill_summaries(p, T0 + timedelta(days=30)) if s.id == "chain-rule")
    assert skill.opportunities == 2 and skill.mastery == pytest.approx(update(update(0.1, True), True))
    assert skill.due_now


def _run(home, *args, stdin=""):
    env = {**os.environ, "BACKPROP_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "backprop_cli", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


def test_a_quiz_feeds_the_learner_model_and_progress_shows_it(tmp_path):
    home = tmp_path / "home"
    result = _run(home, "quiz", "--seed", "3", "--count", "2", stdin="hint\nskip\nskip\n")
    assert result.returncode == 0, result.stderr
    data = json.loads((home / "progress.json").read_text(encoding="utf-8"))
    outcomes = {(o["skill"], o["outcome"]) for o in data["observations"]}
    assert outcomes and {o for _, o in outcomes} == {"hinted", "skipped"}
    doc = json.loads(_run(home, "progress", "--json").stdout)
    assert set(doc["skills"]) == set(SKILL_IDS)
    assert all(0 <= s["mastery"] <= 1 for s in doc["skills"].values())
    practised = {k for k, s in doc["skills"].items() if s["opportunities"]}
    assert practised == {skill for skill, _ in outcomes}
    assert all(doc["skills"][k]["mastery"] < DEFAULT.prior + DEFAULT.learn for k in practised)
    shown = _run(home, "progress").stdout
    assert "Skills (mastery, next review)" in shown and "░" in shown


def test_review_with_nothing_practised_or_nothing_due(tmp_path):
    home = tmp_path / "home"
    assert "Nothing to review yet" in _run(home, "review").stdout
    store = Store(home)
    store.update(lambda p: p.put_observations([Observation(skill="chain-rule", outcome="correct",
                                                           at=datetime.now(timezone.utc).isoformat())]))
    out = _run(home, "review").stdout
    assert "Nothing is due. Next: Chain rule" in out and "--ahead" in out


def test_review_asks_the_due_skills_and_records_a_review(tmp_path):
    import shutil

    home = tmp_path / "home"
    long_ago = (datetime.now(timezone.utc) - timedelta(days=40)).isoformat()
    Store(home).update(lambda p: p.put_observations([
        Observation(skill="sigmoid-derivative", outcome="wrong", at=long_ago)]))
    twin = tmp_path / "twin"
    shutil.copytree(home, twin)
    result = _run(home, "review", "--seed", "5", "--count", "2", stdin="skip\nskip\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.lstrip().startswith("Review · 2 questions")
    assert "1 skill due for review (sigmoid derivative)" in out and "replay with --seed 5 --count 2" in out
    data = json.loads((home / "progress.json").read_text(encoding="utf-8"))
    [review] = data["quizzes"]
    assert review["kind"] == "review" and len(review["items"]) == 2
    assert all("sigmoid-derivative" in TEMPLATE_SKILLS[item["template"]] for item in review["items"])
    assert sum(o["source"].startswith("review ") for o in data["observations"]) >= 2
    replay = _run(twin, "review", "--seed", "5", "--count", "2", stdin="skip\nskip\n").stdout
    assert replay == out  # the same record and seed: the same review, byte for byte


def test_a_lesson_naming_an_unknown_skill_or_fading_without_skills_is_refused(tmp_path, capsys):
    source = (Path(__file__).parent / "data" / "mini-net.yaml").read_text(encoding="utf-8")
    typo = tmp_path / "typo.yaml"
    typo.write_text(source.replace("  - id: dL_dyhat\n    ask: number\n",
                                   "  - id: dL_dyhat\n    ask: number\n    skills: [chain-rul]\n", 1), encoding="utf-8")
    assert main(["lessons", "validate", str(typo)]) == 2
    err = capsys.readouterr().err
    assert "typo.yaml:" in err and "skills" in err and "unknown skill 'chain-rul'; did you mean 'chain-rule'?" in err
    bare = tmp_path / "bare.yaml"
    bare.write_text(source.replace("  - id: dL_dyhat\n    ask: number\n",
                                   "  - id: dL_dyhat\n    ask: number\n    bare: What is it?\n", 1), encoding="utf-8")
    assert main(["lessons", "validate", str(bare)]) == 2
    assert "name the question's skills too" in capsys.readouterr().err
