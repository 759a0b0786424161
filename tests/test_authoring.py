"""A teacher's toolkit: lesson folders in the menu, `lessons new|add|schema|play`, `network schema`."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import jsonschema
import pexpect
import pytest
import yaml

from backprop_cli import course
from backprop_cli.cli import main
from backprop_cli.course.toolkit import lesson_schema, network_schema, new_lesson

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).parent / "data" / "mini-net.yaml"


def write_lesson(folder: Path, lesson_id: str, order: int = 50, title: str | None = None) -> Path:
    """A small valid lesson with its own id (from the mini-net test lesson)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = MINI.read_text(encoding="utf-8").replace("id: mini-net", f"id: {lesson_id}", 1)
    text = text.replace("order: ", f"order: {order}  # was ", 1) if "order: " in text else text
    if title:
        text = text.replace("title: Mini network", f"title: {title}", 1)
    path = folder / f"{lesson_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- lessons folders


def test_lessons_from_backprop_lessons_follow_the_shipped_ones_sorted_by_order(monkeypatch, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    write_lesson(first, "zeta-lesson", order=10, title="Zeta")
    write_lesson(second, "alpha-lesson", order=20, title="Alpha")
    monkeypatch.setenv("BACKPROP_LESSONS", os.pathsep.join([str(first), str(second)]))
    problems: list[str] = []
    infos = course.catalog(problems)
    assert problems == []
    assert [i.id for i in infos][:6] == ["derivatives", "partials", "gradients", "chain-rule", "simple-net",
                                         "sigmoid-net"]
    assert [(i.number, i.id, i.title) for i in infos[6:]] == [(7, "zeta-lesson", "Zeta"), (8, "alpha-lesson", "Alpha")]
    assert infos[6].key == f"zeta-lesson@{(first / 'zeta-lesson.yaml').resolve()}"
    assert course.find("alpha-lesson").title == "Alpha" and course.find("8").id == "alpha-lesson"


def test_a_lesson_that_takes_a_shipped_id_or_fails_to_load_is_left_out_with_a_warning(monkeypatch, tmp_path):
    folder = tmp_path / "mine"
    write_lesson(folder, "simple-net")
    (folder / "broken.yaml").write_text("version: 1\nid: broken\n", encoding="utf-8")
    write_lesson(folder, "fine-one")
    monkeypatch.setenv("BACKPROP_LESSONS", str(folder))
    problems: list[str] = []
    ids = [i.id for i in course.catalog(problems)]
    assert ids.count("simple-net") == 1 and "fine-one" in ids and "broken" not in ids
    assert len(problems) == 2
    assert any("simple-net.yaml left out of the menu: its id 'simple-net' is already used by the shipped lesson"
               in p for p in problems)
    assert any("broken.yaml left out of the menu:" in p and "title" in p for p in problems)


def test_lessons_list_shows_them_and_warns_once_per_problem(monkeypatch, tmp_path, capsys):
    folder = tmp_path / "mine"
    write_lesson(folder, "own-lesson", title="My own lesson")
    (folder / "broken.yaml").write_text("{", encoding="utf-8")
    monkeypatch.setenv("BACKPROP_LESSONS", str(folder))
    assert main(["lessons", "list", "--json"]) == 0
    captured = capsys.readouterr()
    listed = json.loads(captured.out)
    own = listed[-1]
    assert (own["number"], own["id"], own["title"], own["status"]) == (7, "own-lesson", "My own lesson", "not-started")
    assert own["source"] == str((folder / "own-lesson.yaml").resolve())
    assert captured.err.count("backprop: warning: lesson ") == 1 and "broken.yaml" in captured.err


def test_progress_shows_a_folder_lessons_title(monkeypatch, tmp_path, capsys):
    from backprop_cli.progress import Attempt, QuestionRecord, Store

    folder = tmp_path / "mine"
    path = write_lesson(folder, "own-lesson", title="My own lesson")
    monkeypatch.setenv("BACKPROP_LESSONS", str(folder))
    key = f"own-lesson@{path.resolve()}"
    attempt = Attempt(questions={"dL_dyhat": QuestionRecord(attempts=1, correct=True, closed=True)})
    Store().update(lambda p: p.put_attempt(key, "own-lesson", str(path.resolve()), "My own lesson", attempt))
    assert main(["progress"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["7", "My", "own", "lesson", "in", "progress", "Q2", "1/1", "0", "0"] in rows


# ---------------------------------------------------------------- lessons new


def test_the_template_validates_as_written_and_uses_every_step_kind(tmp_path, capsys):
    assert main(["lessons", "new", "my-first", "--folder", str(tmp_path)]) == 0
    path = tmp_path / "my-first.yaml"
    assert "Wrote" in capsys.readouterr().out
    assert main(["lessons", "validate", str(path)]) == 0
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    kinds = {next(k for k in ("ask", "text", "derive", "network", "plot") if k in step) for step in data["steps"]}
    assert kinds == {"ask", "text", "derive", "network", "plot"}
    assert {step["ask"] for step in data["steps"] if "ask" in step} == {"number", "expression", "choice"}
    assert any("mistakes" in step for step in data["steps"]) and any("because" in step for step in data["steps"])
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=lesson.schema.json")


def test_the_template_with_a_network_skeleton_validates_and_its_choice_is_right(tmp_path, capsys):
    assert main(["lessons", "new", "tanh-one", "--network", "tanh.yaml", "--folder", str(tmp_path)]) == 0
    assert (tmp_path / "tanh.yaml").is_file()
    assert main(["lessons", "validate", str(tmp_path / "tanh-one.yaml")]) == 0
    lesson = course.load(tmp_path / "tanh-one.yaml")
    gradient = float(lesson.value(lesson.parse("d_loss_d_w2", ("x",))))
    choice = next(q for q in lesson.questions if q.step.ask == "choice")
    assert choice.step.options[int(choice.expected)] == ("up" if gradient < 0 else "down")  # independent of the template


def test_lessons_new_refuses_a_bad_id_and_an_existing_file(tmp_path, capsys):
    assert main(["lessons", "new", "Bad_Id", "--folder", str(tmp_path)]) == 2
    assert "is not a lesson id" in capsys.readouterr().err
    new_lesson("taken", tmp_path)
    before = (tmp_path / "taken.yaml").read_bytes()
    assert main(["lessons", "new", "taken", "--folder", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "taken.yaml").read_bytes() == before


# ---------------------------------------------------------------- lessons add


def test_lessons_add_copies_the_lesson_and_its_network_into_the_menu(tmp_path, capsys):
    source = tmp_path / "src"
    new_lesson("tanh-one", source, "nets/tanh.yaml")
    assert main(["lessons", "add", str(source / "tanh-one.yaml")]) == 0
    out = capsys.readouterr().out
    target = course.user_lessons_dir()
    assert (target / "tanh-one.yaml").is_file() and (target / "nets" / "tanh.yaml").is_file()
    assert "It is lesson 7 in the menu: backprop learn tanh-one" in out
    problems: list[str] = []
    assert [i.id for i in course.catalog(problems)][6:] == ["tanh-one"]
    assert problems == []  # the network file beside it is not taken for a broken lesson
    assert course.find("tanh-one").title == "Tanh one"
    assert main(["lessons", "add", str(source / "tanh-one.yaml")]) == 0  # the same file again: fine
    (source / "tanh-one.yaml").write_text((source / "tanh-one.yaml").read_text().replace("order: 100", "order: 101"))
    assert main(["lessons", "add", str(source / "tanh-one.yaml")]) == 2
    assert "already exists and differs; add --force" in capsys.readouterr().err
    assert main(["lessons", "add", "--force", str(source / "tanh-one.yaml")]) == 0


def test_lessons_add_refuses_an_invalid_lesson_and_a_shipped_id(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nid: bad\ntitle: t\n", encoding="utf-8")
    assert main(["lessons", "add", str(bad)]) == 2
    assert "bad.yaml:" in capsys.readouterr().err
    copy = tmp_path / "copy.yaml"
    shutil.copy(ROOT / "lessons" / "05-simple-net.yaml", copy)
    assert main(["lessons", "add", str(copy)]) == 2
    assert "the id 'simple-net' is already used by a shipped lesson" in capsys.readouterr().err
    assert not course.user_lessons_dir().exists() or not any(course.user_lessons_dir().iterdir())


# ---------------------------------------------------------------- schemas


def test_the_lesson_schema_accepts_every_shipped_lesson_and_catches_a_typo(capsys):
    assert main(["lessons", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].endswith("2020-12/schema") and schema["title"] == "backprop lesson"
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((ROOT / "lessons").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert list(validator.iter_errors(data)) == [], path.name
    data = yaml.safe_load((ROOT / "lessons" / "01-derivatives.yaml").read_text(encoding="utf-8"))
    question = next(step for step in data["steps"] if "ask" in step)
    question["hint"] = question.pop("hints")  # the typo the strict loader also refuses
    assert list(validator.iter_errors(data))


def test_the_network_schema_accepts_the_built_in_networks_and_refuses_unknown_keys(tmp_path, capsys):
    out = tmp_path / "network.schema.json"
    assert main(["network", "schema", "--output", str(out)]) == 0
    validator = jsonschema.Draft202012Validator(json.loads(out.read_text(encoding="utf-8")))
    for path in (ROOT / "backprop_cli" / "networks").glob("*.yaml"):
        assert list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))) == []
    assert list(validator.iter_errors({"name": "n", "parameters": {"w": 1}, "loss": "w^2", "lr": 0.1}))
    assert lesson_schema()["additionalProperties"] is False and network_schema()["additionalProperties"] is False


# ---------------------------------------------------------------- lessons play


def test_play_types_every_listed_mistake_then_the_key_and_saves_nothing(capsys, _isolated_home):
    assert main(["lessons", "play", str(MINI)]) == 0
    out = capsys.readouterr().out
    lesson = course.load(MINI)
    listed = sum(len(q.step.mistakes) for q in lesson.questions)
    assert out.count("(the answer key)") == len(lesson.questions)
    assert out.count("(listed mistake ") == listed
    assert "› -18   (the answer key)" in out and out.count("✓ Correct") == len(lesson.questions)
    assert "multiply by ∂ŷ/∂w2" in out  # a listed mistake's own feedback, as the learner sees it
    assert "Lesson complete" in out
    assert not _isolated_home.exists()  # a preview writes no progress


# ---------------------------------------------------------------- at a terminal


@pytest.mark.terminal
def test_a_lesson_from_backprop_lessons_is_picked_from_the_menu(tmp_path, _isolated_home):
    folder = tmp_path / "class"
    write_lesson(folder, "class-lesson", title="Our class lesson")
    env = dict(os.environ, BACKPROP_HOME=str(_isolated_home), BACKPROP_LESSONS=str(folder), NO_COLOR="1",
               TERM="dumb", COLUMNS="100")
    child = pexpect.spawn(sys.executable, ["-m", "backprop_cli", "learn"], env=env, encoding="utf-8", timeout=60,
                          dimensions=(40, 100))
    child.expect_exact("Our class lesson")
    child.expect_exact("› ")
    child.sendline("7")
    child.expect_exact("Lesson 7: Our class lesson")
    child.expect_exact("Question 1 of 5")
    child.expect_exact("› ")
    child.sendline("-18")
    child.expect_exact("✓ Correct")
    child.expect_exact("› ")
    child.sendline("quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    saved = json.loads((_isolated_home / "progress.json").read_text(encoding="utf-8"))
    [(key, record)] = saved["lessons"].items()
    assert record["title"] == "Our class lesson" and key.startswith("class-lesson@")
