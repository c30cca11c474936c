"""No filter or handler is sent to a worker thread: aiogram runs every callable that is
not a coroutine function through asyncio.to_thread, a bare State or F expression
included (issue 8: five thread trips per update before they were wrapped)."""

from __future__ import annotations

from aiogram import Router

import handlers


def _all_routers(router: Router) -> list[Router]:
    found = [router]
    for child in router.sub_routers:
        found.extend(_all_routers(child))
    return found


def test_every_filter_and_handler_of_every_router_runs_on_the_event_loop() -> None:
    in_threads: list[str] = []
    for top in handlers.routers():
        for router in _all_routers(top):
            for name, observer in router.observers.items():
                for filter_ in observer._handler.filters or []:
                    if not filter_.awaitable:
                        in_threads.append(f"{router.name}.{name} root filter {filter_.callback}")
                for handler in observer.handlers:
                    if not handler.awaitable:
                        in_threads.append(f"{router.name}.{name} handler {handler.callback}")
                    for filter_ in handler.filters or []:
                        if not filter_.awaitable:
                            in_threads.append(f"{router.name}.{name} {filter_.callback}")
    assert in_threads == []
