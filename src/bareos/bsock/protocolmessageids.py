"""``bareos.bsock.ProtocolMessageIds``: numeric ids of the 18.2 console messages."""


class ProtocolMessageIds:
    # Director
    Unknown = 0
    ProtokollError = 1
    ReceiveError = 2
    Ok = 1000
    PamRequired = 1001
    InfoMessage = 1002
    PamInteractive = 4001
    PamUserCredentials = 4002
    # File daemon
    FdOk = 2000
