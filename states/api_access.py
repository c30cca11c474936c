from aiogram.fsm.state import StatesGroup

from states.secret import SecretState


class ApiAccess(StatesGroup):
    setup_code = SecretState("TOTP code")  # the first code from the authenticator app
    code_to_switch_on = SecretState("TOTP or backup code")
    code_to_switch_off = SecretState("TOTP or backup code")
