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
        d.jobs.cancel(jcr.jobid)
        ua.info_msg(f"JobId {jcr.jobid}, Job {jcr.job} marked to be canceled.\n")
    return True
