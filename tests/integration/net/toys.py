"""A tiny console-speaking Director and File Daemon built on bareos.lib (test helpers).

Only enough of the console protocol to drive the python-bareos-compatible
client: Hello, cleartext admission, CRAM-MD5, banners, PAM (4002), and a
command loop with API modes 0 and 2.
"""

import json
import threading

from bareos.lib import bnet, cram, tls
from bareos.lib.bsock import AuthenticationFailed, authenticate_server

DIRNAME = "toy-dir"


class ToyConsole:
    def __init__(self, password, tls_settings=None, pam=None):
        self.key = cram.password_key(password)
        self.tls = tls_settings if tls_settings is not None else tls.TlsSettings()
        self.pam = pam  # (user, password) or None


class ToyDirector:
    def __init__(self, dir_password="dirpass", consoles=None, close_after_cram=False):
        self.dir_key = cram.password_key(dir_password)
        self.dir_tls = tls.TlsSettings()
        self.consoles = consoles or {}
        self.close_after_cram = close_after_cram
        self.sessions = []  # (name, tls_used, cipher) of completed logins
        self.lock = threading.Lock()

    def lookup(self, name):
        if name == "*UserAgent*":
            return None, self.dir_key, self.dir_tls, None
        c = self.consoles.get(name)
        if c is None:
            return None
        return c, c.key, c.tls, c.pam

    def psk_lookup(self, identity):
        parts = tls.split_psk_identity(identity)
        if not parts or parts[0] != "R_CONSOLE":
            return None
        found = self.lookup(parts[1])
        return found[1] if found else None

    def handle(self, bs, hello_bytes, tls_used):
        hello = bnet.parse_hello(hello_bytes)
        found = self.lookup(hello.name) if hello.kind is bnet.HelloKind.CONSOLE else None
        if found is None:
            bs.signal(bnet.BNET_TERMINATE)
            return
        _, key, settings, pam = found
        policy = settings.policy()
        if not tls_used and hello.protocol_18_2 and policy != tls.TLS_POLICY_NONE:
            bs.signal(bnet.BNET_TERMINATE)
            return
        try:
            remote = authenticate_server(bs, key, cram.qualified_name("R_DIRECTOR", DIRNAME), policy)
        except AuthenticationFailed:
            return
        if self.close_after_cram:
            return
        if not tls_used and tls.cleartext_decision(remote, policy) != tls.CLEARTEXT_OK:
            if not hello.protocol_18_2:
                bs.send(cram.NOT_AUTHORIZED)
            return
        banner = f"OK: {DIRNAME} Version: 25.1.1 (05 December 2025)"
        if hello.protocol_18_2:
            if pam:
                bs.send(bnet.format_response_message(1001, ""))
                reply = bnet.parse_response_message(bs.recv_data())
                if not reply or reply[0] != 4002 or tuple(reply[1][:2]) != pam:
                    return
            bs.send(bnet.format_response_message(1000, banner))
            bs.send(bnet.format_response_message(1002, f"Toy\nYou are logged in as: {hello.name}"))
        else:
            cipher = bs.tls_cipher()
            enc = f" Encryption: {cipher[0]} {cipher[1]}" if cipher else " Encryption: None"
            bs.send(f"1000 {banner} -- {enc}\n")
        with self.lock:
            self.sessions.append((hello.name, tls_used, bs.tls_cipher()))
        self.command_loop(bs, hello.name)

    def command_loop(self, bs, name):
        api = 0
        while True:
            if api:
                bs.signal(bnet.BNET_MAIN_PROMPT)
            try:
                item = bs.recv(None)
            except bnet.BnetError:
                return
            if isinstance(item, int):
                if item == bnet.BNET_TERMINATE:
                    return
                bs.signal(bnet.BNET_POLL)
                continue
            words = item.decode().split()
            if not words:
                if api == 0:
                    bs.signal(bnet.BNET_EOD)
                continue
            cmd = words[0]
            if cmd in ("quit", "exit"):
                return
            result, error, text = None, None, ""
            if cmd == ".api":
                api = 2 if words[1:2] == ["json"] else 0
                result = {"api": api}
                text = f"api: {api}\n"
            elif cmd == "autodisplay":
                text = ""
            elif cmd == "whoami":
                result = {"whoami": name}
                text = name + "\n"
            elif cmd == "big":
                size = int(words[1])
                result = {"big": "x" * size}
                text = "x" * size + "\n"
            elif cmd == "lines":
                text = "".join(f"line {i}\n" for i in range(int(words[1])))
                result = {"lines": int(words[1])}
            elif cmd == "echo":
                text = " ".join(words[1:]) + "\n"
                result = {"echo": words[1:]}
            else:
                error = f"{cmd}: is an invalid command.\n"
            if api == 2:
                if error:
                    bs.signal(bnet.BNET_ERROR_MSG)
                    doc = {"jsonrpc": "2.0", "id": None,
                           "error": {"code": 1, "message": "failed",
                                     "data": {"result": {}, "messages": {"error": [error]}}}}
                else:
                    bs.signal(bnet.BNET_CMD_BEGIN)
                    bs.signal(bnet.BNET_CMD_OK)
                    doc = {"jsonrpc": "2.0", "id": None, "result": result}
                bs.send(json.dumps(doc, separators=(",", ":")))
            else:
                if error or text:
                    bs.send(error or text)
                bs.signal(bnet.BNET_EOD)


class ToyFileDaemon:
    """Accepts ``Hello Director <name> calling`` and answers ``status``."""

    def __init__(self, director_name, password):
        self.name = director_name
        self.key = cram.password_key(password)
        self.commands = []

    def psk_lookup(self, identity):
        return self.key if identity == tls.psk_identity("R_DIRECTOR", self.name) else None

    def handle(self, bs, hello_bytes, tls_used):
        hello = bnet.parse_hello(hello_bytes)
        if hello.kind is not bnet.HelloKind.DIRECTOR or hello.name != self.name:
            bs.signal(bnet.BNET_TERMINATE)
            return
        try:
            authenticate_server(bs, self.key, cram.qualified_name("R_CLIENT", "toy-fd"), 2)
        except AuthenticationFailed:
            bs.send(b"2999 Authentication failed.\n")
            return
        bs.send(b"2000 OK Hello 54\n")
        while True:
            try:
                item = bs.recv(None)
            except bnet.BnetError:
                return
            if isinstance(item, int):
                return
            self.commands.append(item)
            bs.send(b"toy-fd status: " + item + b"\n")
            bs.signal(bnet.BNET_EOD)


