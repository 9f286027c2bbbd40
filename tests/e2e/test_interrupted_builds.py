"""Killed, concurrent and unlucky builds never lose the site: each case reproduced as the
hardening probe did (kill -9 at a rename with strace, two builds at once, a mount point, a
full disk), then the next build must bring everything back in order."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_cli import ENV

STRACE = shutil.which("strace")
UNSHARE = shutil.which("unshare")


def build_cmd(site: Path, out: Path, cache: bool = False) -> list[str]:
    """--no-cache: every build writes a whole new site and swaps it in (with the build cache, a
    build after the first updates the output in place; see the last tests)."""
    return [sys.executable, "-m", "generator", "build", "--site", str(site), "--output", str(out), *([] if cache else ["--no-cache"])]


def build(site: Path, out: Path, cache: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(build_cmd(site, out, cache), env=ENV, capture_output=True, text=True, timeout=120, check=False)


def killed_build(site: Path, out: Path, *injections: str, cache: bool = False) -> int:
    """The build under strace, killed (SIGKILL) as the injections say; its exit status."""
    command = [STRACE, "-f", "-o", os.devnull, "-e", "trace=rename,renameat,renameat2"]
    for injection in injections:
        command += ["-e", f"inject={injection}"]
    return subprocess.run(command + build_cmd(site, out, cache), env=ENV, capture_output=True, timeout=120, check=False).returncode


def assert_complete_site(out: Path) -> dict:
    """Every file the manifest lists is there with its bytes, and nothing else but .git."""
    manifest = json.loads((out / ".cvsite-manifest.json").read_text())
    for rel, digest in manifest.items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest, rel
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert present == set(manifest) | {".cvsite-manifest.json"}
    return manifest


def beside(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir())


needs_strace = pytest.mark.skipif(STRACE is None or sys.platform != "linux", reason="needs strace on Linux")


# 9. leftovers of a killed build


@needs_strace
def test_a_build_killed_before_the_swap_is_cleaned_up_by_the_next(example_copy, tmp_path):
    out = tmp_path / "builds" / "output"
    assert build(example_copy, out).returncode == 0
    (example_copy / "content/papers/korgym-a-dynamic-game-platform-for-llm-reasoning.md").unlink()
    assert killed_build(example_copy, out, "rename,renameat,renameat2:signal=SIGKILL:when=1") != 0
    assert any(name.startswith(".output.staging-") for name in beside(out))  # what the kill left
    assert "papers/korgym-a-dynamic-game-platform-for-llm-reasoning/index.html" in assert_complete_site(out)

    assert build(example_copy, out).returncode == 0
    assert beside(out) == ["output"]
    assert "papers/korgym-a-dynamic-game-platform-for-llm-reasoning/index.html" not in assert_complete_site(out)


def test_leftovers_of_killed_builds_are_removed_and_ignored_by_git(tmp_path):
    subprocess.run([sys.executable, "-m", "generator", "new", "site"], cwd=tmp_path, env=ENV, check=True, capture_output=True)
    site = tmp_path / "site"
    for name in (".output.staging-k1l2m3", ".output.old-a1b2c3"):
        (site / name / "papers").mkdir(parents=True)
        (site / name / "papers" / "index.html").write_text("left by kill -9")
    (site / ".output.lock").write_text("")
    subprocess.run(["git", "init", "-q"], cwd=site, check=True)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=site, capture_output=True, text=True, check=True
    ).stdout
    assert ".output" not in status, status  # `git add .` would not commit them

    assert build(site, site / "output").returncode == 0
    assert not any(p.name.startswith(".output.") for p in site.iterdir() if p.name != ".output.lock")


# 10. a kill between the renames of the swap


@needs_strace
@pytest.mark.parametrize("when", [1, 2, 3])
def test_a_kill_at_any_rename_of_the_swap_leaves_a_whole_site(example_copy, tmp_path, when):
    out = tmp_path / "builds" / "output"
    assert build(example_copy, out).returncode == 0
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    killed_build(example_copy, out, f"rename,renameat,renameat2:signal=SIGKILL:when={when}")
    assert_complete_site(out)  # old or new, never none

    assert build(example_copy, out).returncode == 0
    assert beside(out) == ["output"]
    assert_complete_site(out)
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"


@needs_strace
@pytest.mark.skipif(platform.machine() != "x86_64", reason="the rename system call exists on x86_64")
@pytest.mark.parametrize("when", [1, 2, 3])
def test_without_an_atomic_exchange_a_kill_between_renames_is_recovered(example_copy, tmp_path, when):
    """Where renameat2 is missing (other systems, some file systems) the swap is two renames:
    the issue's exact reproduction. The next build puts the old site back, then replaces it."""
    out = tmp_path / "builds" / "output"
    assert build(example_copy, out).returncode == 0
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    killed_build(example_copy, out, "renameat2:error=EINVAL", f"rename:signal=SIGKILL:when={when}")
    assert build(example_copy, out).returncode == 0
    assert beside(out) == ["output"]
    assert_complete_site(out)
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"


# 11. two builds into one output folder


def test_two_builds_at_once_both_succeed_one_after_the_other(example_copy, tmp_path):
    out = tmp_path / "builds" / "output"
    builds = [
        subprocess.Popen(build_cmd(example_copy, out), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)
    ]
    results = [(b.wait(timeout=120), b.stderr.read()) for b in builds]
    assert [code for code, _ in results] == [0, 0, 0], results
    assert beside(out) == ["output"]
    assert_complete_site(out)


def test_a_second_build_says_it_waits_for_the_first(example_copy, tmp_path):
    import fcntl

    out = tmp_path / "builds" / "output"
    out.parent.mkdir()
    with open(out.parent / ".output.lock", "w") as lock:  # a build holding the folder
        fcntl.flock(lock, fcntl.LOCK_EX)
        second = subprocess.Popen(build_cmd(example_copy, out), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = second.stderr.readline()  # printed once it found the folder busy
        assert line == f"cvsite: another build is writing into {out}; waiting for it to finish\n"
        assert second.poll() is None
    assert second.wait(timeout=120) == 0
    assert_complete_site(out)
    assert beside(out) == ["output"]


# 12. an output folder that is a mount point; 13. a full disk

needs_mounts = pytest.mark.skipif(
    UNSHARE is None or subprocess.run([UNSHARE or "unshare", "-rm", "true"], capture_output=True, check=False).returncode != 0,
    reason="needs unshare to mount a tmpfs in a private mount namespace",
)


def in_namespace(script: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a shell script as root of a private user and mount namespace: mounts vanish with it."""
    return subprocess.run(
        [UNSHARE, "-rm", "sh", "-euc", script], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300, check=False
    )


@needs_mounts
def test_an_output_folder_that_is_a_mount_point_is_built_into(example_copy, tmp_path):
    out = tmp_path / "volume"
    out.mkdir()
    cvsite = f"{sys.executable} -m generator build --site {example_copy} --output {out}"
    drop = example_copy / "content/papers/korgym-a-dynamic-game-platform-for-llm-reasoning.md"
    result = in_namespace(
        f"""
        mount -t tmpfs volume {out}
        {cvsite}
        mkdir {out}/.git && echo 'ref: refs/heads/gh-pages' > {out}/.git/HEAD
        rm {drop}
        {cvsite}
        {sys.executable} -c "import os, sys; sys.exit(0 if os.path.ismount('{out}') else 9)"
        tar -C {out} -cf {tmp_path}/volume.tar .
    """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    copy = tmp_path / "copy"
    copy.mkdir()
    subprocess.run(["tar", "-C", str(copy), "-xf", str(tmp_path / "volume.tar")], check=True)
    manifest = assert_complete_site(copy)
    assert not any("korgym" in rel for rel in manifest)  # the second build replaced the first
    assert (copy / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert sorted(p.name for p in copy.iterdir() if p.name.startswith(".")) == [".cvsite-manifest.json", ".git", ".nojekyll"]


def small_disk(tmp_path: Path) -> tuple[Path, Path]:
    """Where a test mounts a small tmpfs, and the output folder on it."""
    disk = tmp_path / "disk"
    disk.mkdir()
    return disk, disk / "output"


def on_a_full_disk(disk: Path, out: Path, cvsite: str, size: str, fill: str, tmp_path: Path, then: str = ""):
    """Build onto a tmpfs of size, run fill (which leaves too little room), build again and note
    its exit status; the output's files before and after are listed in tmp_path/before and
    tmp_path/after, what the disk holds beside the output in tmp_path/beside; then runs last."""
    return in_namespace(
        f"""
        mount -t tmpfs -o size={size} disk {disk}
        {cvsite} > /dev/null
        find {out} -type f | sort | xargs sha256sum > {tmp_path}/before
        {fill}
        set +e
        {cvsite}
        echo "exit=$?" >&2
        set -e
        find {out} -type f | sort | xargs sha256sum > {tmp_path}/after
        ls -A {disk} > {tmp_path}/beside
        {then}
    """,
        tmp_path,
    )


def one_disk_full_error(stderr: str) -> str:
    """The one-line error of a build that ran out of room (exit 3), which the scripts echo."""
    assert "exit=3" in stderr, stderr
    error = [line for line in stderr.splitlines() if line.startswith("cvsite: error:")]
    assert len(error) == 1 and "No space left on device" in error[0], stderr
    return error[0]


@needs_mounts
def test_a_full_disk_is_an_io_error_with_the_path_and_the_old_site_stays(example_copy, tmp_path):
    disk, out = small_disk(tmp_path)
    cvsite = f"{sys.executable} -m generator build --no-cache --site {example_copy} --output {out}"
    big = example_copy / "static" / "big.bin"
    result = on_a_full_disk(disk, out, cvsite, "3m", f"mkdir -p {big.parent} && head -c 2500000 /dev/urandom > {big}", tmp_path)
    error = one_disk_full_error(result.stderr)
    assert f"{disk}/" in error, result.stderr
    assert "Traceback" not in result.stderr and "usage" not in result.stderr
    assert (tmp_path / "before").read_text() == (tmp_path / "after").read_text()
    assert (tmp_path / "beside").read_text() == "output\n"


@needs_strace
@pytest.mark.parametrize("when", [1, 2, 5])
def test_a_kill_while_updating_in_place_is_repaired_by_the_next_build(example_copy, tmp_path, when):
    """With the build cache, a build after the first replaces changed files one by one, each
    atomically: a kill leaves every page whole (old or new); the next build finishes the job and
    removes the temporary files the killed one left."""
    out = tmp_path / "builds" / "output"
    assert build(example_copy, out, cache=True).returncode == 0
    for paper in sorted((example_copy / "content/papers").glob("*.md"))[:5]:
        paper.write_text(paper.read_text(encoding="utf-8") + "\nRevised.\n", encoding="utf-8")
    killed_build(example_copy, out, f"rename,renameat,renameat2:signal=SIGKILL:when={when}", cache=True)
    manifest = json.loads((out / ".cvsite-manifest.json").read_text())
    assert all((out / rel).is_file() for rel in manifest)
    assert build(example_copy, out, cache=True).returncode == 0
    assert beside(out) == ["output"]
    assert_complete_site(out)
    clean = tmp_path / "clean"
    assert build(example_copy, clean).returncode == 0
    assert snapshot_of(out) == snapshot_of(clean)


def snapshot_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@needs_strace
def test_a_kill_while_updating_in_place_then_the_edit_undone_leaves_no_temporary_files(example_copy, tmp_path):
    """The killed build's inputs are not the ones built next (its edit undone, or another option):
    the next build's inputs were built before and its files are still as written, but the output
    holds the killed build's temporary files, which it removes all the same."""
    out = tmp_path / "builds" / "output"
    assert build(example_copy, out, cache=True).returncode == 0
    papers = sorted((example_copy / "content/papers").glob("*.md"))[:5]
    before = {paper: paper.read_bytes() for paper in papers}
    for paper in papers:
        paper.write_bytes(before[paper] + b"\nRevised.\n")
    killed_build(example_copy, out, "rename,renameat,renameat2:signal=SIGKILL:when=1", cache=True)
    assert [p for p in out.rglob("*") if p.name.endswith(".cvsite-tmp")]  # the kill came while writing
    for paper in papers:
        paper.write_bytes(before[paper])
    assert build(example_copy, out, cache=True).returncode == 0
    assert beside(out) == ["output"]
    assert_complete_site(out)


@needs_strace
def test_a_killed_build_without_the_cache_then_a_cached_one_of_the_same_inputs_removes_its_leftovers(example_copy, tmp_path):
    # the cached build finds its inputs built and the site as written, but the killed one's
    # staging folder and lock file are beside it: it removes them all the same
    out = tmp_path / "builds" / "output"
    assert build(example_copy, out, cache=True).returncode == 0
    assert killed_build(example_copy, out, "rename,renameat,renameat2:signal=SIGKILL:when=1") != 0
    assert any(name.startswith(".output.staging-") for name in beside(out))  # what the kill left
    assert build(example_copy, out, cache=True).returncode == 0
    assert beside(out) == ["output"]
    assert_complete_site(out)


@needs_mounts
def test_a_full_disk_while_updating_in_place_leaves_the_old_site_and_no_temporary_file(example_copy, tmp_path):
    # with the build cache the pages an edit changed are rendered and written beside their places
    # (the bibliography files piece by piece) before any is moved in: the disk filling up meanwhile
    # leaves every file as it was, none beside them, and the next build, with room, finishes
    disk, out = small_disk(tmp_path)
    cvsite = f"{sys.executable} -m generator build --site {example_copy} --output {out}"
    paper = example_copy / "content/papers/prototype-rectification-for-few-shot-learning.md"
    fill = f"""
        head -c $(( $(df --output=avail -B1 {disk} | tail -1) - 16384 )) /dev/zero > {disk}/filler || true
        sed -i 's/^title: Prototype Rectification/title: Prototype Rectification Revisited/' {paper}"""
    then = f"""
        rm {disk}/filler
        {cvsite} > /dev/null
        tar -C {out} -cf {tmp_path}/output.tar ."""
    result = on_a_full_disk(disk, out, cvsite, "4m", fill, tmp_path, then)
    one_disk_full_error(result.stderr)
    assert (tmp_path / "before").read_text() == (tmp_path / "after").read_text()
    assert (tmp_path / "beside").read_text() == "filler\noutput\n"
    finished = tmp_path / "finished"
    finished.mkdir()
    subprocess.run(["tar", "-C", str(finished), "-xf", str(tmp_path / "output.tar")], check=True)
    clean = tmp_path / "clean"
    assert build(example_copy, clean).returncode == 0
    assert snapshot_of(finished) == snapshot_of(clean)
