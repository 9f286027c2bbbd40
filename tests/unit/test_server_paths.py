"""The preview server's file serving, in-process: symlinks, prefixes, content types, injection."""

from __future__ import annotations

import http.client
import threading

import pytest

from generator.pipeline import BuildOptions
from generator.server import Preview, PreviewServer, inject, normalise_prefix, preview_options


@pytest.fixture
def running(example_copy, tmp_path):
    def start(prefix="/"):
        preview = Preview(BuildOptions(example_copy), temp_root=str(tmp_path))
        server = PreviewServer(("127.0.0.1", 0), preview, prefix)
        preview.options = preview_options(preview.options, "127.0.0.1", server.server_address[1], prefix)
        assert preview.rebuild()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append((server, preview))
        return server, preview

    started = []
    yield start
    for server, preview in started:
        server.stop()
        preview.close()


def request(server, target):
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    conn.putrequest("GET", target, skip_accept_encoding=True)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, response.headers, body


def test_symlink_pointing_outside_is_forbidden(running, tmp_path):
    server, preview = running()
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    (preview.root / "leak.txt").symlink_to(secret)
    (preview.root / "leakdir").symlink_to(tmp_path, target_is_directory=True)
    for target in ("/leak.txt", "/leakdir/secret.txt"):
        status, _, body = request(server, target)
        assert status == 403 and b"private" not in body


def test_symlink_inside_the_site_is_served(running):
    server, preview = running()
    (preview.root / "alias.css").symlink_to(preview.root / "assets" / "style.css")
    status, headers, body = request(server, "/alias.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")


@pytest.mark.parametrize(
    "target",
    ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/a/%2E%2E/%2E%2E/etc/passwd", "/%5C..%5Cetc", "/x%00.html", "/./index.html"],
)
def test_traversal_and_odd_paths_are_not_found(running, target):
    server, _ = running()
    status, _, body = request(server, target)
    assert status in (400, 403, 404) and b"root:" not in body


def test_prefix_handling(running):
    server, _ = running("/repo/")
    assert request(server, "/repo/")[0] == 200
    status, headers, _ = request(server, "/repo")
    assert status == 301 and headers["Location"] == "/repo/"
    assert request(server, "/")[0] == 301
    assert request(server, "/papers/")[0] == 404


@pytest.mark.parametrize(
    "given, prefix",
    [("", "/"), ("/", "/"), ("repo", "/repo/"), ("/repo", "/repo/"), ("/a/b/", "/a/b/"), ("https://user.github.io/repo/", "/repo/")],
)
def test_normalise_prefix(given, prefix):
    assert normalise_prefix(given) == prefix


def test_injection_goes_before_body_end_and_escapes_errors():
    page = b"<html><body><p>x</p></body></html>"
    out = inject(page, "ab-7", ["content/x.md:3: title: <script>alert(1)</script>"]).decode()
    assert out.index('data-version="ab-7"') < out.index("</body>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "<script>alert" not in out
    assert "livereload" not in inject(page, "ab-1", [], live=False).decode()


def test_built_output_never_contains_the_reload_script(running):
    _, preview = running()
    for page in preview.root.rglob("*.html"):
        assert b"livereload" not in page.read_bytes() and b"__cvsite" not in page.read_bytes()


def test_rebuild_writes_only_what_changed_and_removes_deleted_pages(running, example_copy):
    server, preview = running()
    about = preview.root / "papers/korgym-a-dynamic-game-platform-for-llm-reasoning/index.html"
    untouched = preview.root / "papers/biopt-bi-level-optimization-for-few-shot/index.html"
    before = untouched.stat().st_mtime_ns
    (example_copy / "content/papers/korgym-a-dynamic-game-platform-for-llm-reasoning.md").unlink()
    assert preview.rebuild()
    assert not about.exists()
    assert untouched.stat().st_mtime_ns == before
    assert request(server, "/papers/korgym-a-dynamic-game-platform-for-llm-reasoning/")[0] == 404


def test_redirect_to_a_folder_with_a_non_ascii_name_is_percent_encoded(running):
    server, preview = running("/repo/")
    (preview.root / "café 東京").mkdir()
    (preview.root / "café 東京" / "index.html").write_text("<p>x</p>", encoding="utf-8")
    status, headers, _ = request(server, "/repo/caf%C3%A9%20%E6%9D%B1%E4%BA%AC")
    assert status == 301 and headers["Location"] == "/repo/caf%C3%A9%20%E6%9D%B1%E4%BA%AC/"
    assert request(server, headers["Location"])[0] == 200


@pytest.mark.parametrize("target", ["//etc/passwd", "/papers//index.html", "/%2Fetc/passwd"])
def test_empty_segments_never_reach_the_file_system_as_absolute_paths(running, target):
    server, _ = running()
    status, _, body = request(server, target)
    assert status == 404 and b"root:" not in body


def test_pages_are_told_only_when_something_they_show_changed(running, example_copy, edit):
    _, preview = running()
    paper = example_copy / "content/papers/prototype-rectification-for-few-shot-learning.md"
    epoch = preview.epoch
    assert preview.rebuild() and preview.epoch == epoch  # nothing changed: no reload
    edit(paper, "date: 2019-11-25", "date: 2019-02-30")
    assert not preview.rebuild() and preview.epoch == epoch + 1 and preview.errors
    assert not preview.rebuild() and preview.epoch == epoch + 1  # the same errors again
    edit(paper, "date: 2019-02-30", "date: 2019-11-25")
    assert preview.rebuild() and preview.epoch == epoch + 2 and not preview.errors


def test_a_restarted_server_has_new_versions(example_copy, tmp_path):
    first, second = (Preview(BuildOptions(example_copy), temp_root=str(tmp_path)) for _ in range(2))
    try:
        assert first.epoch == second.epoch and first.version != second.version
    finally:
        first.close()
        second.close()


def test_static_files_follow_their_sources(running, example_copy):
    import os

    note = example_copy / "static/note.txt"
    note.parent.mkdir()
    note.write_text("first")
    server, preview = running()
    assert request(server, "/note.txt")[2] == b"first"
    note.write_text("again")  # same size: only the stamp tells
    os.utime(note, ns=(note.stat().st_atime_ns, note.stat().st_mtime_ns + 1_000_000))
    assert preview.rebuild() and request(server, "/note.txt")[2] == b"again"
    note.unlink()
    assert preview.rebuild() and request(server, "/note.txt")[0] == 404


def test_injection_leaves_a_page_in_another_encoding_intact():
    page = "<html><body><p>Universität</p></BODY></html>".encode("latin-1")
    out = inject(page, "ab-1", [])
    assert out.startswith("<html><body><p>Universität</p><script".encode("latin-1")) and out.endswith(b"</BODY></html>")


def test_head_on_the_event_stream_answers_at_once(running):
    import socket

    server, _ = running()
    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=5) as sock:
        sock.sendall(b"HEAD /__cvsite/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while chunk := sock.recv(4096):  # the server closes the connection: no endless stream
            answer += chunk
    assert answer.startswith(b"HTTP/1.0 200") or answer.startswith(b"HTTP/1.1 200")
    assert b"text/event-stream" in answer and b"data:" not in answer


def test_after_edits_the_served_folder_equals_a_clean_build(running, example_copy, edit, tmp_path):
    from generator.pipeline import build

    _, preview = running()
    papers = example_copy / "content/papers"
    edit(papers / "prototype-rectification-for-few-shot-learning.md", "title: Prototype", "title: Revised Prototype")
    assert preview.rebuild()
    (papers / "korgym-a-dynamic-game-platform-for-llm-reasoning.md").unlink()
    (papers / "new-one.md").write_text(
        "---\ntitle: A New One\nauthors: [A. Author]\ndate: 2021-03\ncategory: LG\n---\nx\n", encoding="utf-8"
    )
    (example_copy / "static").mkdir()
    (example_copy / "static/me.txt").write_text("me", encoding="utf-8")
    assert preview.rebuild()

    out = tmp_path / "clean"
    build(BuildOptions(example_copy, out, base_url=preview.options.base_url))
    served = {p.relative_to(preview.root).as_posix(): p.read_bytes() for p in preview.root.rglob("*") if p.is_file()}
    clean = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != ".cvsite-manifest.json"}
    assert sorted(served) == sorted(clean)
    assert [rel for rel in served if served[rel] != clean[rel]] == []


def test_an_ipv6_host_can_be_asked_for(example_copy, tmp_path):
    preview = Preview(BuildOptions(example_copy), temp_root=str(tmp_path))
    try:
        server = PreviewServer(("::1", 0), preview, "/")
    except OSError as exc:  # no IPv6 here
        preview.close()
        pytest.skip(f"no IPv6 loopback: {exc}")
    try:
        assert preview.rebuild()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        conn = http.client.HTTPConnection("::1", server.server_address[1], timeout=10)
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        server.stop()
        preview.close()
