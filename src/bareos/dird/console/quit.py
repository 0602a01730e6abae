"""`quit`, `exit`, `.quit`: end the console session."""


def run(ua) -> bool:
    ua.quit = True
    return True
