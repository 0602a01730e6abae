"""`messages` and `.messages`: print (and clear) the Director's pending console messages.

The lines are sent as they are, one packet each, in every API mode (Bareos
does the same: in JSON mode the text precedes an empty result document).
"""

from .. import acl


def _do_messages(ua) -> None:
    ua.send.flush()
    for line in ua.director.console_messages.take():
        ua.bsock.send(line)
    ua.user_notified_msg_pending = False


def run(ua) -> bool:
    if ua.director.console_messages.pending and ua.acl_access_ok(acl.COMMAND, "messages"):
        _do_messages(ua)
    else:
        ua.send.decoration("You have no messages.\n")
    return True


def dot_messages(ua) -> bool:
    if (ua.director.console_messages.pending and ua.acl_access_ok(acl.COMMAND, ".messages")
            and ua.auto_display_messages):
        _do_messages(ua)
    return True
