"""The SD's protocol parsers and builders (no I/O)."""

import re

import pytest

from bareos.stored import protocol as P


def test_bsscanf_semantics():
    assert P.bsscanf("a=5 b=x", "a=%d b=%s") == [5, "x"]
    assert P.bsscanf("a= b=", "a=%d b=%s") == [0, ""]          # empty fields count
    assert P.bsscanf("a=1  \t b=2 trailing", "a=%d b=%d") == [1, 2]
    assert P.bsscanf("a=1 c=2", "a=%d b=%d") == [1]             # literal mismatch stops
    assert P.bsscanf("x=-3", "x=%d") == [-3]
    assert P.bsscanf("name=abcdef", "name=%3s") == ["abc"]


def test_session_key_format():
    key = P.make_session_key(bytes(range(16)))
    assert key == "AABA-CADA-EAFA-GAHA-IAJA-KALA-MANA-OAPA"
    key = P.make_session_key(bytes([0x10, 0x32] * 8))
    assert key == "-".join(["AB" + "CD"] * 8)
    for _ in range(20):
        k = P.make_session_key()
        assert len(k) == 39 and re.fullmatch(r"([A-P]{4}-){7}[A-P]{4}", k)


JOB = ("JobId=1 job=bk.2026-01-01_00.00.00_01 job_name=backup\x01job client_name=fd1 type=66 "
       "level=70 FileSet=Full\x01Set NoAttr=0 SpoolAttr=0 FileSetMD5=abc SpoolData=0 "
       "PreferMountedVols=1 SpoolSize=0 rerunning=0 VolSessionId=0 VolSessionTime=0 Quota=0 "
       "Protocol=0 BackupFormat=Native\n")


def test_job_command():
    j = P.parse_job_command(JOB)
    assert (j.job_id, j.job, j.job_name, j.fileset_name) == (1, "bk.2026-01-01_00.00.00_01", "backup job", "Full Set")
    assert (j.job_type, j.job_level, j.protocol, j.backup_format) == ("B", "F", 0, "Native")
    assert P.ok_job(3, 1700000000, "KEY") == "3000 OK Job SDid=3 SDtime=1700000000 Authorization=KEY\n"


def test_job_command_missing_field():
    line = JOB.replace(" BackupFormat=Native", "")
    with pytest.raises(P.CommandError) as exc:
        P.parse_job_command(line)
    assert exc.value.reply == f"3915 Bad Job command. stat=18 CMD: {line}\n"


def test_use_commands():
    st = P.parse_use_storage("use storage=File media_type=File pool_name=My\x01Pool pool_type=Backup "
                             "append=1 copy=0 stripe=0\n")
    assert (st.name, st.pool_name, st.append) == ("File", "My Pool", True)
    assert P.parse_use_storage("use storage=File media_type=File\n") is None
    assert P.parse_use_device("use device=File\x01Storage\n") == "File Storage"
    assert P.ok_use_device("JustInTime Device") == "3000 OK use device device=JustInTime\x01Device\n"


def test_volume_info_roundtrip():
    v = P.VolumeInfo("Full 0001", jobs=1, bytes=189, max_bytes=10**9, media_id=7, status="Append")
    line = v.reply()
    assert line.startswith("1000 OK VolName=Full\x010001 VolJobs=1 ")
    w = P.parse_volume_info(line)
    assert w.name == "Full 0001" and w.media_id == 7 and w.max_bytes == 10**9 and w.encryption_key == ""
    assert P.parse_volume_info("1901 No Media.\n") is None
    assert P.parse_volume_info(line.replace(" MaxBlocksize=0", "")) is None   # 23 fields


def test_catalog_request_lines():
    assert P.find_media("j", 1, "Full", "File", []) == \
        "CatReq Job=j FindMedia=1 pool_name=Full media_type=File unwanted_volumes=\n"
    assert P.find_media("j", 2, "Full", "File", ["A", "B"]).endswith("unwanted_volumes=A,B\n")
    assert P.create_jobmedia("j", 1, 4, 0, 0, 189, 5000, 3) == (
        "CatReq Job=j CreateJobMedia FirstIndex=1 LastIndex=4 StartFile=0 EndFile=0 "
        "StartBlock=189 EndBlock=5000 Copy=0 Strip=0 MediaId=3\n")
    assert P.delete_null_jobmedia("j", 9) == "CatReq Job=j DeleteNullJobmediaRecords jobid=9"
    v = P.VolumeInfo("V", status="Append")
    line = P.update_media("j", v, end_time=5, relabel=True)
    assert line.startswith("CatReq Job=j UpdateMedia VolName=V VolJobs=0 VolFiles=0 VolBlocks=0 ")
    assert " EndTime=5 VolStatus=Append Slot=0 relabel=1 InChanger=0 " in line


def test_updcat_packet():
    pkt = P.update_file_attributes("j", 1, 2, 3, 1, b"attr")
    assert pkt[:len("UpdCat Job=j FileAttributes ")] == b"UpdCat Job=j FileAttributes "
    assert pkt[len("UpdCat Job=j FileAttributes "):][:20] == bytes.fromhex(
        "00000001" "00000002" "00000003" "00000001" "00000004")
    assert P.parse_update_file_attributes(pkt) == ("j", 1, 2, 3, 1, b"attr")


def test_status_and_end_lines():
    assert P.job_status_line("j", "F") == "Status Job=j JobStatus=70\n"
    assert P.job_end_line("j", "T", 2, 300, 0) == "3099 Job j end JobStatus=84 JobFiles=2 JobBytes=300 JobErrors=0\n"


def test_fd_channel_parsers():
    assert P.parse_data_header(b"12 2 0") == (12, 2)
    assert P.parse_data_header(b"x 2 0") is None
    assert P.rechdr(1, 2, 3, -2, 10) == "rechdr 1 2 3 -2 10"
    assert P.parse_rechdr(b"rechdr 1 2 3 4 10") == (1, 2, 3, 4, 10)
    assert P.parse_read_open("read open session = DummyVolume 1 2 0 0 0 0\n")[0] == "DummyVolume"


def test_label_and_device_commands():
    lc = P.parse_label_command("label FileStorage VolumeName=V\x011 PoolName=Full MediaType=File "
                               "Slot=0 drive=0 MinBlocksize=0 MaxBlocksize=0")
    assert (lc.device, lc.volume, lc.relabel) == ("FileStorage", "V 1", False)
    rl = P.parse_label_command("relabel FileStorage OldName=A NewName=B PoolName=Full "
                               "MediaType=File Slot=0 drive=0 MinBlocksize=0 MaxBlocksize=0")
    assert (rl.old_volume, rl.volume, rl.relabel) == ("A", "B", True)
    assert P.parse_label_command("label FileStorage VolumeName=V") is None
    assert P.parse_device_command("mount FileStorage drive=0 slot=3", "mount") == ("FileStorage", 0, 3)
    assert P.parse_device_command("unmount FileStorage drive=0", "unmount") == ("FileStorage", 0, 0)
    assert P.parse_cancel("cancel Job=x.1") == "x.1"
    assert P.parse_passive("passive client address=h port=9102 ssl=4\n") == ("h", 9102, 4)
    assert P.parse_setdebug("setdebug=100 trace=0 timestamp=1") == (100, 0, 1)
    assert P.parse_setdebug("setdebug=100 trace=1") == (100, 1, None)
