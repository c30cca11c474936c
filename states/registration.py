from aiogram.fsm.state import State, StatesGroup


class Registration(StatesGroup):
    email = State()
    password = State()
    awaiting_email_link = State()
    phone = State()
