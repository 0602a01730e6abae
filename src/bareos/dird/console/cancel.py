"""`cancel jobid=|job=|ujobid= [yes]`: cancel a running or waiting job."""

from .. import acl


def run(ua) -> bool:
    d = ua.director
    targets = []
    jobid = ua.arg_value("jobid")
    name = ua.arg_value("job") or ua.arg_value("ujobid")
    running = d.running_jobs()
    if jobid is not None:
        for part in jobid.split(","):
            try:
                targets.extend(j for j in running if j.jobid == int(part))
            except ValueError:
                ua.error_msg(f"Invalid jobid {part}.\n")
                return False
    elif name is not None:
        targets = [j for j in running if name in (j.job, j.job_name)]
    elif ua.find_arg("all") >= 0:
        targets = list(running)
    else:
        if not running:
            ua.send_msg("No Jobs running.\n")
            return True
        items = [f"JobId={j.jobid} Job={j.job}" for j in running]
        idx = ua.select_item("Select Job:\n", items, "Choose Job to cancel")
        if idx is None:
            return True
        targets = [running[idx]]
        if ua.find_arg("yes") < 0:
            ok = ua.get_yesno(f"Confirm cancel of JobId={targets[0].jobid} Job={targets[0].job} (yes/no): ")
            if not ok:
                return True
    if not targets:
        ua.error_msg(f"Warning Job {jobid or name} is not running.\n")
        return False
    for jcr in targets:
        if not ua.acl_access_ok(acl.JOB, jcr.job_name):
            ua.error_msg(f"Job {jcr.job_name} not found.\n")
            continue
        started = bool(jcr.sockets)
        d.jobs.cancel(jcr.jobid)
        ua.info_msg(f"JobId {jcr.jobid}, Job {jcr.job} marked to be canceled.\n")
        if started:
            # as Bareos: tell the File Daemon and the Storage Daemon on connections of
            # their own, so that they stop the data transfer (closing the job's control
            # connections alone leaves the FD sending and the SD writing)
            if getattr(jcr, "client", None) is not None:
                _cancel_on(ua, jcr, jcr.client, "client")
            for res in _storages(jcr):
                _cancel_on(ua, jcr, res, "storage")
    return True


def _storages(jcr) -> list:
    out = []
    for attr in ("storage", "read_storage", "write_storage"):
        res = getattr(jcr, attr, None)
        if res is not None and all(r is not res for r in out):
            out.append(res)
    return out


def _cancel_on(ua, jcr, res, kind: str) -> None:
    """Connect to the job's FD or SD, send ``cancel Job=<job>``, show the answer."""
    from bareos.lib.bnet import BnetError

    from ..daemonconn import DaemonConnectError, connect_daemon

    try:
        if kind == "client":
            from ..fdconn import connect_client

            conn = connect_client(ua.director, res, timeout=10)
        else:
            conn = connect_daemon(ua.director, res, kind, timeout=10)
    except (DaemonConnectError, OSError) as exc:
        what = "File" if kind == "client" else "Storage"
        ua.error_msg(f"Failed to connect to {what} daemon {res.name} to cancel the job: {exc}\n")
        return
    bs = conn.bsock
    try:
        bs.send(f"cancel Job={jcr.job}\n")
        while True:
            msg = bs.recv(timeout=15)
            if isinstance(msg, int):
                break
            ua.send_msg(msg.decode("utf-8", "replace"))
            break
    except (BnetError, OSError, TimeoutError):
        pass
    finally:
        bs.terminate()
        if kind == "client":
            from ..fdconn import release

            release(conn)
