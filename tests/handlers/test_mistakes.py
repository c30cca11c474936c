"""Issue 17: every mistake can be undone in the chat, nothing is silent. One test per
problem a new person met, in the order of the issue, in both languages where the
words are what matters."""

from __future__ import annotations

import re

import pytest
from aiogram import Bot
from aiogram.methods import EditMessageReplyMarkup, SendPhoto
from aiogram.types import ReplyKeyboardRemove

from bot.domain.policy import Policy
from bot.ui.keyboards import (
    Api,
    ApiAction,
    ChangeEmail,
    ChangePhone,
    DeleteAccount,
    DeleteAction,
    EmailAction,
    GetStarted,
    NewInvoice,
    SandboxDecline,
)
from bot.ui.texts import texts_for
from states import ApiAccess, Registration
from storage.sqlite.database import Database
from tests.conftest import GOOD_PASSWORD, WORK_EMAIL, link_in
from tests.support.chat import ChatDriver, Replies
from tests.support.fakes import EmailOutbox, FakeClock, SmsOutbox
from tests.support.journey import activated, at_card_step, at_code_step, at_phone_step, chat_on
from tests.support.session import RecordingSession
from tests.support.two_factor import key_in

MISTYPED = "alice@corp-exmaple.ru"
CHANGE = ChangeEmail(action=EmailAction.CHANGE).pack()
USE_TYPED = ChangeEmail(action=EmailAction.USE_TYPED).pack()
KEEP = ChangeEmail(action=EmailAction.KEEP).pack()
LANGUAGES = pytest.mark.parametrize("language", ["en", "ru"])


def person(chat: ChatDriver, language: str) -> ChatDriver:
    return chat.other_person(5000 + len(language), language) if language != "en" else chat


def _decline(replies: Replies) -> str:
    return next(d for _, d in replies.inline_buttons() if d.startswith(SandboxDecline.__prefix__))


async def signed_up(chat: ChatDriver, email: str = MISTYPED) -> None:
    await chat.send("/start")
    await chat.send(email)
    await chat.send(GOOD_PASSWORD)
    assert await chat.is_in(Registration.awaiting_email_link)


# -- 1. a mistyped email is no dead end ------------------------------------------------


@LANGUAGES
async def test_a_mistyped_email_can_be_replaced_before_it_is_confirmed(
    chat: ChatDriver, outbox: EmailOutbox, language: str
) -> None:
    chat = person(chat, language)
    t = texts_for(language)
    await signed_up(chat)
    old_link = link_in(outbox.sent[-1])

    asked = await chat.press(CHANGE)
    changed = await chat.send(WORK_EMAIL)

    assert asked.mentions(t("keep_email_button"))
    assert await chat.is_in(Registration.awaiting_email_link)
    assert changed.texts[0] == t("email_changed", email=WORK_EMAIL)
    assert outbox.sent[-1].to == WORK_EMAIL
    # Every link sent before is void; the new one confirms the new address.
    assert not (await chat.send(f"/start {old_link}")).mentions(WORK_EMAIL + "</b> is")
    confirmed = await chat.send(f"/start {link_in(outbox.sent[-1])}")
    assert confirmed.mentions(WORK_EMAIL)
    assert await chat.is_in(Registration.phone)


async def test_the_email_command_changes_it_too_and_the_new_one_is_checked_like_the_first(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    other = chat.other_person(4242)
    await signed_up(other, "taken@corp.example")
    await signed_up(chat)

    await chat.send("/email")
    invalid = await chat.send("not an address")
    taken = await chat.send("TAKEN@corp.example")
    kept = await chat.press(KEEP)

    assert invalid.mentions("does not look like an email address")
    assert taken.mentions("already exists", "Keep the address")
    assert kept.mentions(MISTYPED)  # the waiting message again, with the address kept
    assert await chat.is_in(Registration.awaiting_email_link)
    assert [e.to for e in outbox.sent] == ["taken@corp.example", MISTYPED]


async def test_the_right_address_typed_while_waiting_is_offered_as_the_new_one(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await signed_up(chat)

    offer = await chat.send(WORK_EMAIL)
    used = await chat.press(USE_TYPED)

    assert offer.mentions(WORK_EMAIL, MISTYPED, "Use this address")
    assert offer.deleted == []  # an address is not a secret: it stays in the chat
    assert used.mentions(f"Your email is now <b>{WORK_EMAIL}</b>")
    assert outbox.sent[-1].to == WORK_EMAIL


async def test_a_changed_email_counts_towards_the_days_cap(
    database: Database,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    bot: Bot,
    session: RecordingSession,
) -> None:
    policy = Policy(emails_per_account_per_day=2, email_resend_seconds=0)
    chat = chat_on(database, policy, outbox, sms, clock, bot, session, user_id=2301)
    await signed_up(chat)
    await chat.press(CHANGE)
    await chat.send("second@corp.example")

    await chat.press(CHANGE)
    refused = await chat.send("third@corp.example")

    assert refused.mentions("2 emails", "tomorrow at 00:00 Moscow time")
    assert len(outbox.sent) == 2


async def test_a_confirmed_email_is_not_changed_here_and_the_bot_says_where(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await at_phone_step(chat, outbox)

    replies = await chat.send("/email")

    assert replies.mentions("already confirmed", "account settings", "support@mcs.mail.ru")
    assert await chat.is_in(Registration.phone)


@LANGUAGES
async def test_cancel_says_what_is_kept_and_how_to_come_back(
    chat: ChatDriver, outbox: EmailOutbox, language: str
) -> None:
    chat = person(chat, language)
    t = texts_for(language)
    await signed_up(chat)

    replies = await chat.send("/cancel")

    step = t.of("step_label", "email")
    assert replies.texts == [t("cancelled_kept", email=MISTYPED, step=step)]
    assert replies.mentions("/start", "/delete")


@LANGUAGES
async def test_an_account_not_activated_can_be_deleted_after_a_confirmation(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, language: str
) -> None:
    chat = person(chat, language)
    t = texts_for(language)
    await at_code_step(chat, outbox, sms)

    asked = await chat.send("/delete")
    kept = await chat.press(DeleteAccount(action=DeleteAction.KEEP).pack())
    await chat.send("/delete")
    deleted = await chat.press(DeleteAccount(action=DeleteAction.CONFIRM).pack())
    again = await chat.other_person(6001).send("/start")

    assert asked.mentions(WORK_EMAIL)
    buttons = [label for label, _ in asked.inline_buttons()]
    assert buttons == [t("delete_confirm_button"), t("delete_keep_button")]
    assert kept.mentions(t("delete_kept"))
    assert deleted.mentions(t("deleted"))
    assert await chat.state() is None
    assert again.mentions("work email")
    # The address and the number are free again.
    newcomer = chat.other_person(6001)
    await newcomer.send(WORK_EMAIL)
    created = await newcomer.send(GOOD_PASSWORD)
    assert created.mentions(WORK_EMAIL)


async def test_an_activated_account_is_not_deleted_here(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await activated(chat, outbox, sms)

    replies = await chat.send("/delete")

    assert replies.mentions("cannot be deleted in this chat", "support@mcs.mail.ru")
    assert not replies.has_button(DeleteAccount(action=DeleteAction.CONFIRM).pack())


# -- 2. nothing typed while waiting disappears in silence ----------------------------


@LANGUAGES
async def test_a_question_typed_while_waiting_for_the_link_is_answered_and_kept(
    chat: ChatDriver, outbox: EmailOutbox, language: str
) -> None:
    chat = person(chat, language)
    t = texts_for(language)
    await signed_up(chat)

    replies = await chat.send("Where is the email? I do not see it")

    assert replies.deleted == []
    assert replies.texts[0] == t("link_wait_other")
    assert replies.has_button(CHANGE)


@LANGUAGES
async def test_a_password_sent_again_while_waiting_is_deleted_and_the_answer_says_why(
    chat: ChatDriver, outbox: EmailOutbox, language: str
) -> None:
    chat = person(chat, language)
    await signed_up(chat)

    replies = await chat.send(GOOD_PASSWORD)

    assert len(replies.deleted) == 1
    assert replies.texts[0] == texts_for(language)("password_like_deleted")


# -- 3. a person can always be reached -----------------------------------------------


@LANGUAGES
async def test_help_at_every_step_says_how_to_reach_support(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, language: str
) -> None:
    chat = person(chat, language)
    support = texts_for(language)("help_commands")
    helped = [await chat.send("/help")]
    await chat.send(WORK_EMAIL)
    helped.append(await chat.send("/help"))
    await chat.send(GOOD_PASSWORD)
    helped.append(await chat.send("/help"))

    for replies in helped:
        assert replies.texts[0].endswith(support)
        assert replies.mentions("support@mcs.mail.ru")


def test_the_support_contact_comes_from_the_settings() -> None:
    t = texts_for("ru", "https://t.me/vkcloud_help")
    assert "https://t.me/vkcloud_help" in t("help_commands")
    assert "https://t.me/vkcloud_help" in t.of("phone_refused", "foreign")


# -- 4. the password is not typed blind ----------------------------------------------


@LANGUAGES
async def test_the_password_question_names_every_rule_and_what_the_password_is_for(
    chat: ChatDriver, language: str
) -> None:
    chat = person(chat, language)
    await chat.send("/start")

    replies = await chat.send(WORK_EMAIL)

    words = {
        "en": ("VK Cloud console", "nothing but Latin letters, digits", "no spaces"),
        "ru": ("личный кабинет VK Cloud", "ничего, кроме латинских букв, цифр", "пробелов"),
    }
    assert replies.mentions(*words[language])
    assert replies.has_button(CHANGE)  # a typo in the email, seen only now


# -- 5. the phone: replies say exactly what happened ----------------------------------


@LANGUAGES
async def test_a_new_number_during_the_wait_gets_its_code_at_once_and_the_reply_names_it(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, language: str
) -> None:
    chat = person(chat, language)
    t = texts_for(language)
    await at_code_step(chat, outbox, sms)

    replies = await chat.send("+7 903 765-43-21")

    assert len(sms.sent) == 2
    assert sms.sent[-1].phone == "+79037654321"
    assert replies.texts[0] == t(
        "sms_sent_instead", phone="+7 903 765-43-21", old="+7 916 123-45-67"
    )


async def test_change_the_number_then_the_same_number_says_no_sms_was_sent(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_code_step(chat, outbox, sms)

    await chat.press(ChangePhone().pack())
    replies = await chat.send("+7 916 123-45-67")

    assert len(sms.sent) == 1
    assert replies.mentions("no new SMS has gone out", "+7 916 123-45-67")
    assert not replies.mentions("I have sent an SMS")


@LANGUAGES
async def test_an_older_code_after_a_corrected_number_is_told_apart_and_costs_no_try(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy, language: str
) -> None:
    chat = person(chat, language)
    await at_code_step(chat, outbox, sms)
    old = sms.last_code()
    await chat.send("+7 903 765-43-21")
    new = sms.last_code()
    if old == new:
        pytest.skip("one in a million: the two codes are the same")

    replaced = await chat.send(old)
    wrong = await chat.send("000000" if new != "000000" else "111111")

    assert replaced.texts[0] == texts_for(language)("code_replaced", phone="+7 903 765-43-21")
    left = policy.sms_max_attempts - 1
    assert wrong.texts[0] == texts_for(language)("code_wrong", left=left)


# -- 6. buttons match the moment ------------------------------------------------------


async def test_the_contact_keyboard_goes_once_a_number_is_being_confirmed(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_phone_step(chat, outbox)

    replies = await chat.send("+7 916 123-45-67")

    first = replies.messages[0]
    assert isinstance(first.reply_markup, ReplyKeyboardRemove)
    assert first.text == texts_for("en")("sms_sent", phone="+7 916 123-45-67", length=6)


async def test_a_pressed_button_leaves_its_message(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await activated(chat, outbox, sms)

    replies = await chat.press_on(GetStarted().pack(), message_id=777)

    edits = [c for c in replies.calls if isinstance(c, EditMessageReplyMarkup)]
    assert [(e.message_id, e.reply_markup) for e in edits] == [(777, None)]
    assert replies.callback_answers[0].show_alert  # "already active", said plainly


async def test_the_buttons_of_a_step_left_behind_go_when_the_next_step_begins(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await signed_up(chat, WORK_EMAIL)
    start = len(chat.session.calls)
    await chat.send("Where is the email?")
    sent = zip(chat.session.calls[start:], chat.session.results[start:], strict=True)
    with_buttons = [r.message_id for c, r in sent if getattr(c, "reply_markup", None)]
    assert with_buttons  # "Change the email" is offered while the link is awaited

    replies = await chat.send(f"/start {link_in(outbox.sent[-1])}")

    edits = [c for c in replies.calls if isinstance(c, EditMessageReplyMarkup)]
    assert {e.message_id for e in edits} >= set(with_buttons)
    assert all(e.reply_markup is None for e in edits)
    assert await chat.is_in(Registration.phone)


async def test_bad_input_at_a_step_keeps_its_buttons_live(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await signed_up(chat, WORK_EMAIL)

    replies = await chat.send("Where is the email?")
    again = await chat.send("Still nothing")

    assert not [c for c in [*replies.calls, *again.calls] if isinstance(c, EditMessageReplyMarkup)]


# -- 7. the card step speaks plainly --------------------------------------------------


def test_the_texts_have_no_jargon_and_no_childish_words() -> None:
    banned = {
        "en": ("invoice", "simulated", "small verification", "issuer", "attempts left"),
        "ru": ("понарошку", "изобразить", "небольш", "издатель", "новый счёт", "счётом"),
    }
    for language, words in banned.items():
        t = texts_for(language)
        for key in _catalog(language):
            text = t.raw(key, **_anything(language, key)).lower()
            for word in words:
                assert word not in text, (language, key, word)


@LANGUAGES
async def test_the_card_step_names_the_amount_and_a_way_out_of_a_decline(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, language: str
) -> None:
    chat = person(chat, language)
    t = texts_for(language)

    replies = await at_card_step(chat, outbox, sms)

    counter = "Step 3 of 3" if language == "en" else "Шаг 3 из 3"
    assert replies.mentions(counter, "500\u00a0₽")
    assert t("sandbox.decline_button") in [label for label, _ in replies.inline_buttons()]
    declined = await chat.press(_decline(replies))
    assert declined.mentions(t("new_invoice_button"))
    assert declined.has_button(NewInvoice().pack())


# -- 8. two-factor ----------------------------------------------------------------------


@LANGUAGES
async def test_the_two_factor_key_is_in_groups_of_four_and_a_new_key_voids_the_old_entry(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, language: str
) -> None:
    chat = person(chat, language)
    t = texts_for(language)
    await activated(chat, outbox, sms)

    first = await chat.press(Api(action=ApiAction.ACTIVATE).pack())
    again = await chat.send("/api_access")

    [photo] = [c for c in first.calls if isinstance(c, SendPhoto)]
    assert len(key_in(photo.caption or "")) == 32
    assert not first.mentions(t("api.key_replaced"))
    assert again.mentions(t("api.key_replaced"))
    assert await chat.is_in(ApiAccess.setup_code)


async def test_the_backup_code_warning_covers_a_lost_phone() -> None:
    for language, words in {"en": "lose your phone", "ru": "потеряете телефон"}.items():
        assert words in texts_for(language).raw("api.backup_codes", codes="")


# -- 9. wording -------------------------------------------------------------------------


_BUTTON_KEY = re.compile(r"(_button$|^api_button\.|^language_name\.)")
# Labels themselves, shown in the menu of commands.
_LABEL_KEY = re.compile(r"^command\.")


def _catalog(language: str) -> list[str]:
    from bot.ui.texts import CATALOGS

    return list(CATALOGS[language])


def _anything(language: str, key: str) -> dict[str, object]:
    from bot.ui.texts import CATALOGS

    names = re.findall(r"{(\w+)}", CATALOGS[language][key])
    return {name: "X" for name in names}


@LANGUAGES
def test_every_button_named_in_a_text_is_quoted_as_on_the_button(language: str) -> None:
    from bot.ui.texts import CATALOGS

    catalog = CATALOGS[language]
    opening = "“" if language == "en" else "«"
    labels = {
        value
        for key, value in catalog.items()
        if _BUTTON_KEY.search(key) and "{" not in value and " " in value
    }
    for key, text in catalog.items():
        if _BUTTON_KEY.search(key) or _LABEL_KEY.search(key):
            continue
        for label in labels:
            for found in re.finditer(rf"(?<!\w){re.escape(label)}(?!\w)", text):
                before = text[found.start() - 1] if found.start() else ""
                assert before == opening, (key, label)


@LANGUAGES
def test_each_confirmation_step_says_which_of_the_three_it_is(language: str) -> None:
    t = texts_for(language)
    counter = "Step {n} of 3" if language == "en" else "Шаг {n} из 3"
    for n, key in enumerate(("awaiting_link", "ask_phone", "card_intro"), start=1):
        assert counter.format(n=n) in t.raw(key, **_anything(language, key)), key


@LANGUAGES
async def test_the_email_says_until_when_the_link_works_in_moscow_time(
    chat: ChatDriver, outbox: EmailOutbox, clock: FakeClock, language: str
) -> None:
    chat = person(chat, language)
    await signed_up(chat)

    [email] = outbox.sent
    moscow = "Moscow time" if language == "en" else "по московскому времени"
    # The fake clock stands at 12:00 UTC: 15:00 in Moscow, the link lasts 24 hours.
    assert f"15:00 {moscow}" in email.text
    assert "UTC" not in email.text


@LANGUAGES
async def test_whats_next_links_to_the_console_the_trial_and_the_legal_entity(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, language: str
) -> None:
    chat = person(chat, language)

    replies = await activated(chat, outbox, sms)

    for path in ("https://mcs.mail.ru/app/", "/start/trial", "/start/corporate"):
        assert replies.mentions(path)
    assert replies.mentions(texts_for(language)("api_button.activate"))


async def test_choosing_a_language_says_so_once(chat: ChatDriver) -> None:
    from bot.ui.keyboards import ChooseLanguage

    replies = await chat.press(ChooseLanguage(code="ru").pack())

    assert replies.texts == ["Язык: русский."]
    assert replies.callback_answers[0].text is None


async def test_help_is_about_the_step_the_person_is_at(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    t = texts_for("en")
    at_start = await chat.send("/help")
    await at_code_step(chat, outbox, sms)
    at_code = await chat.send("/help")

    assert at_start.texts[0].startswith(t.of("help_step", "sign_up"))
    assert at_code.texts[0].startswith(t.of("help_step", "phone"))
    assert at_code.has_button(ChangePhone().pack())


async def test_help_after_the_registration_says_it_is_complete(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await activated(chat, outbox, sms)

    replies = await chat.send("/help")

    assert replies.texts[0].startswith(texts_for("en").of("help_step", "active"))


# -- 11. support's view -----------------------------------------------------------------


def test_a_question_while_waiting_for_the_link_is_logged_as_typed_a_password_is_not() -> None:
    from bot.support.masking import typed_text

    waiting = Registration.awaiting_email_link.state
    assert typed_text("Where is the email?", waiting) == ("text", "Where is the email?")
    assert typed_text(WORK_EMAIL, waiting) == ("text", WORK_EMAIL)
    assert GOOD_PASSWORD not in typed_text(GOOD_PASSWORD, waiting)[1]
    assert "Ab-1" not in typed_text("Ab-1", waiting)[1]  # whatever the length


async def test_help_and_cancel_at_the_password_step_are_logged_as_commands() -> None:
    from bot.support.masking import typed_text

    for command in ("/help", "/cancel", "/email"):
        assert typed_text(command, "Registration:password") == ("command", command)
    assert typed_text("Erin-Strong-7", "Registration:password")[1].startswith("•")
