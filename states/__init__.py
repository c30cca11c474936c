from states.registration import Registration

__all__ = ["Registration"]
