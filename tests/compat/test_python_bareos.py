"""The real python-bareos 25.1.1 from PyPI against our Director."""

from __future__ import annotations

import pytest

from tests.compat.conftest import run_script
from tests.conftest import DIR_PASSWORD

pytestmark = pytest.mark.compat

SCRIPT = r'''
import json, sys, warnings
warnings.simplefilter("ignore")
import bareos.bsock
import bareos.exceptions
port = int(sys.argv[1])
results = {}

def attempt(key, fn):
    try:
        results[key] = {"ok": fn()}
    except Exception as exc:
        results[key] = {"exc": type(exc).__name__, "module": type(exc).__module__, "text": str(exc)}

def text_console(**kw):
    c = bareos.bsock.DirectorConsole(address="127.0.0.1", port=port, **kw)
    try:
        return [c.call("whoami").decode(), c.call("version").decode()[:30], c.call("bogus").decode()]
    finally:
        c.close()

def json_console(**kw):
    c = bareos.bsock.DirectorConsoleJson(address="127.0.0.1", port=port, **kw)
    try:
        out = [c.call("whoami"), c.call(".jobs"), c.call("time")["time"]["year"]]
        try:
            c.call("bogus")
            out.append("no error")
        except bareos.exceptions.JsonRpcErrorReceivedException as exc:
            out.append(str(exc))
        return out
    finally:
        c.close()

P = bareos.bsock.Password
attempt("default_tls", lambda: text_console(password=P(sys.argv[2]), tls_psk_require=True))
attempt("default_json_tls", lambda: json_console(password=P(sys.argv[2]), tls_psk_require=True))
attempt("named_tls", lambda: text_console(name="admin", password=P("admin-pw"), tls_psk_require=True))
attempt("named_json_tls", lambda: json_console(name="admin", password=P("admin-pw")))
attempt("cleartext_notls", lambda: text_console(name="notls", password=P("notls-pw"), tls_psk_enable=False))
attempt("cleartext_json_notls", lambda: json_console(name="notls", password=P("notls-pw"), tls_psk_enable=False))
attempt("cleartext_fallback_p1", lambda: text_console(name="tlsopt", password=P("tlsopt-pw"), tls_psk_enable=False))
attempt("wrong_password", lambda: text_console(name="admin", password=P("wrong")))
attempt("wrong_password_json", lambda: json_console(password=P("wrong")))
attempt("tls_required_console_cleartext", lambda: text_console(name="admin", password=P("admin-pw"), tls_psk_enable=False))
attempt("psk_require_vs_cleartext_only_console",
        lambda: text_console(name="notls", password=P("notls-pw"), tls_psk_require=True, protocolversion=2))
print(json.dumps(results))
'''


@pytest.fixture(scope="module")
def results_holder():
    return {}


def test_python_bareos_against_our_director(director, compat_python):
    r = run_script(compat_python, SCRIPT, str(director.port), DIR_PASSWORD)
    version_prefix = "bareos-dir Version: 25.1.1 (05"
    assert r["default_tls"]["ok"] == ["root\n", version_prefix, "bogus: is an invalid command.\n"]
    assert r["named_tls"]["ok"][0] == "admin\n"
    assert r["cleartext_notls"]["ok"][0] == "notls\n"
    assert r["cleartext_fallback_p1"]["ok"][0] == "tlsopt\n"
    for key, who in (("default_json_tls", "root"), ("named_json_tls", "admin"),
                     ("cleartext_json_notls", "notls")):
        whoami, jobs, year, err = r[key]["ok"]
        assert whoami == {"whoami": who}
        assert {"name": "backup-bareos-fd", "enabled": True} in jobs["jobs"]
        assert len(year) == 4
        assert err == "failed: bogus: is an invalid command.\n"
    assert r["wrong_password"]["exc"] == "AuthenticationError"
    assert r["wrong_password_json"]["exc"] == "AuthenticationError"
    assert r["tls_required_console_cleartext"]["exc"] == "AuthenticationError"
    # TLS-PSK works for a console even when its TLS is disabled (as in Bareos).
    assert r["psk_require_vs_cleartext_only_console"]["ok"][0] == "notls\n"
