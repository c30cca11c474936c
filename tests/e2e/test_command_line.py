"""`python -m bot` from the outside: exit codes, one-line errors, the console."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storage.sqlite.database import sqlite_migrations

pytestmark = pytest.mark.e2e


def run_bot(
    args: list[str], cwd: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    return run_python(["-m", "bot", *args], cwd, stdin, **env)


def run_python(
    args: list[str], cwd: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(cwd),
        "LANG": "en_US.UTF-8",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=120,
        check=False,
    )


def test_without_a_token_polling_stops_with_exit_code_2_and_names_the_way_out(
    tmp_path: Path,
) -> None:
    result = run_bot([], tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "BOT_TOKEN" in line
    assert "python -m bot console" in line


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SMTP_PORT", "abc"),
        ("CARD_CHECK_AMOUNT_RUB", "900"),
        ("EMAIL_BACKEND", "carrier-pigeon"),
        ("SMS_HTTP_URL", "ftp://gateway"),
        ("SECRET_KEY", "not-a-fernet-key"),
        ("SECRET_KEY", "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE="),
        ("DATABASE_URL", "mysql://bot:pass@db/bot"),
        ("REDIS_URL", "memcached://cache"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line_that_names_it(
    tmp_path: Path, name: str, value: str
) -> None:
    result = run_bot(["console"], tmp_path, **{name: value})
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert name in line


def test_polling_without_a_secret_key_stops_and_says_how_to_make_one(tmp_path: Path) -> None:
    result = run_bot([], tmp_path, BOT_TOKEN="1:x")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "SECRET_KEY" in line
    assert "Fernet.generate_key()" in line


def test_the_http_sms_backend_without_a_gateway_url_is_refused_at_start_up(
    tmp_path: Path,
) -> None:
    result = run_bot(["console"], tmp_path, SMS_BACKEND="http")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "SMS_HTTP_URL" in line


def test_a_setting_from_the_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SMTP_PORT=not-a-port\n")
    result = run_bot(["console"], tmp_path)
    assert result.returncode == 2
    assert "SMTP_PORT" in result.stderr


def test_the_console_signs_up_follows_the_printed_link_and_resumes_after_reopening(
    tmp_path: Path,
) -> None:
    first = run_bot(["console"], tmp_path, stdin="/start\nerin@corp.example\nErin-Strong-7\n")
    assert first.returncode == 0, first.stderr
    assert "deleted from the chat" in first.stdout
    assert "Erin-Strong-7" not in first.stdout.split("EMAIL (console backend")[1]
    link = re.search(r"https://t\.me/\S+\?start=\S+", first.stdout)
    assert link, first.stdout

    second = run_bot(["console"], tmp_path, stdin=f"{link[0]}\n")
    assert second.returncode == 0, second.stderr
    assert "is confirmed" in second.stdout
    assert "[k1] Share my phone number" in second.stdout

    third = run_bot(["console"], tmp_path, stdin="/start\n")
    assert third.returncode == 0, third.stderr
    assert "Step 2 of 3: your phone number" in third.stdout
    assert "[k1] Share my phone number" in third.stdout
    assert (tmp_path / "data" / "onboarding.sqlite3").exists()

    # The SMS is printed in place; the code typed in a later session confirms the phone.
    fourth = run_bot(["console"], tmp_path, stdin="k1\n79161234567\n")
    assert fourth.returncode == 0, fourth.stderr
    assert "SMS to +79161234567" in fourth.stdout
    code = re.search(r"confirmation code is (\d+)", fourth.stdout)
    assert code, fourth.stdout

    fifth = run_bot(["console"], tmp_path, stdin=f"{code[1]}\n")
    assert fifth.returncode == 0, fifth.stderr
    assert "+7 916 123-45-67 is confirmed" in fifth.stdout
    assert "Test mode" in fifth.stdout

    # The sandbox payment, "Skip" for autopayment, "Get started": the end of registration.
    sixth = run_bot(["console"], tmp_path, stdin="/start\n1\n2\n1\n/balance\n")
    assert sixth.returncode == 0, sixth.stderr
    assert "[1] Pay 500\u00a0₽ (test)" in sixth.stdout
    assert "card is linked" in sixth.stdout
    assert "services are active" in sixth.stdout
    # The console pays in the sandbox: shown apart, never money (R21).
    assert "Total: 3,000\u00a0₽" in sixth.stdout
    assert "Test payments (not real money): 500\u00a0₽" in sixth.stdout

    # Two-factor: the QR code is drawn in the terminal, with the otpauth:// link beside it.
    seventh = run_bot(["console"], tmp_path, stdin="/api_access\n")
    assert seventh.returncode == 0, seventh.stderr
    assert "otpauth://totp/" in seventh.stdout
    assert "▀" in seventh.stdout or "▄" in seventh.stdout
    assert "Session ended; everything is kept" in seventh.stdout


def test_the_console_chooses_buttons_by_number(tmp_path: Path) -> None:
    result = run_bot(["console"], tmp_path, stdin="/language\n1\n/start\n")
    assert result.returncode == 0, result.stderr
    assert "[1] Русский" in result.stdout
    assert "Язык: русский" in result.stdout
    assert "рабочую почту" in result.stdout


def test_every_live_button_has_its_own_number_and_an_empty_line_sends_nothing(
    tmp_path: Path,
) -> None:
    typed = "/start\nerin@corp-exmaple.ru\nErin-Strong-7\n\n   \n/balance\n2\n"
    result = run_bot(["console"], tmp_path, stdin=typed)

    assert result.returncode == 0, result.stderr
    # The password question's button goes with its step, so the waiting message's two
    # buttons take 1 and 2 again.
    assert "[1] Change the email" in result.stdout
    assert "[1] Send the email again" in result.stdout
    assert "[2] Change the email" in result.stdout
    assert "[3]" not in result.stdout
    # After /balance, 2 is still that button, not a message "2".
    assert "Send the right email address" in result.stdout
    assert "waiting for you to confirm your email" not in result.stdout


def test_the_console_speaks_the_persons_language_and_says_how_to_come_back(
    tmp_path: Path,
) -> None:
    result = run_bot(["console", "--language", "ru", "--user-id", "77"], tmp_path, stdin="/start\n")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("VK Cloud onboarding в консоли: вы — пользователь Telegram 77")
    assert "рабочую почту" in result.stdout
    assert "python -m bot console --user-id 77" in result.stdout


def test_console_help_documents_its_options(tmp_path: Path) -> None:
    result = run_bot(["console", "--help"], tmp_path)

    assert result.returncode == 0
    assert "--language {ru,en}" in result.stdout
    assert "--user-id" in result.stdout
    assert "k1" in result.stdout


def test_the_example_env_file_is_valid_and_an_empty_token_counts_as_unset(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    (tmp_path / ".env").write_text(example.read_text())

    assert run_bot(["console"], tmp_path).returncode == 0
    polling = run_bot([], tmp_path)
    assert polling.returncode == 2
    assert "BOT_TOKEN" in polling.stderr


def test_backup_copies_the_live_database_and_check_reports_it_sound(tmp_path: Path) -> None:
    run_bot(["console"], tmp_path, stdin="/start\nerin@corp.example\nErin-Strong-7\n")

    made = run_bot(["backup", str(tmp_path / "backups" / "copy.sqlite3")], tmp_path)
    again = run_bot(["backup", str(tmp_path / "backups" / "copy.sqlite3")], tmp_path)
    checked = run_bot(["check"], tmp_path, DATABASE_PATH=str(tmp_path / "backups" / "copy.sqlite3"))

    assert made.returncode == 0, made.stdout
    assert "integrity ok" in made.stdout
    assert again.returncode == 1  # a backup never overwrites
    assert checked.returncode == 0, checked.stdout
    assert "integrity: ok" in checked.stdout
    every = len(sqlite_migrations())
    assert f"migrations: {every} of {every} applied" in checked.stdout

    with sqlite3.connect(tmp_path / "backups" / "copy.sqlite3") as copy:
        assert copy.execute("SELECT email FROM accounts").fetchall() == [("erin@corp.example",)]


@pytest.mark.parametrize(
    "args", [["logs", "--user", "1"], ["stats"], ["check"], ["backup", "copy.sqlite3"]]
)
def test_the_support_tools_never_import_aiogram(tmp_path: Path, args: list[str]) -> None:
    """Issue 20: aiogram takes 5-6 s to import on this machine; the support tools do
    not need it, so they start at once (docs/performance.md has the times)."""
    run_bot(["check"], tmp_path)  # a database to read
    shown = run_python(["-X", "importtime", "-m", "bot", *args], tmp_path)

    imported = [line.split("|")[-1].strip() for line in shown.stderr.splitlines() if "|" in line]
    assert "bot.settings" in imported, shown.stderr[-500:]  # the list was really read
    assert not [name for name in imported if name.split(".")[0] == "aiogram"]


@pytest.mark.parametrize("args", [["stats"], ["logs"], ["logs", "--format", "jsonl"]])
def test_a_support_tool_whose_reader_has_gone_ends_quietly(tmp_path: Path, args: list[str]) -> None:
    """`python -m bot stats | head`: the reader stops reading, and the tool stops with
    no traceback. Here the pipe's reading end is closed before anything is written."""
    run_bot(["check"], tmp_path)  # a database to read
    reader, writer = os.pipe()
    os.close(reader)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
            timeout=120,
            check=False,
        )
    finally:
        os.close(writer)
    assert result.stderr == ""
    assert result.returncode == 0


def test_telegram_unreachable_at_start_says_one_line_a_try_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "BOT_TOKEN": "123456:unreachable-test-token",
            "SECRET_KEY": "q0mX0iJ8c3m2w4PjQ3YkZ1n0mX9b7W2sR5tL8vN1xEo=",
            "TELEGRAM_API_URL": f"http://127.0.0.1:{closed_port}",
            "ALLOW_TEST_BACKENDS": "true",
            "EMAIL_BACKEND": "console",
            "SMS_BACKEND": "console",
            "PAYMENT_BACKEND": "sandbox",
        },
    )
    assert bot.stderr is not None
    tries = []
    try:
        for line in bot.stderr:  # each try says so at once; read the first three
            if "Telegram cannot be reached" in line:
                tries.append(line)
                if len(tries) == 3:
                    break
        bot.send_signal(signal.SIGTERM)
        rest = bot.communicate(timeout=60)[1]
    finally:
        bot.kill()
    waits = [int(re.search(r"next try in (\d+) s, at \d\d:\d\d:\d\d UTC", t)[1]) for t in tries]  # type: ignore[index]
    assert waits == [1, 2, 4]  # longer each time
    assert "Traceback" not in "".join(tries) + rest
    assert "unreachable-test-token" not in "".join(tries) + rest
    assert bot.returncode == 0
