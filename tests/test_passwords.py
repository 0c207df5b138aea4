"""Passwords are kept with the parameters set (PASSWORD_HASH), and older hashes move to them."""

import time

from werkzeug.security import generate_password_hash

from board.extensions import db
from board.models import User
from helpers import PASSWORD, account, make_test_app, text_of

WERKZEUG_DEFAULT = "scrypt:32768:8:1"  # how every password was kept before PASSWORD_HASH


def keep_password(app, username: str, method: str) -> None:
    with app.app_context():
        person = User.by_username(username)
        person.password_hash = generate_password_hash(PASSWORD, method=method)
        db.session.commit()


def test_the_default_takes_8_mib_a_hash(app):
    # scrypt's memory is 128 * r * N bytes.
    name, n, r, p = app.config["PASSWORD_HASH"].split(":")
    assert (name, 128 * int(n) * int(r), int(p)) == ("scrypt", 8 * 1024 * 1024, 10)


def test_an_older_hash_is_made_again_at_sign_in_without_ending_other_sessions(app, client, auth, make_user):
    make_user("olwen")
    keep_password(app, "olwen", WERKZEUG_DEFAULT)
    token = account(app, "olwen").session_token

    response = auth.login("olwen")

    assert response.status_code == 302
    person = account(app, "olwen")
    assert person.password_hash.startswith(app.config["PASSWORD_HASH"] + "$")
    assert person.session_token == token
    with app.app_context():
        assert person.check_password(PASSWORD)
        assert not person.check_password(PASSWORD + "x")
    assert "olwen" in text_of(client.get("/dashboard"))


def test_a_wrong_password_leaves_an_older_hash_as_it_is(app, auth, make_user):
    make_user("olwen")
    keep_password(app, "olwen", WERKZEUG_DEFAULT)
    before = account(app, "olwen").password_hash

    response = auth.login("olwen", PASSWORD + "x")

    assert response.status_code == 422
    assert "do not match" in text_of(response)
    assert account(app, "olwen").password_hash == before


def test_the_parameters_are_a_setting(monkeypatch, database_url):
    monkeypatch.setenv("PASSWORD_HASH", "pbkdf2:sha256:1000")
    app = make_test_app(database_url)
    with app.app_context():
        person = User(username="pat", email="pat@example.org", password_hash="")
        person.set_password(PASSWORD)
        assert person.password_hash.startswith("pbkdf2:sha256:1000$")
        assert person.check_password(PASSWORD)
        db.engine.dispose()


def test_checking_an_older_quicker_hash_takes_as_long_as_a_sign_in_with_an_unknown_name(app, auth, make_user):
    # Otherwise how long a wrong password takes would tell whether an account exists.
    make_user("olwen")
    keep_password(app, "olwen", "pbkdf2:sha256:1")  # checked in microseconds

    def seconds(login: str) -> float:
        started = time.perf_counter()
        assert auth.login(login, "not the password").status_code == 422
        return time.perf_counter() - started

    unknown = sorted(seconds("nobody-here") for _ in range(3))[1]
    older = sorted(seconds("olwen") for _ in range(3))[1]
    assert older >= 0.5 * unknown  # without the wait: a hundredth of it
