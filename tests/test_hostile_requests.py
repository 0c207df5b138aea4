"""Hostile requests against the demo board served by gunicorn: whatever a POST body holds,
the board answers without a server error, without a header the client slipped in, and
every redirect stays on the board. The routes come from the app's URL map, so a new one is
covered without being listed here."""

from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from board import create_app
from board.extensions import db
from board.models import Comment, Idea, Offer, Topic, User
from helpers import PASSWORD, demo_board_served

INJECTED = "X-Injected"
BAD_NEXT = ["/ideas\r\nX-Injected: 1", "/\nX-Injected: 1", "/%0d%0aX-Injected:%201", "/\t/evil.example"]
# These end the session they are sent in: they are sent last.
ENDS_THE_SESSION = {"auth.logout", "people.sign_out_everywhere"}


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    instance = tmp_path_factory.mktemp("hostile")
    with demo_board_served(instance) as url:
        yield url, instance


def post_routes(instance) -> list[tuple[str, str]]:
    """Every POST route of the board, with ids that exist in the demo board."""
    app = create_app({"INSTANCE_PATH": str(instance)})
    with app.app_context():
        first = lambda model: db.session.scalar(select(model.id).order_by(model.id).limit(1))  # noqa: E731
        offer = db.session.scalars(select(Offer).order_by(Offer.id)).first()
        values = {
            "idea_id": first(Idea), "help_request_id": offer.help_request_id, "offer_id": offer.id,
            "comment_id": first(Comment), "person_id": first(User), "item_id": first(Topic),
            "notification_id": 1, "target_id": first(Idea), "kind": "idea", "token": "x",
        }
        routes = []
        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods:
                continue
            args = {name: values.get(name, 1) for name in rule.arguments}
            for name, converter in rule._converters.items():
                if hasattr(converter, "items"):  # <any(a, b):name>: one of its own values
                    args[name] = sorted(converter.items)[0]
            with app.test_request_context():
                from flask import url_for

                routes.append((rule.endpoint, url_for(rule.endpoint, **args)))
        db.engine.dispose()
    routes.sort(key=lambda route: route[0] in ENDS_THE_SESSION)
    return routes


def hostile_bodies(token: str) -> list[tuple[str, dict, bytes]]:
    """(what it is, headers, body) for each hostile body, each carrying a valid CSRF token."""
    t = token.encode()

    def multipart(*parts: bytes, boundary=b"B0UND") -> bytes:
        return b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts) + b"--" + boundary + b"--\r\n"

    token_part = b'Content-Disposition: form-data; name="csrf_token"\r\n\r\n' + t
    bodies = [
        ("bad boundary", {"Content-Type": "multipart/form-data; boundary=OTHER"},
         multipart(token_part, b'Content-Disposition: form-data; name="title"\r\n\r\nx')),
        ("no boundary", {"Content-Type": "multipart/form-data"}, b"--x\r\n\r\n"),
        ("unterminated part", {"Content-Type": "multipart/form-data; boundary=B0UND"},
         b"--B0UND\r\n" + token_part + b"\r\n--B0UND\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nno end"),
        ("json", {"Content-Type": "application/json"},
         b'{"csrf_token": "' + t + b'", "title": ["a", "b"], "description": {"x": 1}, "comment": 5}'),
        ("json list", {"Content-Type": "application/json"}, b"[1, 2, 3]"),
        ("broken json", {"Content-Type": "application/json"}, b'{"csrf_token": '),
        ("text", {"Content-Type": "text/plain"}, b"csrf_token=" + t + b"&title=x"),
        ("garbage type", {"Content-Type": "gar/bage; ;;= \x01"}, b"\x00\xff" * 50),
        ("nul bytes", {"Content-Type": "application/x-www-form-urlencoded"},
         b"csrf_token=" + t + b"&title=a%00b&description=%00&comment=%00&reason=%00&message=%00&body=%00"),
        ("broken utf-8", {"Content-Type": "application/x-www-form-urlencoded"},
         b"csrf_token=" + t + b"&title=\xff\xfe%ff%c3&description=%c3%28&comment=\xc3&name=%ed%a0%80"),
        ("next in the form", {"Content-Type": "application/x-www-form-urlencoded"},
         b"csrf_token=" + t + b"".join(b"&" + name + b"=/%0d%0aX-Injected:%201"
                                        for name in (b"next", b"return", b"redirect"))),
    ]
    names = (b"title", b"description", b"comment", b"upload")
    for name, filename in zip(names, (b"../../etc/passwd", b"a\x00b", b"a\r\nX-Injected: 1", b"x" * 10_000), strict=True):
        file_part = (b'Content-Disposition: form-data; name="' + name + b'"; filename="' + filename
                     + b'"\r\nContent-Type: application/octet-stream\r\n\r\nnot text')
        bodies.append((f"file {name.decode()} {filename[:12]!r}",
                       {"Content-Type": "multipart/form-data; boundary=B0UND"},
                       multipart(token_part, file_part)))
    return bodies


def assert_fine(response, url, what):
    assert response.status_code < 500, f"{what}: {response.status_code} from {response.request.url}"
    assert INJECTED not in response.headers, what
    location = response.headers.get("Location")
    if location:
        parts = urlsplit(location)
        assert parts.netloc in ("", urlsplit(url).netloc), f"{what}: left the board for {location}"
        assert not parts.path.startswith("//"), what
        assert not re.search(r"[\x00-\x1f\x7f]", location), what


def token_of(session, url, page="/login") -> str:
    html = session.get(url + page).text
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("who", ["visitor", "council_team"])
def test_no_hostile_body_gets_a_server_error_on_any_post_route(board, who):
    url, instance = board
    session = requests.Session()
    if who != "visitor":
        token = token_of(session, url)
        signed_in = session.post(url + "/login", allow_redirects=False,
                                 data={"csrf_token": token, "login": who, "password": PASSWORD})
        assert signed_in.status_code == 302
    token = token_of(session, url, "/login" if who == "visitor" else "/ideas/new")
    routes = post_routes(instance)
    assert len(routes) >= 30
    bodies = hostile_bodies(token)
    for endpoint, path in routes:
        for what, headers, body in bodies:
            response = session.post(url + path, data=body, headers=headers, allow_redirects=False,
                                    timeout=10)
            assert_fine(response, url, f"{endpoint} {what}")
        for bad, name in zip(BAD_NEXT, ("next", "return", "redirect", "next"), strict=True):
            response = session.post(url + path, params={name: bad}, allow_redirects=False,
                                    data={"csrf_token": token, name: bad}, timeout=10)
            assert_fine(response, url, f"{endpoint} {name}={bad!r}")


def raw_post(url: str, path: str, declared: int, body: bytes) -> bytes:
    """A POST whose Content-Length says `declared` while `body` is sent: what comes back."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    with socket.create_connection((host, port), timeout=1) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {declared}\r\n\r\n"
            .encode() + body
        )
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return received


@pytest.mark.parametrize("declared, body", [(5000, b"title=short"), (3, b"title=much longer than said"),
                                            (0, b"title=x"), (10**12, b"title=x")])
def test_a_content_length_that_lies_gets_no_server_error(board, declared, body):
    url, instance = board
    for path in ("/login", "/ideas/new", "/help/new"):
        received = raw_post(url, path, declared, body)
        status = re.match(rb"HTTP/1\.[01] (\d{3})", received)
        if status:  # the server may also just wait for the rest, then close
            assert int(status.group(1)) < 500, (path, declared, received[:200])
            assert INJECTED.encode() not in received.split(b"\r\n\r\n")[0]
