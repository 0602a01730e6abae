"""Console ACL matching as Bareos does it."""

from bareos.dird import acl


def test_default_console_may_do_everything():
    assert acl.acl_access_ok(None, acl.COMMAND, "delete")


def test_explicit_names_all_and_negation_in_order():
    a = acl.UserAcl("c", {acl.COMMAND: ["!delete", "*all*"], acl.JOB: ["backup-.*", "!x"]})
    assert not a.check(acl.COMMAND, "delete")
    assert a.check(acl.COMMAND, "list")
    assert a.check(acl.JOB, "backup-client1")
    assert not a.check(acl.JOB, "restore")


def test_regex_must_cover_the_whole_item_and_ignores_case():
    a = acl.UserAcl("c", {acl.CLIENT: ["web.*-fd"]})
    assert a.check(acl.CLIENT, "WEB01-fd")
    assert not a.check(acl.CLIENT, "xweb01-fd-old")


def test_profiles_consulted_when_console_list_does_not_decide():
    prof = acl.UserAcl("operator", {acl.COMMAND: ["status", "!configure"]})
    a = acl.UserAcl("c", {acl.COMMAND: ["list"]}, [prof])
    assert a.check(acl.COMMAND, "list")
    assert a.check(acl.COMMAND, "status")
    assert not a.check(acl.COMMAND, "configure")
    assert not a.check(acl.COMMAND, "delete")


def test_invalid_names_are_denied_except_where_and_plugin_options():
    a = acl.UserAcl("c", {acl.JOB: ["*all*"], acl.WHERE: ["*all*"]})
    assert not a.check(acl.JOB, "bad;name")
    assert a.check(acl.WHERE, "/tmp/bareos restores;x")


def test_no_restrictions():
    assert acl.UserAcl("c", {acl.POOL: ["*all*"]}).no_restrictions(acl.POOL)
    assert not acl.UserAcl("c", {acl.POOL: ["!Full", "*all*"]}).no_restrictions(acl.POOL)
