"""The real bareos-restapi 25.1.1 from PyPI (FastAPI app, driven by its TestClient)
in front of our Director: one named console per REST user."""

from __future__ import annotations

import pytest

from tests.compat.conftest import run_script

pytestmark = pytest.mark.compat

SCRIPT = r'''
import json, os, sys, warnings
warnings.simplefilter("ignore")
port, workdir = sys.argv[1], sys.argv[2]
os.chdir(workdir)
with open("api.ini", "w") as f:
    f.write(f"[Director]\nName=bareos-dir\nAddress=127.0.0.1\nPort={port}\n"
            "[JWT]\nsecret_key=0123456789abcdef0123456789abcdef\nalgorithm=HS256\n"
            "access_token_expire_minutes=30\n")
from fastapi.testclient import TestClient
import bareos_restapi
client = TestClient(bareos_restapi.app)
out = {}
bad = client.post("/token", data={"username": "admin", "password": "wrong"})
out["bad_login"] = bad.status_code
tok = client.post("/token", data={"username": "admin", "password": "admin-pw"})
out["login"] = tok.status_code
headers = {"Authorization": "Bearer " + tok.json()["access_token"]}
for path in ("/control/directors/version", "/control/directors/time", "/configuration/clients",
             "/configuration/pools", "/control/clients", "/control/pools", "/control/jobs",
             "/users/me/"):
    r = client.get(path, headers=headers)
    try:
        body = r.json()
    except Exception:
        body = r.text
    out[path] = [r.status_code, body]
print(json.dumps(out))
'''


def test_restapi_against_our_director(director_sqlite, compat_python, tmp_path):
    r = run_script(compat_python, SCRIPT, str(director_sqlite.port), str(tmp_path))
    assert r["bad_login"] == 401
    assert r["login"] == 200
    status, version = r["/control/directors/version"]
    assert status == 200 and version["version"] == "25.1.1", version
    status, body = r["/control/directors/time"]
    assert status == 200 and len(body["year"]) == 4, body
    status, body = r["/configuration/clients"]
    assert status == 200 and "bareos-fd" in str(body)
    status, body = r["/configuration/pools"]
    assert status == 200 and "Incremental" in str(body)
    status, body = r["/control/clients"]
    assert status == 200, body
    status, body = r["/control/pools"]
    assert status == 200 and {p["name"] for p in body["pools"]} >= {"Full", "Incremental"}, body
    status, body = r["/control/jobs"]
    assert status == 200, body
    assert r["/users/me/"][0] == 200
