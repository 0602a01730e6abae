"""`.`: does nothing (used by GUIs to poll)."""


def run(ua) -> bool:
    return True
