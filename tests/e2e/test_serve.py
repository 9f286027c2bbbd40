"""cvsite serve as a researcher uses it: a real process, real HTTP, real file edits."""

from __future__ import annotations

import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAPER = "content/papers/prototype-rectification-for-few-shot-learning.md"
PAGE = "/papers/prototype-rectification-for-few-shot-learning/"


def test_serves_the_site_and_rebuilds_on_save(serve, example_copy, edit):
    server = serve()
    assert server.url == f"{server.origin}/"
    status, headers, body = server.get(PAGE)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Prototype Rectification for Few-Shot Learning" in body
    assert "/__cvsite/livereload.js" in body  # injected in served pages...
    assert not (example_copy / "output").exists()  # ...which are built privately, not into output/

    edit(example_copy / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    server.wait_for(lambda: "Prototype Rectification Revisited" in server.get(PAGE)[2])
    assert "Prototype Rectification Revisited" in server.get("/")[2]


def test_content_error_keeps_last_good_site_and_shows_overlay(serve, example_copy, edit):
    server = serve()
    epoch = server.status()["epoch"]
    edit(example_copy / PAPER, "date: 2019-11-25", "date: 2019-02-30")
    status = server.wait_for(lambda: (s := server.status())["epoch"] > epoch and s)
    assert status["errors"] and status["errors"][0].startswith(f"{PAPER}:")
    assert ": date: impossible date 2019-02-30" in status["errors"][0]
    code, _, body = server.get(PAGE)
    assert code == 200 and "Prototype Rectification" in body  # the last good page
    assert 'id="cvsite-errors"' in body and "date: impossible date 2019-02-30" in body
    assert server.process.poll() is None

    edit(example_copy / PAPER, "date: 2019-02-30", "date: 2019-11-25")
    server.wait_for(lambda: not server.status()["errors"])
    assert 'id="cvsite-errors"' not in server.get(PAGE)[2]


def test_a_site_broken_from_the_start_is_served_once_fixed(serve, example_copy, edit):
    edit(example_copy / PAPER, "category: CV", "category: CVV")
    server = serve()  # starts anyway
    code, _, body = server.get(PAGE)
    assert code == 503 and 'id="cvsite-errors"' in body and "category: unknown category &#x27;CVV&#x27;" in body
    edit(example_copy / PAPER, "category: CVV", "category: CV")
    server.wait_for(lambda: server.get(PAGE)[0] == 200)
    assert 'id="cvsite-errors"' not in server.get(PAGE)[2]


def test_error_lines_are_printed_in_the_terminal(serve, example_copy, edit):
    server = serve()
    edit(example_copy / PAPER, "category: CV", "category: CVV")
    server.wait_for(lambda: server.status()["errors"])
    assert server.stop() == 0
    err = server.process.stderr.read()
    assert f"{PAPER}:" in err and "category: unknown category 'CVV'" in err and "Traceback" not in err


def test_serves_under_a_sub_path_like_github_pages(serve):
    server = serve("--base-url", "/repo/")
    assert server.url == f"{server.origin}/repo/"
    assert server.get("/repo/")[0] == 200
    assert server.get(f"/repo{PAGE}")[0] == 200
    assert server.get(PAGE)[0] == 404  # outside the project path
    code, headers, body = server.get("/repo/no/such/page/")
    assert code == 404 and "Page not found" in body and headers["Content-Type"].startswith("text/html")
    assert 'href="/repo/assets/style.css"' in body  # the 404 page links from the base path
    assert server.get("/repo/feed.xml")[1]["Content-Type"] == "application/xml"
    assert server.get("/repo/assets/style.css")[1]["Content-Type"].startswith("text/css")
    assert server.get("/")[0] == 200  # redirected to /repo/


def test_directory_without_slash_redirects_and_no_listings(serve):
    import urllib.request

    server = serve()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(server.origin + "/papers", timeout=10)
    assert caught.value.code == 301 and caught.value.headers["Location"] == "/papers/"
    code, _, body = server.get("/assets/")
    assert code == 404 and "Page not found" in body and "Index of" not in body


def test_path_traversal_is_refused(serve, tmp_path):
    import http.client

    server = serve()
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve")
    for target in (
        "/../secret.txt",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/papers/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "/%5c..%5c..%5cetc%5cpasswd",
        "/index.html%00.css",
        "//etc/passwd",
        f"/{tmp_path}/secret.txt",
    ):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.putrequest("GET", target, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        assert response.status in (400, 403, 404), target
        assert "do not serve" not in body and "root:" not in body, target
        conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.putrequest("GET", "http://evil.example/etc/passwd", skip_host=True)
    conn.endheaders()
    assert conn.getresponse().status == 400


def test_only_get_and_head(serve):
    import urllib.request

    server = serve()
    request = urllib.request.Request(server.origin + "/", data=b"x", method="POST")
    try:
        urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as error:
        assert error.code == 405
    else:
        raise AssertionError("POST must be refused")


def test_keeps_serving_under_concurrent_load(serve):
    server = serve()
    paths = ["/", PAGE, "/categories/", "/years/2025/", "/assets/style.css", "/missing/"] * 40

    def fetch(path):
        return server.get(path, timeout=30)[0]

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(fetch, paths))
    assert codes.count(200) == 200 and codes.count(404) == 40


def test_requests_during_rebuilds_see_whole_pages(serve, example_copy, edit):
    import threading

    server = serve()
    titles = ["Prototype Rectification"] + [f"Prototype Rectification {i}" for i in range(1, 6)]
    done, answers = threading.Event(), []

    def hammer():
        while not done.is_set():
            answers.append(server.get(PAGE, timeout=30))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    try:
        for old, new in zip(titles, titles[1:]):
            edit(example_copy / PAPER, f"title: {old} for", f"title: {new} for")
            server.wait_for(lambda new=new: f"{new} for" in server.get(PAGE)[2])
    finally:
        done.set()
        for thread in threads:
            thread.join(30)
    assert len(answers) > 50
    for code, _, body in answers:
        assert code == 200 and body.rstrip().endswith("</html>")
        assert any(f"<h1>{title} for Few-Shot Learning</h1>" in body for title in titles), body[:300]


def test_a_burst_of_changes_gives_a_bounded_number_of_rebuilds(serve, example_copy):
    server = serve()
    before = server.status()["builds"]
    papers = sorted((example_copy / "content/papers").glob("*.md"))
    for i in range(200):
        path = papers[i % len(papers)]
        path.write_text(path.read_text(encoding="utf-8") + ("\n" if i % 2 else ""), encoding="utf-8")
    marker = example_copy / "content/papers/zz-last.md"
    marker.write_text("---\ntitle: Last of the burst\nauthors: [A]\ndate: 2020\ncategory: CV\n---\n", encoding="utf-8")
    server.wait_for(lambda: "Last of the burst" in server.get("/")[2])
    rebuilds = server.status()["builds"] - before
    assert 1 <= rebuilds <= 5, rebuilds


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "term"])
@pytest.mark.parametrize("mode", [(), ("--no-reload",)], ids=["live", "no-reload"])
def test_ctrl_c_stops_cleanly_and_leaves_no_temporary_folder(serve, sig, mode):
    server = serve(*mode)
    assert list(server.tmp.glob("cvsite-serve-*"))  # the private build folder exists while serving
    assert server.stop(sig) == 0
    assert list(server.tmp.glob("cvsite-serve-*")) == []
    assert "Stopped." in server.process.stdout.read()


def test_a_busy_port_is_a_usage_error_and_leaves_nothing_behind(serve, example_copy, tmp_path):
    import os

    server = serve()
    tmp = tmp_path / "second"
    tmp.mkdir()
    second = subprocess.run(
        [sys.executable, "-m", "generator", "serve", "--site", str(example_copy), "--port", str(server.port)],
        capture_output=True,
        text=True,
        timeout=30,
        env=dict(os.environ, PYTHONPATH=str(REPO), TMPDIR=str(tmp)),
    )
    assert second.returncode == 2 and f"cannot listen on 127.0.0.1:{server.port}" in second.stderr
    assert list(tmp.iterdir()) == []


def test_a_static_folder_added_while_serving_is_served(serve, example_copy):
    server = serve()
    assert server.get("/cv.txt")[0] == 404
    (example_copy / "static").mkdir()
    (example_copy / "static/cv.txt").write_text("curriculum vitae", encoding="utf-8")
    server.wait_for(lambda: server.get("/cv.txt")[0] == 200)
    assert server.get("/cv.txt")[1]["Content-Type"] == "text/plain; charset=utf-8"
    (example_copy / "static/cv.txt").write_text("curriculum vitae, updated", encoding="utf-8")
    server.wait_for(lambda: server.get("/cv.txt")[2] == "curriculum vitae, updated")


def test_drafts_are_served_only_with_drafts(serve, example_copy):
    (example_copy / "content/papers/work-in-progress.md").write_text(
        "---\ntitle: Work in Progress\nauthors: [A. Author]\ndate: 2024\ncategory: CV\ndraft: true\n---\n", encoding="utf-8"
    )
    assert serve().get("/papers/work-in-progress/")[0] == 404
    code, _, body = serve("--drafts").get("/papers/work-in-progress/")
    assert code == 200 and "Work in Progress" in body


def test_no_reload_serves_without_the_script(serve):
    server = serve("--no-reload")
    body = server.get("/")[2]
    assert "livereload" not in body and "Liang Song" in body


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(c) for c in (task / "children").read_text().split())
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from /proc (Linux)")
def test_no_reload_keeps_no_renderer_process(serve):
    """The renderer that follows edits is forked only when files are watched: with --no-reload it
    would hold a copy of the site's memory for edits that never come."""
    assert children(serve().process.pid)  # watching: the renderer of the pages of every paper
    assert children(serve("--no-reload").process.pid) == set()


def test_the_served_folder_after_saves_equals_a_clean_build(serve, example_copy, edit, tmp_path):
    """Saved as a researcher saves (the watcher sees it): a paper's title, then the profile."""
    from generator.cli import main

    server = serve()
    edit(example_copy / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    server.wait_for(lambda: "Prototype Rectification Revisited" in server.get("/cv/")[2] and server.status()["pending"] == 0)
    edit(example_copy / "content/profile.md", "name: Liang Song", "name: L. Song")
    server.wait_for(lambda: "L. Song" in server.get(PAGE)[2] and server.status()["pending"] == 0)
    served = next(server.tmp.glob("cvsite-serve-*"))
    clean = tmp_path / "clean"
    assert main(["build", "--site", str(example_copy), "--output", str(clean), "--no-cache", "--base-url", server.url]) == 0

    def tree(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    built = tree(clean)
    built.pop(".cvsite-manifest.json")
    assert tree(served) == built
