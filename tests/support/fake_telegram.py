"""A fake Bot API server on 127.0.0.1: enough of Telegram for the bot's real process.

getUpdates honours `offset` as Telegram does: an update is forgotten only once a
later call's offset has moved past it, so the tests see what the bot acknowledged.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

BOT = {
    "id": 4242,
    "is_bot": True,
    "first_name": "VK Cloud onboarding",
    "username": "vkcloud_e2e_bot",
}


# Delivery outcomes that are not HTTP statuses.
CUT_OFF = 0  # the connection broke while the instance had the update
REFUSED = -1  # nothing listens there any more


@dataclass
class Hold:
    method: str
    where: Callable[[dict[str, Any]], bool]
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)  # when the bot made it


class FakeTelegram:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.pending: list[dict[str, Any]] = []
        self.acknowledged_below = 0
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self.topics: dict[int, str] = {}  # forum topics made: thread id -> name
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.url = ""
        # Set by setWebhook: updates are then POSTed to the bot, as Telegram does.
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_statuses: list[int] = []
        # Set by `deliver_in_turn`: several instances behind a load balancer.
        self.instances: list[str] = []
        # update id, instance, HTTP status (or CUT_OFF, REFUSED)
        self.deliveries: list[tuple[int, str, int]] = []
        # When each update was first cut off, and when it was answered 200 at last.
        self.cut_off_at: dict[int, float] = {}
        self.answered_at: dict[int, float] = {}
        self._turns: dict[int, int] = {}
        self._faults: dict[str, list[dict[str, Any]]] = {}
        # Calls held unanswered (`hold`): the bot waits for Telegram's answer there.
        self._holds: list[Hold] = []

    def fail_next(
        self,
        method: str,
        code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` calls of `method` get this error, as Telegram would send it."""
        error: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            error["parameters"] = {"retry_after": retry_after}
        self._faults.setdefault(method, []).extend([error] * times)

    def hold(self, method: str, where: Callable[[dict[str, Any]], bool]) -> Hold:
        """The next call of `method` that satisfies `where` gets no answer until the
        hold is released (or ever, if the bot is killed meanwhile): the moment after
        the bot committed what it is about to say, and before it has said it."""
        held = Hold(method, where)
        self._holds.append(held)
        return held

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        # Long polls still waiting are answered at once, or cleanup would wait for them.
        async with self._changed:
            self._closing = True
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what a person does -------------------------------------------------------
    def user(self, user_id: int, language_code: str = "en") -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": "Person",
            "language_code": language_code,
        }

    async def send_text(self, user_id: int, text: str, language_code: str = "en") -> int:
        """Queues a private message; returns its message id."""
        message_id = next(self._message_ids)
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"},
            "from": self.user(user_id, language_code),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        await self._push({"message": message})
        return message_id

    async def write_in_topic(self, chat_id: int, thread_id: int, staff_id: int, text: str) -> int:
        """A member of a forum group writes in a topic (the support desk's staff)."""
        message_id = next(self._message_ids)
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "supergroup", "title": "Support", "is_forum": True},
            "from": {"id": staff_id, "is_bot": False, "first_name": "Staff"},
            "message_thread_id": thread_id,
            "is_topic_message": True,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        await self._push({"message": message})
        return message_id

    async def send_contact(self, user_id: int, phone_number: str, owner: int | None = None) -> int:
        """Shares a contact, the person's own unless `owner` says otherwise."""
        message_id = next(self._message_ids)
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"},
            "from": self.user(user_id),
            "contact": {
                "phone_number": phone_number,
                "first_name": "Person",
                "user_id": user_id if owner is None else owner,
            },
        }
        await self._push({"message": message})
        return message_id

    async def pre_checkout(
        self, user_id: int, payload: str, total: int, currency: str = "RUB"
    ) -> str:
        """Telegram's question before charging; returns the query id to find the answer."""
        query_id = f"pcq-{next(self._message_ids)}"
        await self._push(
            {
                "pre_checkout_query": {
                    "id": query_id,
                    "from": self.user(user_id),
                    "currency": currency,
                    "total_amount": total,
                    "invoice_payload": payload,
                }
            }
        )
        return query_id

    async def successful_payment(
        self, user_id: int, payload: str, total: int, charge_id: str, currency: str = "RUB"
    ) -> None:
        await self._push(
            {
                "message": {
                    "message_id": next(self._message_ids),
                    "date": int(time.time()),
                    "chat": {"id": user_id, "type": "private"},
                    "from": self.user(user_id),
                    "successful_payment": {
                        "currency": currency,
                        "total_amount": total,
                        "invoice_payload": payload,
                        "telegram_payment_charge_id": charge_id,
                        "provider_payment_charge_id": f"provider-{charge_id}",
                    },
                }
            }
        )

    async def press(self, user_id: int, data: str) -> None:
        await self._push(
            {
                "callback_query": {
                    "id": str(next(self._message_ids)),
                    "from": self.user(user_id),
                    "chat_instance": "e2e",
                    "data": data,
                    "message": {
                        "message_id": next(self._message_ids),
                        "date": int(time.time()),
                        "chat": {"id": user_id, "type": "private"},
                        "text": "(buttons)",
                    },
                }
            }
        )

    def deliver_in_turn(self, instances: list[str], secret: str) -> None:
        """Posts updates to several webhook instances, as a load balancer in front of
        them would: each person's updates go to the instances in turn, and an update
        that is not answered 200 (the instance died, say) is posted again, to the next
        instance, as Telegram delivers an update again until it is acknowledged."""
        self.instances = instances
        self.webhook_secret = secret

    async def _deliver_in_turn(self, update: dict[str, Any]) -> int:
        user = _user_of(update)
        deadline = time.monotonic() + 120
        while True:
            turn = self._turns.get(user, user)
            self._turns[user] = turn + 1
            instance = self.instances[turn % len(self.instances)]
            try:
                body = json.dumps(update).encode()
                status = await self._post(instance, body, self.webhook_secret)
            except aiohttp.ClientConnectorError:
                status = REFUSED  # the instance is gone
            except aiohttp.ClientError:
                status = CUT_OFF  # it died while handling this update
            update_id = int(update["update_id"])
            self.deliveries.append((update_id, instance, status))
            if status == CUT_OFF:
                self.cut_off_at.setdefault(update_id, time.monotonic())
            elif status == 200:
                self.answered_at[update_id] = time.monotonic()
            if status == 200 or time.monotonic() > deadline:
                return status
            # Telegram waits a little before it delivers an update again.
            await asyncio.sleep(0.2)

    async def _push(self, update: dict[str, Any]) -> None:
        numbered = {"update_id": next(self._update_ids), **update}
        if self.instances:
            self.webhook_statuses.append(await self._deliver_in_turn(numbered))
            return
        if self.webhook_url is not None:
            # Telegram waits for the bot's answer; the answer comes after processing.
            status = await self.post_to_webhook(numbered, self.webhook_secret)
            self.webhook_statuses.append(status)
            return
        async with self._changed:
            self.pending.append(numbered)
            self._changed.notify_all()

    async def post_to_webhook(self, body: Any, secret: str | None, raw: bytes | None = None) -> int:
        assert self.webhook_url is not None
        data = raw if raw is not None else json.dumps(body).encode()
        return await self._post(self.webhook_url, data, secret)

    async def _post(self, url: str, data: bytes, secret: str | None) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=data, headers=headers) as response,
        ):
            return response.status

    # -- what the tests wait for ------------------------------------------------------
    async def wait_for(
        self,
        method: str,
        where: Callable[[dict[str, Any]], bool] = lambda _: True,
        *,
        after: int = 0,
        timeout: float = 30,
    ) -> tuple[int, Call]:
        """The first call of `method` at index >= `after` that satisfies `where`."""

        def found() -> tuple[int, Call] | None:
            for index, call in enumerate(self.calls[after:], start=after):
                if call.method == method and where(call.params):
                    return index, call
            return None

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None), timeout)
        result = found()
        assert result is not None
        return result

    async def wait_acknowledged(self, update_id: int, timeout: float = 30) -> None:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: self.acknowledged_below > update_id), timeout
            )

    def texts_to(self, user_id: int) -> list[str]:
        return [
            c.params["text"]
            for c in self.calls
            if c.method == "sendMessage" and int(c.params["chat_id"]) == user_id
        ]

    # -- the Bot API ------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    # An uploaded file (a photo): kept as bytes for the test to look at.
                    params[key] = value.file.read()
                else:
                    params[key] = value
        for key, value in list(params.items()):
            if isinstance(value, str) and value[:1] in "{[":
                params[key] = json.loads(value)
            elif isinstance(value, str) and value.startswith("attach://"):
                # A file sent as a separate part of the form, as the Bot API allows.
                params[key] = params.get(value.removeprefix("attach://"), value)
        for held in list(self._holds):
            if held.method == method and held.where(params):
                self._holds.remove(held)
                held.arrived.set()
                await held.released.wait()
        faults = self._faults.get(method)
        if faults:
            error = faults.pop(0)
            async with self._changed:
                self.calls.append(Call(f"{method}!{error['error_code']}", params))
                self._changed.notify_all()
            return web.json_response(error, status=error["error_code"])
        if method == "getUpdates":
            result: Any = await self._get_updates(params)
        else:
            result = self._answer(method, params)
        async with self._changed:
            self.calls.append(Call(method, params))
            self._changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        # Telegram hands out at most 100 updates a call, from the offset.
        limit = min(100, int(params.get("limit") or 100))
        async with self._changed:
            if offset:
                self.acknowledged_below = max(self.acknowledged_below, offset)
                self.pending = [u for u in self.pending if u["update_id"] >= offset]
                self._changed.notify_all()
            if timeout <= 0 or self.pending:
                # A short poll is answered at once with what there is, as Telegram
                # does (wait_for with no time left would not even look).
                return list(self.pending[:limit])
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: bool(self.pending) or self._closing), timeout
                )
            except TimeoutError:
                return []
            return list(self.pending[:limit])

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method == "setWebhook":
            self.webhook_url = str(params["url"])
            self.webhook_secret = params.get("secret_token")
            return True
        if method == "deleteWebhook":
            self.webhook_url = None
            return True
        if method == "sendInvoice":
            return {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": BOT,
                "invoice": {
                    "title": params["title"],
                    "description": params["description"],
                    "start_parameter": "",
                    "currency": params["currency"],
                    "total_amount": sum(int(p["amount"]) for p in params["prices"]),
                },
            }
        if method == "sendPhoto":
            return {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": BOT,
                "photo": [{"file_id": "photo", "file_unique_id": "photo", "width": 1, "height": 1}],
                "caption": params.get("caption", ""),
            }
        if method in {"sendMessage", "editMessageText"}:
            chat_id = int(params["chat_id"])
            edited = method == "editMessageText"
            answer: dict[str, Any] = {
                "message_id": int(params["message_id"]) if edited else next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "from": BOT,
                "text": params.get("text", ""),
            }
            if "message_thread_id" in params:
                answer["message_thread_id"] = int(params["message_thread_id"])
                answer["is_topic_message"] = True
            return answer
        # The forum methods of a support group (issue 18): one forum where the bot is
        # an administrator allowed to manage topics.
        if method == "getChat":
            return {
                "id": int(params["chat_id"]),
                "type": "supergroup",
                "title": "Support",
                "is_forum": True,
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        if method == "getChatMember":
            return {
                "status": "administrator",
                "user": BOT,
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": False,
                "can_restrict_members": False,
                "can_promote_members": False,
                "can_change_info": False,
                "can_invite_users": False,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
                "can_manage_topics": True,
                "can_send_welcome_messages": False,
            }
        if method == "createForumTopic":
            thread = next(self._message_ids)  # Telegram's thread id is its first message's
            self.topics[thread] = str(params["name"])
            return {"message_thread_id": thread, "name": params["name"], "icon_color": 7322096}
        if method == "copyMessage":
            return {"message_id": next(self._message_ids)}
        return True


def _user_of(update: dict[str, Any]) -> int:
    for kind in ("message", "callback_query", "pre_checkout_query"):
        if kind in update:
            return int(update[kind]["from"]["id"])
    return 0
