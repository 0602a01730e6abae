"""``bareos.bsock.Password`` (python-bareos: ``bareos.util.Password``)."""

from bareos.lib.cram import password_key


class Password:
    """A password kept as cleartext and as Bareos's hex-MD5 key."""

    def __init__(self, password=None):
        self.password_plaintext = None
        self.password_md5 = None
        if password is not None:
            self.set_plaintext(password)

    def set_plaintext(self, password):
        if isinstance(password, (bytes, bytearray)):
            password = bytes(password).decode("utf-8")
        self.password_plaintext = bytearray(password, "utf-8")
        self.set_md5(password_key(password))

    def set_md5(self, password):
        """Set only the MD5 form (``bytes``, 32 hex characters); no cleartext then."""
        if isinstance(password, str):
            password = password.encode("ascii")
        self.password_md5 = password

    def plaintext(self):
        if self.password_plaintext is None:
            return None
        return self.password_plaintext.decode("utf-8")

    def md5(self):
        return self.password_md5
