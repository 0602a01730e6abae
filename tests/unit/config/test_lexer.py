import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bareos.lib.config import ConfigError
from bareos.lib.config import lexer as L


def tokens(text, expect=L.ALL):
    lx = L.Lexer.from_text(text, "t.conf")
    out = []
    while True:
        tok = lx.get_token(expect)
        out.append((tok, lx.str))
        if tok == L.T_EOF:
            return out


def test_identifier_drops_blanks():
    assert tokens("Maximum Concurrent Jobs = 5\n")[:3] == [
        (L.T_IDENTIFIER, "MaximumConcurrentJobs"), (L.T_EQUALS, "="), (L.T_NUMBER, "5")]


def test_words_with_other_chars_are_strings():
    toks = tokens("Name = bareos-dir\nSize = 10G\n")
    assert (L.T_UNQUOTED, "bareos-dir") in toks
    assert (L.T_UNQUOTED, "10G") in toks


def test_comments_after_values():
    toks = tokens('Name = "a b" # comment "x"\n')
    assert toks == [(L.T_IDENTIFIER, "Name"), (L.T_EQUALS, "="),
                    (L.T_QUOTED, "a b"), (L.T_EOL, "a b"), (L.T_EOF, "")] or \
        [t for t in toks if t[0] not in (L.T_EOL, L.T_EOF)] == [
            (L.T_IDENTIFIER, "Name"), (L.T_EQUALS, "="), (L.T_QUOTED, "a b")]


def test_quoted_escapes():
    toks = tokens(r'X = "a \"q\" \\ \(p\)"' + "\n")
    assert (L.T_QUOTED, 'a "q" \\ (p)') in toks


def test_multiline_and_joined_strings():
    toks = tokens('X = "line1\nline2"\nY = "ab" "cd"\nZ = "ef"\n    "gh"\n')
    q = [s for t, s in toks if t == L.T_QUOTED]
    assert q == ["line1\nline2", "abcd", "efgh"]


def test_semicolon_is_end_of_line():
    toks = tokens("a = 1; b = 2\n")
    assert [t for t, _ in toks].count(L.T_EOL) == 2


def test_braces_and_commas():
    toks = tokens('x = { a = "1", "2" }\n')
    kinds = [t for t, _ in toks]
    assert kinds[:8] == [L.T_IDENTIFIER, L.T_EQUALS, L.T_BOB, L.T_IDENTIFIER,
                         L.T_EQUALS, L.T_QUOTED, L.T_COMMA, L.T_QUOTED]


def test_unterminated_quote_is_an_error():
    with pytest.raises(ConfigError) as ei:
        tokens('Name = "abc\n')
    assert ei.value.file == "t.conf"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                      blacklist_characters="\x00"), max_size=40))
@settings(max_examples=300, deadline=None)
def test_quoted_string_round_trip(s):
    escaped = s.replace("\\", "\\\\").replace('"', '\\"')
    # a raw newline inside quotes is kept as a newline
    text = 'X = "%s"\n' % escaped
    lx = L.Lexer.from_text(text, "t.conf")
    assert lx.get_token() == L.T_IDENTIFIER
    assert lx.get_token() == L.T_EQUALS
    assert lx.get_token() == L.T_QUOTED
    want = s.replace("\r\n", "\n").replace("\r", "\n") if "\r" in s else s
    # splitlines() semantics of the reader: other line breaks end lines too
    if any(c in s for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\r"):
        return
    assert lx.str == want


@given(st.text(max_size=200))
@settings(max_examples=400, deadline=None)
def test_lexer_never_crashes(text):
    lx = L.Lexer.from_text(text, "fuzz.conf")
    lx.allow_includes = False
    try:
        for _ in range(1000):
            if lx.get_token() == L.T_EOF:
                break
    except ConfigError as e:
        assert e.file == "fuzz.conf"


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_parser_never_crashes(text):
    from bareos.dird.config import SCHEMA
    from bareos.lib.config import load_config_text
    try:
        load_config_text(text, SCHEMA, "fuzz.conf")
    except ConfigError:
        pass
