"""The render writes only where it may: never over a project, a file or a folder of someone else's,
and concurrent renders into one folder run one after another."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from conftest import make_project
from hypothesis import given, settings
from hypothesis import strategies as st

from kubexpose.render.cli import main as cli
from kubexpose.render.writer import MARKER, OutputRefusedError, write_render

PROGRAM = """
from kubexpose import ExposedDeployment
ExposedDeployment("web", {"image": "ghcr.io/example/web:2.1", "port": 8080})
"""


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file and folder below `root` with its content (None for a folder)."""
    return {str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes()) for p in sorted(root.rglob("*"))}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = make_project(tmp_path, PROGRAM)
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (project / "app.py").write_text("print('the program')\n")
    return project


@pytest.mark.parametrize(
    ("target", "holds"),
    [(".", ".git"), ("stacks", "Pulumi.test.yaml"), ("app.py", None), (".git", "HEAD")],
    ids=["the project root", "the stack folder", "a program file", "the git folder"],
)
def test_the_render_refuses_a_target_it_did_not_write_and_touches_nothing(
    project: Path, target: str, holds: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(project.parent)
    code = cli(["render", "--stack", "test", "--program", str(project), "--out", str(project / target)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert snapshot(project.parent) == before
    path = os.path.abspath(project / target)
    if holds is None:
        assert (
            err
            == f"error: refusing to write the render to {path}: it is not a folder; pass --out with a new or empty folder, or with the folder of an earlier render\n"
        )
    else:
        assert err.startswith(
            f"error: refusing to write the render into {path}: it holds {holds!r}, and no kubexpose render wrote"
        )


def test_an_empty_or_missing_folder_gets_the_render_and_its_marker(project: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for out in (empty, tmp_path / "new" / "dev"):
        assert cli(["render", "--stack", "test", "--program", str(project), "--out", str(out)]) == 0
        names = sorted(p.name for p in out.iterdir())
        assert MARKER in names and "Kustomization" in names
        listed = (out / MARKER).read_text().splitlines()[1:]
        assert sorted([*listed, MARKER]) == names


def test_a_previous_render_with_a_file_added_by_hand_is_not_replaced(project: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert cli(["render", "--stack", "test", "--program", str(project), "--out", str(out)]) == 0
    (out / "notes.md").write_text("mine")
    before = snapshot(out)
    assert cli(["render", "--stack", "test", "--program", str(project), "--out", str(out)]) == 2
    assert "it also holds 'notes.md', which the render did not write" in capsys.readouterr().err
    assert snapshot(out) == before


def test_a_folder_added_inside_a_previous_render_is_not_deleted(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_render({"a.yaml": "a"}, out)
    (out / "keep").mkdir()
    with pytest.raises(OutputRefusedError, match="it also holds 'keep'"):
        write_render({"b.yaml": "b"}, out)
    assert (out / "keep").is_dir()


def test_a_symlink_is_refused_rather_than_followed(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "data.txt").write_text("keep")
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(OutputRefusedError, match="it is not a folder"):
        write_render({"a.yaml": "a"}, tmp_path / "link")
    assert (real / "data.txt").read_text() == "keep"


def test_concurrent_renders_into_one_folder_run_one_after_another(tmp_path: Path) -> None:
    out = tmp_path / "out"
    renders = [{f"{i:03d}-object.yaml": f"render {i}\n" * 2000, "all.yaml": f"all {i}\n"} for i in range(6)]
    errors: list[BaseException] = []

    def write(files: dict[str, str]) -> None:
        try:
            write_render(files, out)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=write, args=(files,)) for files in renders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    on_disk = {p.name: p.read_text() for p in out.iterdir() if p.name != MARKER}
    assert on_disk in renders, "the folder holds exactly one whole render"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "no staging or backup folder is left"


entries = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "sub/c", "sub/d", "all.yaml", "001-x.yaml", ".hidden"]),
        st.sampled_from(["file", "dir"]),
    ),
    max_size=5,
)


@settings(max_examples=200, deadline=None)
@given(
    existing=entries,
    marker=st.one_of(st.none(), st.lists(st.sampled_from(["a", "b", "sub/c", "all.yaml", "001-x.yaml"]), max_size=4)),
    target=st.sampled_from(["out", "out/sub", "out/a", "out/missing", "."]),
    render=st.dictionaries(st.sampled_from(["all.yaml", "001-x.yaml", "summary.txt"]), st.text(max_size=5), min_size=1),
)
def test_the_render_never_loses_a_file_it_did_not_write(existing, marker, target, render) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "out").mkdir()
        for name, kind in existing:
            path = root / "out" / name
            if path.exists() or any(p.is_file() for p in path.parents if p != root):
                continue
            if kind == "dir":
                path.mkdir(parents=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(f"user data in {name}")
        if marker is not None:
            (root / "out" / MARKER).write_text("".join(f"{m}\n" for m in marker))
        out = root / target
        ours = set(marker or []) if out == root / "out" else set()
        before = snapshot(root)
        try:
            write_render(render, out)
        except OutputRefusedError:
            assert snapshot(root) == before
            return
        after = snapshot(root)
        for name, content in before.items():
            inside = (root / name).is_relative_to(out) if name != "." else False
            relative = str((root / name).relative_to(out)) if inside else None
            if relative is None:
                assert after.get(name) == content, f"{name} changed outside the target"
            else:
                assert relative in ours or relative == MARKER or content is None, f"{name} was lost"
        assert {p.name for p in out.iterdir()} == {*render, MARKER}


def test_three_render_commands_at_once_into_one_folder_all_succeed(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "kubexpose",
        "render",
        "--stack",
        "test",
        "--program",
        str(project),
        "--out",
        str(out),
    ]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in processes]
    assert [code for code, _ in results] == [0, 0, 0], results
    assert not [err for _, err in results if "Traceback" in err]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other", "out"]
    assert (out / "Kustomization").is_file() and (out / MARKER).is_file()
