from states.api_access import ApiAccess
from states.registration import Registration
from states.secret import SecretState, secret_states

__all__ = ["ApiAccess", "Registration", "SecretState", "all_secret_states", "secret_states"]


def all_secret_states() -> dict[str, SecretState]:
    """Every secret step of the bot, by state name (the conversation log's masking)."""
    return secret_states(Registration, ApiAccess)
