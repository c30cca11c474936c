from aiogram.fsm.state import State, StatesGroup


class ApiAccess(StatesGroup):
    setup_code = State()  # the first code from the authenticator app
    code_to_switch_on = State()
    code_to_switch_off = State()
