"""`whoami`: the name of the console (or PAM user) of this session."""


def run(ua) -> bool:
    name = ua.user_acl.name if ua.user_acl is not None else "root"
    ua.send.kv("whoami", name, "%s\n")
    return True
