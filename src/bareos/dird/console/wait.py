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
    out = ua.send
    out.kv("JobId", str(jobid), "JobId=%s\n")
    out.kv("JobStatus", f"{text} ({status})", "JobStatus=%s\n")
    out.send_buffer()
    return True
