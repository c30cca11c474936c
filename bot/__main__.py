"""Entry point: `python -m bot [console]` (interfaces.md)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from bot.domain.clock import SystemClock
from bot.runtime import event_loop
from bot.safe_logging import configure_logging
from bot.settings import NO_ENCRYPTION_KEY_MESSAGE, Settings, SettingsError, load_settings
from bot.support.cli import add_logs_arguments, add_stats_arguments
from storage.sqlite.database import UnusableDatabase

log = logging.getLogger("bot")

EXIT_CONFIG = 2
EXIT_FAILED = 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="VK Cloud onboarding bot")
    modes = parser.add_subparsers(dest="mode", metavar="mode")
    modes.add_parser("polling", help="run against Telegram with long polling (the default)")
    console = modes.add_parser(
        "console",
        help="run in this terminal, with no Telegram and no token",
        description=(
            "Talk to the bot in this terminal as a Telegram user would: no token, no"
            " network. Type messages; a number presses the button shown with it (1, 2, ..."
            " for the buttons under messages, k1, k2 for the keyboard under the input"
            " field); start a line with a space to send a number as text; paste a link"
            " from an email to open it. Ctrl-D ends the session, and everything is kept:"
            " run the same command again to continue. Emails and SMS are printed here."
        ),
    )
    console.add_argument(
        "--language",
        choices=("ru", "en"),
        help="the person's Telegram language (default: from LANG, else English)",
    )
    console.add_argument(
        "--user-id",
        type=_user_id,
        default=None,
        help="the Telegram user id to be (default: one console user); another id is"
        " another person, with their own registration",
    )
    modes.add_parser("webhook", help="run behind a webhook (aiohttp), WEBHOOK_* settings")
    # The only place the support tools take the machine's time: the clock adapter.
    clock = SystemClock()
    add_logs_arguments(
        modes.add_parser("logs", help="read the conversation log (support staff)"), clock
    )
    add_stats_arguments(modes.add_parser("stats", help="the registration funnel"), clock)
    backup_parser = modes.add_parser("backup", help="a consistent copy of the live database")
    backup_parser.add_argument("path", type=Path, help="the new file to write")
    modes.add_parser("check", help="database integrity and migration status")
    modes.add_parser(
        "dashboard",
        help="the support staff's web dashboard, on DASHBOARD_HOST:DASHBOARD_PORT",
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG

    # Each mode imports what it needs when it runs: the support tools (logs, stats,
    # check, backup) never import aiogram, and start at once (issue 20).
    if args.mode == "backup":
        if settings.database_url is not None:
            print(
                "backup: the data is in PostgreSQL (DATABASE_URL); back it up with pg_dump,"
                " see docs/deployment.md",
                file=sys.stderr,
            )
            return 1
        from bot.support.maintenance import backup

        return backup(settings.database_path, args.path, _print_line)
    if args.mode == "check":
        from bot.support.maintenance import check_all

        return event_loop.run(check_all(settings, _print_line))
    if args.mode in ("logs", "stats"):
        from bot.support.cli import run_logs, run_stats

        _configure_logging("WARNING")
        run = run_logs if args.mode == "logs" else run_stats
        try:
            return event_loop.run(run(settings, args, _print_line))
        except KeyboardInterrupt:
            return 0  # --follow ends with Ctrl-C

    if args.mode == "dashboard":
        from bot.dashboard.server import run_dashboard

        _configure_logging(settings.log_level, settings)
        try:
            return event_loop.run(run_dashboard(settings))
        except UnusableDatabase as exc:
            return _unusable(exc)

    if args.mode == "console":
        # The console is the person's screen: only warnings go to stderr.
        from bot.runtime.console import run_console

        _configure_logging("WARNING")
        try:
            event_loop.run(
                run_console(
                    settings,
                    language=args.language,
                    **({} if args.user_id is None else {"user_id": args.user_id}),
                )
            )
        except KeyboardInterrupt:
            # Ctrl-C in the terminal: the database was closed on the way out.
            return 130
        except UnusableDatabase as exc:
            return _unusable(exc)
        return 0

    if settings.bot_token is None:
        print(
            "configuration error: BOT_TOKEN is not set; set it in the environment or .env, "
            "or try the bot without Telegram: python -m bot console",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    if settings.secret_key is None:
        print(f"configuration error: {NO_ENCRYPTION_KEY_MESSAGE}", file=sys.stderr)
        return EXIT_CONFIG
    test_backends = settings.test_backends()
    if test_backends and not settings.allow_test_backends:
        # R21: production never runs on fakes without saying so.
        print(
            f"configuration error: {', '.join(test_backends)}: these only pretend to send"
            " emails, SMS or take payments; set EMAIL_BACKEND=smtp, SMS_BACKEND=http and"
            " PAYMENT_BACKEND=telegram, or ALLOW_TEST_BACKENDS=true to run with them anyway",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    if args.mode == "webhook" and (settings.webhook_url is None or settings.webhook_secret is None):
        print(
            "configuration error: WEBHOOK_URL and WEBHOOK_SECRET must be set for webhook mode",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    from bot.runtime.server import BotTokenRefused, run_server

    _configure_logging(settings.log_level, settings)
    try:
        event_loop.run(run_server(settings, webhook=args.mode == "webhook"))
    except UnusableDatabase as exc:
        return _unusable(exc)
    except BotTokenRefused:
        print(
            "configuration error: Telegram refused BOT_TOKEN (Unauthorized); copy the"
            " token from @BotFather again",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    return 0


def _user_id(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**52:
        raise argparse.ArgumentTypeError(f"{text!r} is not a Telegram user id (digits)")
    return int(text)


def _unusable(exc: UnusableDatabase) -> int:
    """One line, no traceback: which file, and what to run (issue 16)."""
    print(
        f"database error: {exc.path} is not a usable SQLite database ({exc.reason});"
        " run python -m bot check, or restore it from a backup (README)",
        file=sys.stderr,
    )
    return EXIT_FAILED


def _print_line(line: str) -> None:
    # Flushed at once, so that `--follow` piped into another tool is live.
    print(line, flush=True)


def _configure_logging(level: str, settings: Settings | None = None) -> None:
    configure_logging(level, [] if settings is None else settings.secret_values())


def run_from_the_command_line() -> int:
    """`main`, and a reader that stops reading (`python -m bot stats | head`) ends the
    command quietly: what it took is printed, the rest is not wanted."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # The interpreter flushes stdout again on exit: point it at nothing first
        # (the recipe of Python's signal module documentation).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":
    sys.exit(run_from_the_command_line())
