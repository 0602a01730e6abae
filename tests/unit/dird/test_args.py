"""Console command-line parsing (Bareos's ParseArgs) and the command table."""

from hypothesis import given, strategies as st

from bareos.dird.console import COMMANDS, lookup
from bareos.dird.ua import parse_args


def test_keywords_values_quotes_and_escapes():
    argk, argv = parse_args('restore client=bareos-fd where="/tmp/a b" select  all\\ x done=')
    assert argk == ["restore", "client", "where", "select", "all x", "done"]
    assert argv == [None, "bareos-fd", "/tmp/a b", None, None, ""]


def test_value_split_at_first_equal_sign_only():
    argk, argv = parse_args('.sql query="select a=b"')
    assert argk == [".sql", "query"] and argv == [None, "select a=b"]


def test_at_most_30_arguments():
    argk, _ = parse_args(" ".join(str(i) for i in range(40)))
    assert len(argk) == 30


@given(st.text(max_size=200))
def test_parse_args_never_fails(line):
    argk, argv = parse_args(line)
    assert len(argk) == len(argv) <= 30


def test_prefix_lookup_first_entry_wins():
    assert lookup("h").name == "help"
    assert lookup("HELP").name == "help"
    assert lookup("st").name == "status"
    assert lookup(".api").name == ".api"
    assert lookup("bogus-command") is None


def test_table_has_bareos_commands_in_order():
    names = [c.name for c in COMMANDS]
    assert names[0] == "." and "configure" in names and names.index(".help") < names.index("help")
    assert len(names) == 88
