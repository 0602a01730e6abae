"""The SD's reservation and record-translation events for python3-sd
plugins, through the three real daemons: a backup shows
bsdEventDeviceReserve before the volume is loaded, then
bsdEventSetupRecordTranslation once and bsdEventWriteRecordTranslation for
every record; a restore shows bsdEventReadRecordTranslation for every record
sent to the File Daemon."""

from __future__ import annotations

from bareos.quickstart.run import compare_trees

from .conftest import needs_psk
from .test_sd_plugin import setup_site

pytestmark = needs_psk


def _events(path):
    return [line.split()[0] for line in path.read_text().splitlines()]


def test_backup_reserve_and_write_translation_events(plugin_site, tmp_path):
    events = tmp_path / "events.txt"
    site, data = setup_site(plugin_site, tmp_path, None,
                            f'Sd Plugin Options = "python3:module_name=sdrecorder:log={events}"')
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-sdplug level=Full yes")
        assert status == "T", site.job_log(con, jobid)
        seen = _events(events)
        assert seen[0] == "bsdEventJobStart" and seen[-1] == "bsdEventJobEnd"
        assert seen.count("bsdEventDeviceReserve") == 1
        assert seen.index("bsdEventDeviceReserve") < seen.index("bsdEventVolumeLoad")
        assert seen.count("bsdEventSetupRecordTranslation") == 1
        setup = seen.index("bsdEventSetupRecordTranslation")
        assert setup > seen.index("bsdEventLabelWrite")
        writes = [i for i, e in enumerate(seen) if e == "bsdEventWriteRecordTranslation"]
        # two files, each: attributes, data (a.txt 3000 bytes, b.bin 70000
        # bytes in records of at most 64 KiB), digest; the directory: attributes
        assert len(writes) >= 7, seen
        assert min(writes) > setup
        assert "bsdEventReadRecordTranslation" not in seen
        # the device and label events of a newly labelled volume, in Bareos's order
        order = ["bsdEventDeviceOpen", "bsdEventDeviceMount", "bsdEventLabelRead",
                 "bsdEventLabelWrite", "bsdEventLabelVerified", "bsdEventVolumeLoad"]
        assert [e for e in seen if e in order][:len(order) + 1] == [
            "bsdEventDeviceOpen", "bsdEventDeviceMount", "bsdEventLabelRead",
            "bsdEventLabelWrite", "bsdEventLabelRead", "bsdEventLabelVerified",
            "bsdEventVolumeLoad"], seen
        assert seen.index("bsdEventDeviceUnmount") > max(writes)
        assert seen.index("bsdEventDeviceClose") < seen.index("bsdEventDeviceUnmount")
    finally:
        con.close()


def test_restore_read_translation_events(plugin_site, tmp_path):
    events = tmp_path / "events.txt"
    site, data = setup_site(plugin_site, tmp_path, None)
    site.add_directives("job/RestoreFiles.conf",
                        f'Sd Plugin Options = "python3:module_name=sdrecorder:log={events}"')
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-sdplug level=Full yes")
        assert status == "T"
        where = tmp_path / "restored"
        rid, rstatus = site.restore_all(con, where, fileset="Plain")
        assert rstatus == "T", site.job_log(con, rid)
        assert compare_trees(data, where / str(data).lstrip("/")) == []
        seen = _events(events)
        assert seen.count("bsdEventDeviceReserve") == 1
        assert seen.count("bsdEventSetupRecordTranslation") == 1
        setup = seen.index("bsdEventSetupRecordTranslation")
        assert setup > seen.index("bsdEventLabelVerified")
        reads = [i for i, e in enumerate(seen) if e == "bsdEventReadRecordTranslation"]
        assert len(reads) >= 7 and min(reads) > setup, seen
        assert "bsdEventWriteRecordTranslation" not in seen
    finally:
        con.close()
