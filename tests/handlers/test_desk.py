"""Talk to a person (issue 18, R35-R37): the person's side in their chat, the staff's in
the support group's topics, through the dispatcher with the recording session."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence

import pytest
from aiogram import Bot
from aiogram.methods import (
    CloseForumTopic,
    CopyMessage,
    CreateForumTopic,
    EditMessageText,
    ReopenForumTopic,
    SendMessage,
)
from aiogram.types import Chat, PhotoSize, Sticker, Update

from bot.app import Services, create_dispatcher
from bot.domain.policy import Policy
from bot.ui.keyboards import Desk, DeskAction
from bot.ui.texts import texts_for
from states import Registration
from storage.sqlite.database import Database
from storage.sqlite.fsm import SqliteStorage
from tests.support.chat import ChatDriver, Replies
from tests.support.fakes import EmailOutbox, FakeClock, SmsOutbox
from tests.support.journey import at_card_step, at_code_step, services_on, settle_log
from tests.support.session import RecordingSession

DESK = -1001234567890
STAFF = 9001
PERSON = 3001
OPEN = Desk(action=DeskAction.OPEN).pack()
BACK = Desk(action=DeskAction.BACK).pack()
en, ru = texts_for("en"), texts_for("ru")


class World:
    def __init__(self, services: Services, person: ChatDriver, session: RecordingSession) -> None:
        self.services = services
        self.person = person
        self.session = session
        self.group = Chat(id=DESK, type="supergroup", is_forum=True, title="Support")
        self.staff = person.other_person(STAFF)

    @property
    def topics(self) -> list[CreateForumTopic]:
        return [c for c in self.session.calls if isinstance(c, CreateForumTopic)]

    def thread(self) -> int:
        thread = self.session.results[self.session.calls.index(self.topics[-1])]
        return int(thread.message_thread_id)

    def in_topic(self, calls: Sequence[object] | None = None) -> list[str]:
        return [
            c.text
            for c in (calls if calls is not None else self.session.calls)
            if isinstance(c, SendMessage) and c.chat_id == DESK
        ]

    async def staff_writes(self, text: str | None = None, **content: object) -> Replies:
        if text is not None:
            content["text"] = text
        return await self.staff.feed_message(
            chat=self.group,
            message_thread_id=self.thread(),
            is_topic_message=True,
            **content,
        )

    async def settle(self) -> None:
        await settle_log(self.services)
        await self.services.desk.settle()


async def _world(
    database: Database,
    policy: Policy,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    bot: Bot,
    session: RecordingSession,
    chat_id: int | None,
) -> World:
    from bot.adapters.payments import SandboxPaymentGateway

    services = services_on(
        database, policy, outbox, sms, clock, SandboxPaymentGateway(bot), support_chat_id=chat_id
    )
    await services.desk.start(bot)
    dispatcher = create_dispatcher(services=services, storage=SqliteStorage(database))
    return World(services, ChatDriver(dispatcher, bot, session, user_id=PERSON), session)


@pytest.fixture
async def world(
    database: Database,
    policy: Policy,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    bot: Bot,
    session: RecordingSession,
) -> AsyncIterator[World]:
    made = await _world(database, policy, outbox, sms, clock, bot, session, DESK)
    yield made
    await made.settle()


async def asks_for_help(world: World, outbox: EmailOutbox, sms: SmsOutbox) -> Replies:
    await at_card_step(world.person, outbox, sms)
    await world.person.press(OPEN)
    return await world.person.send("The bank declined my card twice")


def to_person(replies: Replies) -> list[str]:
    return [m.text for m in replies.messages if m.chat_id == PERSON]


# -- R35: the person's side --------------------------------------------------------


async def test_without_a_desk_talk_to_a_person_gives_the_support_address(
    database: Database,
    policy: Policy,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    bot: Bot,
    session: RecordingSession,
) -> None:
    world = await _world(database, policy, outbox, sms, clock, bot, session, None)
    await at_card_step(world.person, outbox, sms)

    replies = await world.person.send("/support")

    assert replies.text == en("desk.unavailable")
    assert "support@mcs.mail.ru" in replies.text
    assert world.topics == []
    assert await world.person.is_in(Registration.card)


async def test_help_and_a_declined_card_offer_a_person(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_card_step(world.person, outbox, sms)

    card = await world.person.send("/card")
    decline = next(d for _, d in card.inline_buttons() if d.startswith("sbx_decline"))
    declined = await world.person.press(decline)
    helped = await world.person.send("/help")

    assert declined.has_button(OPEN)
    assert helped.has_button(OPEN)


async def test_the_request_opens_a_topic_with_the_card_and_the_message_is_copied(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_card_step(world.person, outbox, sms)
    opened = await world.person.press(OPEN)
    assert opened.text == en("desk.opened")
    assert opened.has_button(BACK)

    replies = await world.person.send("The bank declined my card twice")

    assert len(world.topics) == 1
    assert world.topics[0].chat_id == DESK
    assert str(PERSON) in world.topics[0].name
    card = world.in_topic()[0]
    assert "alice@corp.example" in card or "Email:" in card
    assert "+7 ••• •••-45-67" in card  # the phone but for its last four digits
    assert "card" in card
    copies = [c for c in world.session.calls if isinstance(c, CopyMessage)]
    assert [(c.chat_id, c.from_chat_id, c.message_thread_id) for c in copies] == [
        (DESK, PERSON, world.thread())
    ]
    assert to_person(replies) == [en("desk.received_no_figure")]
    assert await world.person.is_in(Registration.card)  # the step is kept


async def test_staff_reply_reaches_the_person_under_the_label_in_their_language(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await asks_for_help(world, outbox, sms)

    await world.staff_writes("Please try another card, or call your bank.")

    to_person = [
        c for c in world.session.calls if isinstance(c, SendMessage) and c.chat_id == PERSON
    ]
    assert to_person[-1].text == "VK Cloud support:\n\nPlease try another card, or call your bank."
    request = await world.services.desk.service.request_of(PERSON)
    assert request is not None
    assert request.answered


async def test_a_russian_speaker_reads_the_label_in_russian(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    world.person = world.person.other_person(PERSON, "ru")
    await world.person.send("/language")
    await world.services.preferences.choose_language(PERSON, "ru")
    await asks_for_help(world, outbox, sms)

    await world.staff_writes("Попробуйте другую карту.")

    last = [c for c in world.session.calls if isinstance(c, SendMessage) and c.chat_id == PERSON]
    assert last[-1].text.startswith(ru("desk.label") + ":")


async def test_a_note_starting_with_an_exclamation_mark_is_not_sent(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await asks_for_help(world, outbox, sms)

    replies = await world.staff_writes("! looks like a 3-D Secure timeout")

    assert replies.calls == []


async def test_a_redelivered_update_copies_the_message_once(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_card_step(world.person, outbox, sms)
    await world.person.press(OPEN)
    message = world.person.message(text="Help, please")

    await world.person.feed(Update(update_id=777001, message=message))
    await world.person.feed(Update(update_id=777001, message=message))

    assert len([c for c in world.session.calls if isinstance(c, CopyMessage)]) == 1


async def test_back_to_registration_shows_the_step_and_keeps_the_request_open(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await asks_for_help(world, outbox, sms)

    back = await world.person.press(BACK)

    assert en("desk.back") in back.texts
    assert any("payment card" in text for text in back.texts)  # the card step's prompt
    assert await world.services.desk.service.request_of(PERSON) is not None
    later = await world.person.send("Is anybody there?")
    assert not [c for c in later.calls if isinstance(c, CopyMessage)]  # not writing now


async def test_done_when_not_writing_to_support_says_how_to(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_card_step(world.person, outbox, sms)

    replies = await world.person.send("/done")

    assert replies.text == en("desk.not_talking")


async def test_a_code_typed_to_support_at_a_secret_step_is_never_copied(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_code_step(world.person, outbox, sms)
    await world.person.press(OPEN)
    code = sms.last_code()

    replies = await world.person.send(code)

    assert not [c for c in world.session.calls if isinstance(c, CopyMessage)]
    assert to_person(replies) == [en("desk.secret_not_sent")]
    assert not any(code in text for text in world.in_topic())
    assert any("not copied" in text or "не скопировано" in text for text in world.in_topic())


async def test_close_tells_the_person_and_a_later_request_reuses_the_topic(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await asks_for_help(world, outbox, sms)
    thread = world.thread()

    closed = await world.staff_writes("/close")

    assert any(isinstance(c, CloseForumTopic) for c in closed.calls)
    told = [c for c in closed.calls if isinstance(c, SendMessage) and c.chat_id == PERSON]
    assert [c.text for c in told] == [en("desk.closed")]
    assert await world.services.desk.service.request_of(PERSON) is None

    again = await world.person.send("/support")

    assert any(isinstance(c, ReopenForumTopic) for c in again.calls)
    assert len(world.topics) == 1
    assert world.thread() == thread


async def test_a_person_who_blocked_the_bot_is_reported_in_the_topic(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await asks_for_help(world, outbox, sms)
    world.session.block(PERSON)

    replies = await world.staff_writes("Hello?")

    assert world.services.desk.staff_t.raw("desk.blocked") in world.in_topic(replies.calls)


async def test_the_queue_lists_open_requests_oldest_first(
    world: World, outbox: EmailOutbox, sms: SmsOutbox, clock: FakeClock
) -> None:
    await asks_for_help(world, outbox, sms)
    clock.advance(600)
    other = world.person.other_person(3002)
    await other.send("/start")
    await other.send("/support")

    replies = await world.staff.feed_message(chat=world.group, text="/queue")

    lines = replies.text.splitlines()
    assert lines[1].startswith(f"{PERSON} ·")
    assert "10" in lines[1]
    assert lines[2].startswith("3002 ·")


async def test_a_sticker_from_staff_arrives_after_the_label(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await asks_for_help(world, outbox, sms)
    sticker = Sticker(
        file_id="s",
        file_unique_id="s",
        type="regular",
        width=1,
        height=1,
        is_animated=False,
        is_video=False,
    )

    replies = await world.staff_writes(sticker=sticker)

    kinds = [(type(c).__name__, getattr(c, "chat_id", None)) for c in replies.calls]
    assert kinds[:2] == [("SendMessage", PERSON), ("CopyMessage", PERSON)]


async def test_a_long_message_from_staff_is_delivered_whole(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await asks_for_help(world, outbox, sms)

    replies = await world.staff_writes("x" * 4096)

    assert [type(c).__name__ for c in replies.calls] == ["SendMessage", "CopyMessage"]


async def test_edits_are_mirrored_both_ways(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await asks_for_help(world, outbox, sms)
    staff_message = world.staff.message(
        chat=world.group, text="Try again", message_thread_id=world.thread(), is_topic_message=True
    )
    await world.staff.feed(Update(update_id=880001, message=staff_message))

    edited = staff_message.model_copy(update={"text": "Try again in an hour", "edit_date": 1})
    replies = await world.staff.feed(Update(update_id=880002, edited_message=edited))

    edits = [c for c in replies.calls if isinstance(c, EditMessageText)]
    assert [(e.chat_id, e.text) for e in edits] == [
        (PERSON, "VK Cloud support:\n\nTry again in an hour")
    ]


async def test_while_a_request_is_open_the_persons_log_is_mirrored_into_the_topic(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await asks_for_help(world, outbox, sms)
    await world.person.press(BACK)
    await world.settle()
    before = len(world.in_topic())

    await world.person.send("What is 3-D Secure?")
    await world.settle()

    mirrored = world.in_topic()[before:]
    assert any("What is 3-D Secure?" in text and "→ bot" in text for text in mirrored)


async def test_a_desk_that_is_not_a_forum_is_reported_and_messages_wait_for_it(
    database: Database,
    policy: Policy,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    bot: Bot,
    session: RecordingSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    session.desk_is_forum = False
    with caplog.at_level(logging.ERROR):
        world = await _world(database, policy, outbox, sms, clock, bot, session, DESK)
    assert any("topics turned off" in r.getMessage() for r in caplog.records)
    await at_card_step(world.person, outbox, sms)
    await world.person.press(OPEN)

    replies = await world.person.send("My card does not work")

    assert to_person(replies) == [en("desk.delayed")]
    assert not [c for c in session.calls if isinstance(c, CopyMessage)]

    session.desk_is_forum = True  # the operator turned topics on
    clock.advance(60)
    assert await world.services.desk.deliver_due(bot) == 1
    assert len([c for c in session.calls if isinstance(c, CopyMessage)]) == 1
    assert world.services.desk.available


async def test_an_album_of_ten_photos_reaches_the_topic_whole(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_card_step(world.person, outbox, sms)
    await world.person.press(OPEN)

    for n in range(10):
        photo = PhotoSize(file_id=f"p{n}", file_unique_id=f"p{n}", width=1, height=1)
        await world.person.feed_message(photo=[photo], media_group_id="album-1")

    copies = [c for c in world.session.calls if isinstance(c, CopyMessage)]
    assert len(copies) == 10
    assert {c.chat_id for c in copies} == {DESK}


async def test_an_edit_by_the_person_is_mirrored_in_the_topic(
    world: World, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_card_step(world.person, outbox, sms)
    await world.person.press(OPEN)
    message = world.person.message(text="My card ends in 1234")
    await world.person.feed(Update(update_id=990001, message=message))
    calls = world.session.calls
    copy_call = next(c for c in reversed(calls) if isinstance(c, CopyMessage))
    copy_id = world.session.results[calls.index(copy_call)].message_id

    edited = message.model_copy(update={"text": "My card ends in 4321", "edit_date": 1})
    replies = await world.person.feed(Update(update_id=990002, edited_message=edited))

    edits = [c for c in replies.calls if isinstance(c, EditMessageText)]
    assert [(e.chat_id, e.message_id, e.text) for e in edits] == [
        (DESK, copy_id, "My card ends in 4321")
    ]
