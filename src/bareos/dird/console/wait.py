"""`wait [jobid=|job=|ujobid=] [timeout=]`: wait until jobs end."""

from bareos.lib import jobcodes

from ..console.dotlists import _STATUS_TEXT


def run(ua) -> bool:
    d = ua.director
    timeout = ua.arg_value("timeout")
    timeout = float(timeout) if timeout and timeout.isdigit() else None
    jobid = None
    if ua.arg_value("jobid"):
        try:
            jobid = int(ua.arg_value("jobid"))
        except ValueError:
            ua.error_msg("Invalid jobid.\n")
            return False
    elif ua.arg_value("job") or ua.arg_value("jobname") or ua.arg_value("ujobid"):
        want = ua.arg_value("job") or ua.arg_value("jobname") or ua.arg_value("ujobid")
        for j in d.running_jobs():
            if want in (j.job_name, j.job):
                jobid = j.jobid
                break
        else:
            return True
    if jobid is None:
        if not d.jobs.wait(None, timeout):
            ua.send_msg("Timeout reached.\n")
            return False
        return True
    if not ua.open_db(select=True):
        return False
    if not d.jobs.wait(jobid, timeout):
        ua.send_msg("Timeout reached.\n")
        return False
    row = d.catalog.get_job(job_id=jobid)
    if row is None:
        ua.error_msg(f"Job {jobid} not found in catalog.\n")
        return False
    status = row["JobStatus"]
    text = {jobcodes.JS_TERMINATED: "OK", jobcodes.JS_WARNINGS: "Warning",
            jobcodes.JS_CANCELED: "Canceled", jobcodes.JS_ERROR_TERMINATED: "Error",
            jobcodes.JS_FATAL_ERROR: "Fatal Error", jobcodes.JS_DIFFERENCES: "Differences",
            jobcodes.JS_ERROR: "Non-fatal error"}.get(status, _STATUS_TEXT.get(status, "Unknown"))
    exit_status = {jobcodes.JS_ERROR: 1, jobcodes.JS_FATAL_ERROR: 2, jobcodes.JS_ERROR_TERMINATED: 2,
                   jobcodes.JS_CANCELED: 2, jobcodes.JS_WARNINGS: 0,
                   jobcodes.JS_TERMINATED: 0}.get(status, 3)
    # text: "JobId=N" / "JobStatus=OK (T)"; JSON (keys lowercased as Bareos does):
    # {"job": {"jobid": N, "jobstatuslong": "OK", "jobstatus": "T", "exitstatus": 0}}
    out = ua.send
    out.object_start("Job")
    out.kv("JobId", jobid, "%s\n", key_fmt="%s=")
    out.kv("JobStatusLong", text, "JobStatus=%s ")
    out.kv("JobStatus", status, "(%s)\n")
    out.kv("ExitStatus", exit_status)
    out.object_end("Job")
    out.send_buffer()
    return True
