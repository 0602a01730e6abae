"""python-bareos's top-level names and ``bareos.util`` exist with the same behaviour."""

import bareos
import bareos.util


def test_top_level_names():
    assert bareos.__version__ == "25.1.1"
    assert bareos.Password("secret").md5() == b"5ebe2294ecd0e0f08eab7690d2a6ee69"
    assert issubclass(bareos.AuthenticationError, bareos.Error)


def test_path():
    p = bareos.util.Path("/usr/bin/python")
    assert p.shift() == "usr" and str(p) == "/bin/python"
    assert str(bareos.util.Path("/etc/")) == "/etc/" and bareos.util.Path("/etc/").is_directory()


def test_base64_and_version():
    b = bareos.util.BareosBase64()
    assert b.string_to_base64(bytes(range(0xF0, 0x100))) == bytearray(b"8//y8//19//4+//7///+/D")
    assert b.string_to_base64(bytes(range(0xF0, 0x100)), compatible=True) == bytearray(b"8PHy8/T19vf4+fr7/P3+/w")
    assert b.base64_to_int(b.int_to_base64(123456789)) == 123456789
    assert bareos.util.Version("25.1.1~pre3.abc").as_python_version() == "25.1.1.dev+3.abc"
