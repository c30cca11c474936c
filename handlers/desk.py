"""Talk to a person (issue 18, R35-R37): the person's side in their private chat, the
staff's side in the support group's topics. The Telegram work is bot/support/desk.py's."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, Filter
from aiogram.types import CallbackQuery, Message

from bot.domain.desk import is_note
from bot.support.desk import SupportDesk
from bot.support.masking import could_be_a_password
from bot.telegram.conversation import TALKING, Conversation
from bot.ui.keyboards import Desk, DeskAction, back_to_registration_keyboard
from bot.ui.texts import texts_for
from handlers.filters import Matches
from handlers.flow import Flow
from states import ApiAccess, Registration
from states.secret import secret_states

_SECRETS = secret_states(Registration, ApiAccess)
# FSM values of TALKING: the person has not been told the request was received yet.
_NEW, _TOLD = "new", "told"


# -- the person's side ---------------------------------------------------------------
class Talking(Filter):
    """The person is writing to the desk: their messages go to their topic."""

    async def __call__(self, message: Message, conv: Conversation, desk: SupportDesk) -> bool:
        # Without a desk nobody is writing to it: no read of the FSM data per message.
        return desk.configured and bool(await conv.state.get_value(TALKING))


async def open_request(conv: Conversation, desk: SupportDesk) -> None:
    t = conv.t
    if not desk.configured:
        await conv.say(t("desk.unavailable"))
        return
    request, new = await desk.service.open(conv.user_id)
    desk.opened(conv.user_id, talking=True)
    if new:
        await desk.reopen(conv.bot, conv.user_id)
    await conv.state.update_data({TALKING: _NEW if new or not request.answered else _TOLD})
    await conv.say(t("desk.opened"), reply_markup=back_to_registration_keyboard(t))


async def support_command(message: Message, conv: Conversation, desk: SupportDesk) -> None:
    await open_request(conv, desk)


async def talk_button(callback: CallbackQuery, conv: Conversation, desk: SupportDesk) -> None:
    await callback.answer()
    await open_request(conv, desk)


async def back_to_registration(conv: Conversation, desk: SupportDesk, flow: Flow) -> None:
    t = conv.t
    if not await conv.state.get_value(TALKING):
        await conv.say(t("desk.not_talking"))
        return
    await conv.state.update_data({TALKING: None})
    if await desk.service.stop_talking(conv.user_id) is not None:
        desk.opened(conv.user_id, talking=False)
        await desk.post(conv.bot, conv.user_id, desk.staff_t.raw("desk.person_returned"))
    await conv.say(t("desk.back"))
    await flow.show(conv)


async def done_command(message: Message, conv: Conversation, desk: SupportDesk, flow: Flow) -> None:
    await back_to_registration(conv, desk, flow)


async def back_button(
    callback: CallbackQuery, conv: Conversation, desk: SupportDesk, flow: Flow
) -> None:
    await callback.answer()
    await back_to_registration(conv, desk, flow)


async def to_the_desk(message: Message, conv: Conversation, desk: SupportDesk) -> None:
    t = conv.t
    state = await conv.state.get_state()
    secret = _SECRETS.get(state or "")
    if secret is not None and (
        not secret.only_if_password_like or could_be_a_password(message.text or "")
    ):
        # R37: what is typed at a secret step never leaves the chat.
        await desk.note_secret(conv.bot, conv.user_id, state)
        await conv.say(t("desk.secret_not_sent"), reply_markup=back_to_registration_keyboard(t))
        return
    if not await desk.to_topic(conv.bot, message, conv.user_id):
        await conv.say(t("desk.delayed"))
        return
    if await conv.state.get_value(TALKING) == _NEW:
        wait = await desk.service.usual_wait()
        if wait is None:
            text = t("desk.received_no_figure")
        else:
            text = t(
                "desk.received", wait=t.duration(max(60, round(wait.total_seconds() / 60) * 60))
            )
        await conv.state.update_data({TALKING: _TOLD})
        await conv.say(text, reply_markup=back_to_registration_keyboard(t))


async def edited_to_the_desk(message: Message, bot: Bot, desk: SupportDesk) -> None:
    await desk.edited_by_person(bot, message)


def person_router() -> Router:
    router = Router(name=f"{__name__}.person")
    private = Matches(F.chat.type == ChatType.PRIVATE)
    router.message.register(support_command, private, Command("support"))
    router.message.register(done_command, private, Command("done"))
    router.callback_query.register(talk_button, Desk.filter(F.action == DeskAction.OPEN))
    router.callback_query.register(back_button, Desk.filter(F.action == DeskAction.BACK))
    # Commands keep working while writing to the desk; an unknown one is answered as such.
    router.message.register(to_the_desk, private, Talking(), ~Matches(F.text.startswith("/")))
    router.edited_message.register(edited_to_the_desk, private, Talking())
    return router


# -- the staff's side ----------------------------------------------------------------
class InDesk(Filter):
    """A message in the support group, from a person (not a bot or a channel)."""

    async def __call__(self, message: Message, desk: SupportDesk) -> bool:
        return (
            desk.chat_id is not None
            and message.chat.id == desk.chat_id
            and message.from_user is not None
            and not message.from_user.is_bot
        )


async def _person_of(message: Message, desk: SupportDesk) -> int | None:
    if not message.is_topic_message or message.message_thread_id is None:
        return None
    return await desk.person_in(message.message_thread_id)


async def queue(message: Message, desk: SupportDesk) -> None:
    t = desk.staff_t
    requests = await desk.service.queue()
    if not requests:
        await message.reply(t.raw("desk.queue_empty"), parse_mode=None)
        return
    now = desk.service.clock.now()
    lines = [t.raw("desk.queue_header")]
    for request in requests:
        waiting = int(request.waiting(now).total_seconds() // 60) * 60
        lines.append(
            t.raw(
                "desk.queue_line",
                user_id=request.user_id,
                waiting=t.duration(max(60, waiting)),
                answered=t.raw(
                    "desk.queue_answered" if request.answered else "desk.queue_unanswered"
                ),
            )
        )
    await message.reply("\n".join(lines)[:4000], parse_mode=None)


async def close(message: Message, bot: Bot, desk: SupportDesk) -> None:
    t = desk.staff_t
    user_id = await _person_of(message, desk)
    if user_id is None:
        await message.reply(t.raw("desk.no_topic_here"), parse_mode=None)
        return
    request = await desk.service.close(user_id)
    if request is None:
        await message.reply(t.raw("desk.nothing_open"), parse_mode=None)
        return
    language = await desk.language_of(user_id)
    person_t = texts_for(language, desk.contact)
    try:
        await bot.send_message(user_id, person_t("desk.closed"))
    except Exception:  # blocked or gone: the topic still says it is closed
        await message.reply(t.raw("desk.blocked"), parse_mode=None)
    name = message.from_user.full_name if message.from_user else "-"
    await message.reply(t.raw("desk.closed_staff", name=name), parse_mode=None)
    await desk.closed(bot, user_id, request)


async def card(message: Message, bot: Bot, desk: SupportDesk) -> None:
    user_id = await _person_of(message, desk)
    if user_id is None or message.message_thread_id is None:
        await message.reply(desk.staff_t.raw("desk.no_topic_here"), parse_mode=None)
        return
    await desk.post_card(bot, user_id, message.message_thread_id)


async def reply_to_person(message: Message, bot: Bot, desk: SupportDesk) -> None:
    if is_note(message.text or message.caption):
        return  # R36: a note among staff; the person never sees it
    user_id = await _person_of(message, desk)
    if user_id is None:
        return  # the group's general chat: staff talking among themselves
    await desk.to_person(bot, message, user_id)


async def edited_reply(message: Message, bot: Bot, desk: SupportDesk) -> None:
    user_id = await _person_of(message, desk)
    if user_id is not None and not is_note(message.text or message.caption):
        await desk.edited_by_staff(bot, message, user_id)


async def service_message(message: Message) -> None:
    """A topic created, closed or renamed: Telegram's own notice, nothing to do."""


def staff_router() -> Router:
    router = Router(name=f"{__name__}.staff")
    router.message.filter(InDesk())
    router.edited_message.filter(InDesk())
    router.message.register(queue, Command("queue"))
    router.message.register(close, Command("close"))
    router.message.register(card, Command("card"))
    router.message.register(
        service_message,
        Matches(
            F.forum_topic_created
            | F.forum_topic_closed
            | F.forum_topic_reopened
            | F.forum_topic_edited
            | F.new_chat_members
            | F.left_chat_member
            | F.pinned_message
        ),
    )
    router.message.register(reply_to_person)
    router.edited_message.register(edited_reply)
    return router
