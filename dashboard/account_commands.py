"""The `kpi-dashboard user ...`, `wall-token ...` and `audit` commands: accounts for people and screens."""
from __future__ import annotations

import getpass
import sys

from .commands import os_login
from .data import accounts, db
from .settings import Settings


def add_parsers(sub) -> None:
    """The sub-commands' argument parsers."""
    p = sub.add_parser("user", help="manage sign-in accounts: add, set-role, passwd, disable, enable, list")
    actions = p.add_subparsers(dest="action", required=True)
    a = actions.add_parser("add", help="create an account (the password is asked for, or read from stdin)")
    a.add_argument("username")
    a.add_argument("--role", required=True, choices=accounts.ROLES)
    a.add_argument("--township", default=None, help="township code (the township role only)")
    a.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    a = actions.add_parser("set-role", help="change an account's role (its sessions end)")
    a.add_argument("username")
    a.add_argument("role", choices=accounts.ROLES)
    a.add_argument("--township", default=None, help="township code (the township role only)")
    a = actions.add_parser("passwd", help="set a new password (the account's sessions end)")
    a.add_argument("username")
    a.add_argument("--password-stdin", action="store_true")
    for name, text in (("disable", "disable an account: its sessions end at once"), ("enable", "enable it again")):
        actions.add_parser(name, help=text).add_argument("username")
    actions.add_parser("list", help="every account with its role and state")

    p = sub.add_parser("wall-token", help="tokens for wall screens: create, revoke, list")
    actions = p.add_subparsers(dest="action", required=True)
    a = actions.add_parser("create", help="a new token; printed once, with the /wall address to open")
    a.add_argument("--label", required=True, help="which screen, e.g. '三楼会议室'")
    a.add_argument("--base-url", default="http://<server>", help="the dashboard's address, for the printed URL")
    a = actions.add_parser("revoke", help="revoke a token by id: its screens get no more data")
    a.add_argument("id", type=int)
    actions.add_parser("list", help="every token by id, label and state (never the token itself)")

    p = sub.add_parser("audit", help="print the latest lines of the audit log")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--action", default=None, help="only this action (login, login_failed, upload, export, ...)")


def cmd_user(settings: Settings, args) -> int:
    """Account management; errors are one line on stderr and exit status 2."""
    engine = db.make_engine(settings.resolved_database_url())
    try:
        if args.action == "list":
            _print_users(accounts.list_users(engine))
            return 0
        if args.action == "add":
            user = accounts.add_user(engine, args.username, _password(args), args.role, args.township)
        elif args.action == "set-role":
            user = accounts.set_role(engine, args.username, args.role, args.township)
        elif args.action == "passwd":
            user = accounts.set_password(engine, args.username, _password(args))
        else:
            user = accounts.set_disabled(engine, args.username, args.action == "disable")
        _audit(engine, f"user_{args.action}", f"{user.username} role={user.role} township={user.township_code}")
    except accounts.AccountError as exc:
        print(f"kpi-dashboard user {args.action}: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    _print_users([user])
    return 0


def cmd_wall_token(settings: Settings, args) -> int:
    """Wall-token management."""
    engine = db.make_engine(settings.resolved_database_url())
    try:
        if args.action == "list":
            for t in accounts.list_tokens(engine):
                state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M} UTC" if t.revoked_at else "valid"
                print(f"{t.id:>4}  {state:<26} {t.created_at:%Y-%m-%d} {t.created_by:<12} {t.label}")
            return 0
        if args.action == "create":
            record, token = accounts.create_token(engine, args.label, os_login())
            _audit(engine, "wall_token_create", f"token {record.id} ({record.label})")
            print(f"wall token {record.id} ({record.label}) created. It is shown only now; keep it like a password.")
            print(f"token: {token}")
            print(f"open:  {args.base_url.rstrip('/')}/wall?token={token}&units=all")
            return 0
        record = accounts.revoke_token(engine, args.id)
        _audit(engine, "wall_token_revoke", f"token {record.id} ({record.label})")
        print(f"wall token {record.id} ({record.label}) revoked at {record.revoked_at:%Y-%m-%d %H:%M:%S} UTC")
        return 0
    except accounts.AccountError as exc:
        print(f"kpi-dashboard wall-token {args.action}: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


def cmd_audit(settings: Settings, args) -> int:
    """The latest audit lines, newest first, tab-separated."""
    engine = db.make_engine(settings.resolved_database_url())
    try:
        for e in accounts.audit_entries(engine, args.limit, args.action):
            print("\t".join([f"{e['at']:%Y-%m-%d %H:%M:%S}", e["actor"], e["action"], e["outcome"],
                             e["address"] or "-", (e["detail"] or "").replace("\n", " ")]))
    finally:
        engine.dispose()
    return 0


def _password(args) -> str:
    """The password from stdin (--password-stdin) or asked for twice on the terminal."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise accounts.AccountError("the two passwords differ")
    return first


def _print_users(users) -> None:
    for u in users:
        state = "disabled" if u.disabled else "enabled"
        print(f"{u.username:<24} {u.role:<9} {u.township_code or '-':<13} {state}")


def _audit(engine, action: str, detail: str) -> None:
    with engine.begin() as conn:
        accounts.audit(conn, f"cli:{os_login()}", action, "ok", None, detail)
