"""Commands at every step, languages (R16, R17) and whatever else arrives (R15)."""

from __future__ import annotations

import pytest
from aiogram.types import Chat

from bot.ui.keyboards import ChooseLanguage
from states import Registration
from tests.conftest import GOOD_PASSWORD, WORK_EMAIL
from tests.support.chat import ChatDriver


async def test_help_lists_the_commands_and_how_to_reach_a_person(chat: ChatDriver) -> None:
    replies = await chat.send("/help")
    assert replies.mentions("/status", "/resend", "/cancel", "/delete", "/language")
    assert replies.mentions("write to support@mcs.mail.ru")


async def test_cancel_during_sign_up_forgets_the_email(chat: ChatDriver) -> None:
    await chat.send("/start")
    await chat.send(WORK_EMAIL)

    replies = await chat.send("/cancel")

    assert replies.mentions("nothing was saved")
    assert await chat.state() is None
    assert await chat.data() == {}


async def test_cancel_with_an_account_keeps_it_and_the_next_message_resumes(
    chat: ChatDriver,
) -> None:
    await chat.send("/start")
    await chat.send(WORK_EMAIL)
    await chat.send(GOOD_PASSWORD)

    replies = await chat.send("/cancel")
    assert replies.mentions(f"account {WORK_EMAIL} is kept", "the email confirmation", "/start")
    assert replies.mentions("/delete")
    assert await chat.state() is None

    resumed = await chat.send("hi")
    assert resumed.mentions("confirm your email")
    assert await chat.is_in(Registration.awaiting_email_link)


async def test_cancel_with_nothing_going_on(chat: ChatDriver) -> None:
    assert (await chat.send("/cancel")).mentions("nothing to cancel")


async def test_a_russian_speaking_client_gets_russian(chat: ChatDriver) -> None:
    for code in ("ru", "uk", "be", "kk"):
        person = chat.other_person(5000 + len(code) + ord(code[0]), language_code=code)
        assert (await person.send("/start")).mentions("рабочую почту")


async def test_language_can_be_switched_and_is_remembered(chat: ChatDriver) -> None:
    offer = await chat.send("/language")
    assert ("Русский", ChooseLanguage(code="ru").pack()) in offer.inline_buttons()

    chosen = await chat.press(ChooseLanguage(code="ru").pack())

    assert chosen.mentions("Язык: русский")
    assert (await chat.send("/start")).mentions("рабочую почту")


async def test_a_forged_language_button_changes_nothing(chat: ChatDriver) -> None:
    # What a forged button carries: the class itself can no longer make it.
    replies = await chat.press(f"{ChooseLanguage.__prefix__}:xx")
    assert (
        replies.callback_answers[0].text
        == "This button no longer works. Please use the newest message."
    )
    assert (await chat.send("/start")).mentions("work email")


async def test_forged_button_data_is_answered_as_stale(chat: ChatDriver) -> None:
    await chat.send("/start")
    replies = await chat.press("definitely:not:ours")
    assert (
        replies.callback_answers[0].text
        == "This button no longer works. Please use the newest message."
    )
    assert await chat.is_in(Registration.email)


async def test_an_unknown_command_is_explained(chat: ChatDriver) -> None:
    await chat.send("/start")
    replies = await chat.send("/frobnicate")
    assert replies.mentions("/help")
    assert await chat.is_in(Registration.email)


async def test_a_message_in_a_group_gets_a_redirect_to_the_private_chat(chat: ChatDriver) -> None:
    group = Chat(id=-100123, type="supergroup", title="Team")
    replies = await chat.feed_message(chat=group, text="/start")
    assert replies.mentions("private")
    assert await chat.state() is None


async def test_a_very_long_text_at_the_email_step_is_refused(chat: ChatDriver) -> None:
    await chat.send("/start")
    replies = await chat.send("a" * 4096)
    assert replies.mentions("does not look like an email")
    assert await chat.is_in(Registration.email)


async def test_a_very_long_password_is_refused_and_deleted(chat: ChatDriver) -> None:
    await chat.send("/start")
    await chat.send(WORK_EMAIL)
    replies = await chat.send("Ab1-" * 1024)
    assert replies.mentions("longer than")
    assert len(replies.deleted) == 1


async def test_an_edited_message_is_not_taken_as_input(chat: ChatDriver) -> None:
    await chat.send("/start")
    replies = await chat.feed_edited(text=WORK_EMAIL)
    assert replies.mentions("edited")
    assert await chat.is_in(Registration.email)


async def test_a_failing_handler_tells_the_person_and_logs_no_input(
    chat: ChatDriver, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.domain.signup import SignupService

    async def broken(self: SignupService, text: str) -> None:
        raise RuntimeError(f"could not check {text}")

    monkeypatch.setattr(SignupService, "check_email", broken)
    await chat.send("/start")

    replies = await chat.send("secret-looking@corp.example")

    assert replies.mentions("went wrong", "try again")
    assert "RuntimeError" in caplog.text
    assert "secret-looking" not in caplog.text
    assert await chat.is_in(Registration.email)
