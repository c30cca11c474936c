"""Steps whose input is a secret (R3, R8, R13, R18): marked where the state is declared,
so the conversation log masks what is typed there without a list of its own."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class SecretState(State):
    """What a person sends at this step is recorded as a mask naming `secret`: the
    secret expected here, or one that is likely (a password sent again)."""

    def __init__(self, secret: str, *, only_if_password_like: bool = False) -> None:
        super().__init__()
        self.secret = secret
        # Masked only when the text could be a password; anything else (a question, an
        # address) is kept as typed, so that support can read it (R34).
        self.only_if_password_like = only_if_password_like


def secret_states(*groups: type[StatesGroup]) -> dict[str, SecretState]:
    """The secret states of `groups`, by their state name ("Registration:password")."""
    found: dict[str, SecretState] = {}
    for group in groups:
        for state in group.__all_states__:
            if isinstance(state, SecretState) and state.state is not None:
                found[state.state] = state
    return found
