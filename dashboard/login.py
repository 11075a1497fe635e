"""The sign-in page (/login, Chinese and English), sign-out (/logout), and the session's settings.

A plain Flask page, not a Dash one: it must work before anything else is allowed, with no
callbacks. Failed sign-ins are counted per address and per user name in the audit log, so the
limit holds across every worker and server.
"""
from __future__ import annotations

import datetime as dt
import secrets
import time
import urllib.parse
from pathlib import Path

import flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import i18n
from .auth import Guard, csrf_ok, new_csrf
from .data import accounts
from .service import DatabaseUnavailable
from .settings import Settings

PAGE = """<!DOCTYPE html>
<html lang="{{ 'zh-CN' if lang == 'zh' else 'en' }}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t('login_title') }} · {{ t('app_title') }}</title>
<link rel="stylesheet" href="{{ prefix }}assets/login.css"></head>
<body class="login-body">
<main class="login-card">
  <h1 class="login-app">{{ t('app_title') }}</h1>
  <h2 class="login-title">{{ t('login_title') }}</h2>
  {% if message %}<p class="login-message" role="alert">{{ message }}</p>{% endif %}
  <form method="post" action="{{ prefix }}login?lang={{ lang }}" autocomplete="on">
    <input type="hidden" name="csrf_token" value="{{ csrf }}">
    <input type="hidden" name="next" value="{{ next }}">
    <label for="username">{{ t('login_user') }}</label>
    <input id="username" name="username" value="{{ username }}" autocomplete="username" required autofocus>
    <label for="password">{{ t('login_password') }}</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit">{{ t('login_submit') }}</button>
  </form>
  <p class="login-lang"><a href="{{ prefix }}login?lang={{ other }}&amp;next={{ next | urlencode }}">{{ t('login_other_lang') }}</a></p>
</main>
</body></html>"""


def configure(server: flask.Flask, settings: Settings) -> None:
    """Session cookies (signed, HttpOnly, SameSite=Lax, expiring with the sign-in), body size, proxies."""
    server.config.update(
        SECRET_KEY=settings.secret_key or _local_secret(settings.var_dir),
        SESSION_COOKIE_NAME="kpi_session", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        SESSION_REFRESH_EACH_REQUEST=False,  # expiry counts from the sign-in (iat), not from the last request
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.session_hours),
        # No request body beyond an upload's (base64 in JSON: 4/3 of the file, plus room).
        MAX_CONTENT_LENGTH=int(settings.upload_max_mb * 1024 * 1024 * 4 / 3) + 1024 * 1024)
    if settings.proxies:
        n = settings.proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n, x_host=n)


def register(server: flask.Flask, guard: Guard, settings: Settings) -> None:
    """Add /login and /logout."""
    prefix = guard.prefix

    @server.route("/login", methods=["GET", "POST"])
    def login():
        """The sign-in form; on POST, check the CSRF token, the rate limit and the password."""
        lang = i18n.lang_or_default(flask.request.args.get("lang") or settings.default_lang)
        target = safe_next(flask.request.values.get("next"), prefix)
        if flask.request.method in ("GET", "HEAD"):
            return page(lang, target, prefix)
        if not csrf_ok():
            return page(lang, target, prefix, i18n.t("login_expired", lang), status=400)
        username = (flask.request.form.get("username") or "").strip().lower()[:64]
        address = flask.request.remote_addr
        try:
            with guard.service.engine.connect() as conn:
                since = accounts.utcnow() - dt.timedelta(minutes=settings.login_window_minutes)
                by_address, by_name = accounts.recent_failures(conn, address, username, since)
                # Per address: a guesser at one machine. Per name, more loosely: guessers spread over
                # many machines, without letting one machine lock a colleague out with a few tries.
                if by_address >= settings.login_max_failures or by_name >= 4 * settings.login_max_failures:
                    guard.audit("login_blocked", "denied", None, None, actor=username or "-")
                    return page(lang, target, prefix, i18n.t("login_blocked", lang,
                                minutes=settings.login_window_minutes), username, status=429)
                user = accounts.authenticate(conn, username, flask.request.form.get("password") or "")
        except DatabaseUnavailable:
            return page(lang, target, prefix, i18n.t("login_unavailable", lang), username, status=503)
        if user is None:
            guard.audit("login_failed", "failed", None, None, actor=username or "-")
            return page(lang, target, prefix, i18n.t("login_failed", lang), username, status=401)
        flask.session.clear()  # a new session for a new sign-in (no fixation)
        flask.session.update(uid=user.id, gen=user.generation, iat=time.time(), csrf=new_csrf())
        flask.session.permanent = True
        guard.audit("login", "ok", None, f"role {user.role}", actor=user.username)
        return flask.redirect(target)

    @server.post("/logout")
    def logout():
        """End the session (a POST with the CSRF token, so no other site can sign a user out)."""
        principal = flask.g.get("principal")
        if principal is not None and principal.kind == "user":
            guard.audit("logout", "ok", principal)
        flask.session.clear()
        return flask.redirect(prefix + "login")

    del login, logout


def page(lang: str, target: str, prefix: str, message: str = "", username: str = "", status: int = 200):
    """The sign-in page, with a CSRF token in the (pre-sign-in) session."""
    if not flask.session.get("csrf"):
        flask.session["csrf"] = new_csrf()
    html = flask.render_template_string(
        PAGE, lang=lang, other="en" if lang == "zh" else "zh", next=target, prefix=prefix, message=message,
        username=username, csrf=flask.session["csrf"], t=lambda key, **v: i18n.t(key, lang, **v))
    response = flask.make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def safe_next(value: str | None, prefix: str) -> str:
    """Where to go after signing in: a path on this site only (no //host, no scheme), else the start page."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return prefix
    parts = urllib.parse.urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in value):
        return prefix
    return value


def _local_secret(var_dir: Path) -> str:
    """Outside production, a random key kept in var/ so sessions survive a restart (0600)."""
    path = Path(var_dir) / "secret_key"
    try:
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.touch(mode=0o600)
        path.write_text(key)
        return key
    except OSError:
        return secrets.token_hex(32)  # var/ is read-only: sessions last as long as this process

