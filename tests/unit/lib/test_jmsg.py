from bareos.lib import jmsg


def test_jmsg_round_trip_and_prefix():
    text = jmsg.message_text("bareos-fd", 7, jmsg.M_ERROR, "cannot open /x\n")
    assert text == "bareos-fd JobId 7: Error: cannot open /x\n"
    line = jmsg.jmsg_line("backup.2026-11-22_00.36.36_03", jmsg.M_ERROR, text, mtime=1795307793)
    assert line == ("Jmsg Job=backup.2026-11-22_00.36.36_03 type=4 level=1795307793 "
                    "bareos-fd JobId 7: Error: cannot open /x\n")
    parsed = jmsg.parse_jmsg(line.encode())
    assert parsed == jmsg.Jmsg("backup.2026-11-22_00.36.36_03", 4, 1795307793, text)
    assert jmsg.parse_jmsg("2000 OK") is None
