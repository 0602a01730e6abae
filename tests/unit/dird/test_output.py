"""The output formatter: API 0 text, API 2 JSON-RPC documents, messages, filters."""

import json

from bareos.dird.output import OutputFormatter, dumps, rewrap


def make(api, compact=True):
    sent = []
    return OutputFormatter(sent.append, api=api, compact=compact), sent


def test_text_mode_formats_values_and_flushes_at_object_end():
    out, sent = make(0)
    out.object_start("version")
    out.kv("name", "bareos-dir", "%s ")
    out.kv("version", "25.1.1", "%s\n", key_fmt="Version: ")
    assert sent == []
    out.object_end("version")
    assert sent == ["bareos-dir Version: 25.1.1\n"]


def test_json_mode_builds_one_document_with_lowercased_keys():
    out, sent = make(2)
    out.object_start("Version")
    out.kv("Name", "bareos-dir", "%s ")
    out.kv("count", 3)
    out.kv("flag", True)
    out.object_end("Version")
    out.array_start("jobs")
    out.object_start()
    out.kv("name", "a", "%s\n")
    out.object_end()
    out.array_end("jobs")
    out.finalize(True)
    assert sent == ['{"jsonrpc":"2.0","id":null,"result":{"version":{"name":"bareos-dir",'
                    '"count":3,"flag":true},"jobs":[{"name":"a"}]}}']


def test_error_message_turns_result_into_jsonrpc_error():
    out, sent = make(2)
    out.message("error", "bogus: is an invalid command.\n")
    out.message(None, "dropped normal message\n")
    out.finalize(True)
    doc = json.loads(sent[0])
    assert doc["error"] == {"code": 1, "message": "failed",
                            "data": {"result": {}, "messages": {"error": ["bogus: is an invalid command.\n"]}}}


def test_failed_command_without_messages_is_an_error_too():
    out, sent = make(2)
    out.finalize(False)
    assert json.loads(sent[0])["error"]["data"] == {"result": {}, "messages": {}}


def test_limit_filter_adds_meta_range():
    out, sent = make(2)
    out.add_limit(2, None)
    out.num_rows_filtered = 5
    out.array_start("jobs")
    out.array_end("jobs")
    out.finalize(True)
    assert json.loads(sent[0])["result"]["meta"] == {"range": {"limit": 2, "filtered": 5}}


def test_pretty_json_matches_jansson_indent():
    assert dumps({"jsonrpc": "2.0", "id": None, "result": {"api": 2}}, compact=False) == (
        '{\n  "jsonrpc": "2.0",\n  "id": null,\n  "result": {\n    "api": 2\n  }\n}')


def test_decoration_only_in_api0():
    for api, expected in ((0, ["deco\n"]), (1, [])):
        out, sent = make(api)
        out.decoration("deco\n")
        out.finalize(True)
        assert sent == expected


def test_messages_in_text_mode_are_sent_at_once():
    out, sent = make(0)
    out.message("info", "hello\n")
    assert sent == ["hello\n"]


def test_bool_with_integer_format_prints_number():
    out, sent = make(0)
    out.kv("authenticated", True, "%-3d")
    out.finalize(True)
    assert sent == ["1  "]


def test_rewrap_folds_and_wraps_like_bareos():
    assert rewrap("a\n b", 0, 0) == "a b"
    text = "storage=<storage-name> | jobid=<jobid> | job=<job-name>"
    assert rewrap(text, 45, 0) == "storage=<storage-name> |\n\tjobid=<jobid> |\n\tjob=<job-name>"
    assert rewrap(text, 45, 2) == text
