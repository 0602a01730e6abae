"""`.api`: switch between API modes 0 (text), 1 (signals) and 2 (JSON)."""

from ..output import API_MODE_JSON, API_MODE_OFF, API_MODE_ON


def run(ua) -> bool:
    if ua.argc == 1:
        ua.api = API_MODE_ON
    elif 2 <= ua.argc <= 3:
        mode = ua.argk[1].lower()
        if mode in ("off", "0"):
            ua.api = API_MODE_OFF
            ua.batch = False
        elif mode in ("on", "1"):
            ua.api = API_MODE_ON
            ua.batch = False
        elif mode in ("json", "2"):
            ua.api = API_MODE_JSON
            ua.batch = True
            if ua.argc == 3 and ua.find_arg_with_value("compact") == 2:
                ua.send.compact = ua.argv[2].lower() == "yes"
        else:
            return False
    else:
        return False
    ua.send.set_mode(ua.api)
    ua.send.kv("api", ua.api, "%d\n", key_fmt="%s: ")
    return True
