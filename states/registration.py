from aiogram.fsm.state import State, StatesGroup


class Registration(StatesGroup):
    email = State()
    password = State()
    awaiting_email_link = State()
    phone = State()
    sms_code = State()
    # After the phone: the card step and activation (issue 4) wait here.
    card = State()
    activation = State()
    active = State()
