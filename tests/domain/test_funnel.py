"""The registration funnel (python -m bot stats) on a fixture of known journeys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.funnel import SIGN_UP_EMAIL, SIGN_UP_PASSWORD, FirstSeen, Journey, funnel
from bot.domain.policy import Policy
from bot.domain.records import Account
from bot.domain.steps import Step

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def journey(*steps: float | None, exempt: bool = False) -> Journey:
    """An account that did the email, phone, card and activation steps at these minutes."""
    padded = [*steps, None, None, None, None][:4]
    account = Account(1, 1, "a@exempt.example" if exempt else "a@corp.example", T0)
    for step, minutes in zip(
        (Step.EMAIL, Step.PHONE, Step.CARD, Step.ACTIVATION), padded, strict=True
    ):
        account = account.with_done(step, None if minutes is None else at(minutes))
    return Journey.of(account, Policy(card_exempt_email_domains=frozenset({"exempt.example"})))


def test_each_step_counts_who_reached_it_who_finished_it_and_the_median_time() -> None:
    journeys = [
        journey(10, 12, 20, 21),  # everything
        journey(20, 30, 31),  # stopped before "Get started"
        journey(30, 31),  # stopped at the card
        journey(),  # never confirmed the email
        journey(5, 6, None, 8, exempt=True),  # no card needed
    ]

    rows = {row.step: row for row in funnel(journeys)}

    assert (rows["email"].reached, rows["email"].finished) == (5, 4)
    assert rows["email"].median == timedelta(minutes=15)  # 5, 10, 20, 30
    assert (rows["phone"].reached, rows["phone"].finished) == (4, 4)
    assert rows["phone"].median == timedelta(minutes=1.5)  # 1, 1, 2, 10
    # The exempt account does not reach the card step at all.
    assert (rows["card"].reached, rows["card"].finished) == (3, 2)
    assert rows["card"].median == timedelta(minutes=4.5)  # 1, 8
    assert (rows["activation"].reached, rows["activation"].finished) == (3, 2)
    assert rows["activation"].median == timedelta(minutes=1.5)  # 1 and 2
    assert rows["email"].conversion == 0.8


def test_an_empty_window_has_no_conversion_and_no_median() -> None:
    rows = funnel([])
    assert all(r.reached == 0 and r.conversion is None and r.median is None for r in rows)


def test_the_sign_up_rows_count_everyone_who_wrote_from_their_first_message() -> None:
    created = Journey.of(
        Account(1, 1, "a@corp.example", at(3)), Policy(), FirstSeen(at(0), password_at=at(1))
    )
    journeys = [
        created,  # email at once, password 2 minutes later
        Journey.without_account(FirstSeen(at(0), password_at=at(4))),  # left at the password
        Journey.without_account(FirstSeen(at(0))),  # never gave an email
        Journey.of(Account(2, 2, "b@corp.example", at(9)), Policy()),  # log pruned since
    ]

    rows = {row.step: row for row in funnel(journeys)}

    assert [row.step for row in funnel(journeys)][:3] == [SIGN_UP_EMAIL, SIGN_UP_PASSWORD, "email"]
    assert (rows[SIGN_UP_EMAIL].reached, rows[SIGN_UP_EMAIL].finished) == (4, 3)
    assert rows[SIGN_UP_EMAIL].median == timedelta(minutes=2.5)  # 1 and 4
    assert (rows[SIGN_UP_PASSWORD].reached, rows[SIGN_UP_PASSWORD].finished) == (3, 2)
    assert rows[SIGN_UP_PASSWORD].median == timedelta(minutes=2)
    assert rows["email"].reached == 2
    assert sum(j.has_account for j in journeys) == 2
