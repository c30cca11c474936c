from aiogram.fsm.state import State, StatesGroup


class Registration(StatesGroup):
    email = State()
    password = State()
    awaiting_email_link = State()
    phone = State()
    sms_code = State()
    card = State()
    # Activation: the autopayment offer (when a card is linked), then "Get started".
    activation = State()
    autopay_amount = State()
    autopay_threshold = State()
    autopay_confirm = State()
    active = State()
