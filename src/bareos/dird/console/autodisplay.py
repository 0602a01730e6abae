"""`autodisplay on|off` and `gui on|off`."""


def _on_off(ua, cmdname: str):
    kw = ("on", "off")
    if ua.argc >= 2:
        word = ua.argk[1].lower()
        if word in kw:
            return word == "on"
    ua.error_msg(f"ON or OFF keyword missing.\n")
    return None


def run(ua) -> bool:
    value = _on_off(ua, "autodisplay")
    if value is None:
        return False
    ua.auto_display_messages = value
    return True


def gui(ua) -> bool:
    value = _on_off(ua, "gui")
    if value is None:
        return False
    ua.gui = value
    return True
