"""``bareos.bsock.ConnectionType``: which kind of daemon a connection talks to."""


class ConnectionType:
    DIRECTOR = 1001
    STORAGE = 1002
    FILEDAEMON = 1003
