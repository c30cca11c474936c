"""R34: support staff read one vocabulary for where a person is, and it covers every
state of states/ and every step of bot/domain/steps.py."""

from __future__ import annotations

from aiogram.fsm.state import StatesGroup

from bot.domain.funnel import PASSWORD_STATE
from bot.domain.steps import Step
from bot.support.display import FUNNEL_LABELS, NO_STEP, STEP_LABELS, STEP_NAMES, step_label
from states import ApiAccess, Registration


def _states(*groups: type[StatesGroup]) -> list[str]:
    return [state.state for group in groups for state in group.__all_states__ if state.state]


def test_every_state_has_a_label_that_starts_with_its_steps_name() -> None:
    names = set(STEP_NAMES.values())
    for state in _states(Registration, ApiAccess):
        label = STEP_LABELS[state]
        assert label.split(":")[0] in names, (state, label)


def test_no_label_is_left_for_a_state_that_no_longer_exists() -> None:
    assert set(STEP_LABELS) == set(_states(Registration, ApiAccess))


def test_every_step_has_a_name_and_the_funnel_uses_the_same_words() -> None:
    assert set(STEP_NAMES) == set(Step)
    for step in Step:
        if step not in (Step.SIGN_UP, Step.ACTIVE):
            assert FUNNEL_LABELS[step.value] == STEP_NAMES[step]
    assert FUNNEL_LABELS["sign_up_password"] == STEP_LABELS[PASSWORD_STATE]


def test_the_funnel_reads_the_password_step_under_its_recorded_name() -> None:
    assert Registration.password.state == PASSWORD_STATE


def test_a_person_with_no_step_and_a_registered_person_read_differently() -> None:
    assert step_label(None) == NO_STEP
    assert step_label(Registration.active.state) == "registered"
