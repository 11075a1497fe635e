"""kpi-dashboard user / wall-token / audit: accounts for people and screens, on every backend."""
from __future__ import annotations

import io

import pytest

from dashboard import cli
from dashboard.data import accounts

PASSWORD = "a long enough password"


@pytest.fixture
def env_db(migrated, monkeypatch):
    monkeypatch.setenv("KPI_DATABASE_URL", migrated.url.render_as_string(hide_password=False))
    return migrated


def run(monkeypatch, capsys, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    """The command's exit status, stdout and stderr."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    status = cli.main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_user_add_list_set_role_disable_and_enable(env_db, monkeypatch, capsys):
    status, out, _ = run(monkeypatch, capsys, "user", "add", "Wang.Li", "--role", "city", "--password-stdin",
                         stdin=PASSWORD + "\n")
    assert status == 0 and out.split() == ["wang.li", "city", "-", "enabled"]
    assert run(monkeypatch, capsys, "user", "set-role", "wang.li", "township", "--township", "330782100000")[0] == 0
    assert run(monkeypatch, capsys, "user", "disable", "wang.li")[0] == 0
    status, out, _ = run(monkeypatch, capsys, "user", "list")
    assert out.split() == ["wang.li", "township", "330782100000", "disabled"]
    with env_db.connect() as conn:
        assert accounts.authenticate(conn, "wang.li", PASSWORD) is None  # disabled
    run(monkeypatch, capsys, "user", "enable", "wang.li")
    with env_db.connect() as conn:
        assert accounts.authenticate(conn, "WANG.LI", PASSWORD).role == "township"
    assert run(monkeypatch, capsys, "user", "passwd", "wang.li", "--password-stdin", stdin="another password!\n")[0] == 0
    with env_db.connect() as conn:
        assert accounts.authenticate(conn, "wang.li", PASSWORD) is None
        assert accounts.authenticate(conn, "wang.li", "another password!") is not None


@pytest.mark.parametrize("argv, stdin, message", [
    (["user", "add", "x", "--role", "city", "--password-stdin"], PASSWORD, "user name"),
    (["user", "add", "ok.name", "--role", "city", "--password-stdin"], "short", "at least 10"),
    (["user", "add", "ok.name", "--role", "township", "--password-stdin"], PASSWORD, "needs --township"),
    (["user", "add", "ok.name", "--role", "township", "--township", "330782100001", "--password-stdin"], PASSWORD,
     "not a township code"),
    (["user", "add", "ok.name", "--role", "city", "--township", "330782100000", "--password-stdin"], PASSWORD,
     "only for the township role"),
    (["user", "disable", "nobody"], "", "no user 'nobody'"),
    (["wall-token", "revoke", "99"], "", "no wall token with id 99"),
    (["wall-token", "create", "--label", " "], "", "label"),
])
def test_bad_account_commands_say_why_and_change_nothing(env_db, monkeypatch, capsys, argv, stdin, message):
    status, out, err = run(monkeypatch, capsys, *argv, stdin=stdin + "\n")
    assert status == 2 and message in err and out == ""
    assert accounts.list_users(env_db) == [] and accounts.list_tokens(env_db) == []


def test_a_taken_name_is_refused(env_db, monkeypatch, capsys):
    run(monkeypatch, capsys, "user", "add", "dup", "--role", "viewer", "--password-stdin", stdin=PASSWORD)
    status, _, err = run(monkeypatch, capsys, "user", "add", "DUP", "--role", "admin", "--password-stdin",
                         stdin=PASSWORD)
    assert status == 2 and "exists already" in err
    assert [u.role for u in accounts.list_users(env_db)] == ["viewer"]


def test_wall_tokens_are_shown_once_listed_without_the_token_and_revoked(env_db, monkeypatch, capsys):
    status, out, _ = run(monkeypatch, capsys, "wall-token", "create", "--label", "三楼会议室",
                         "--base-url", "http://kpi.example.org/")
    token = next(line.split()[1] for line in out.splitlines() if line.startswith("token:"))
    assert status == 0 and f"http://kpi.example.org/wall?token={token}&units=all" in out
    with env_db.connect() as conn:
        assert accounts.find_token(conn, token).label == "三楼会议室"
    listed = run(monkeypatch, capsys, "wall-token", "list")[1]
    assert "三楼会议室" in listed and "valid" in listed and token not in listed
    assert run(monkeypatch, capsys, "wall-token", "revoke", "1")[0] == 0
    with env_db.connect() as conn:
        assert accounts.find_token(conn, token) is None
    assert "revoked" in run(monkeypatch, capsys, "wall-token", "list")[1]


def test_the_audit_command_prints_what_the_account_commands_did(env_db, monkeypatch, capsys):
    run(monkeypatch, capsys, "user", "add", "auditor", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    run(monkeypatch, capsys, "wall-token", "create", "--label", "大厅")
    lines = run(monkeypatch, capsys, "audit")[1].splitlines()
    assert [line.split("\t")[2] for line in lines] == ["wall_token_create", "user_add"]
    assert PASSWORD not in "".join(lines)
