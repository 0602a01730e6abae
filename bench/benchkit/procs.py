"""Process helpers: CPU seconds and peak RSS from /proc, port waits, killing
exactly the processes we started."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

CLK = os.sysconf("SC_CLK_TCK")


def die_with_parent() -> None:
    """preexec_fn: the child gets SIGKILL when the harness dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort
        pass


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_listening(port: int, proc: subprocess.Popen, name: str, logfile, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while True:
        if proc.poll() is not None:
            tail = ""
            try:
                tail = open(logfile, errors="replace").read()[-3000:]
            except OSError:
                pass
            raise RuntimeError(f"{name} exited with {proc.returncode} before listening on {port}:\n{tail}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if time.time() > deadline:
                raise RuntimeError(f"{name} does not listen on 127.0.0.1:{port} after {timeout} s")
            time.sleep(0.05)


def _children(pid: int) -> list[int]:
    out = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = [int(x) for x in f.read().split()]
    except OSError:
        return out
    for k in kids:
        out.append(k)
        out.extend(_children(k))
    return out


def cpu_seconds(pid: int) -> float:
    """User+system CPU of the process, its reaped children and its live descendants."""
    return sum(cpu_split(pid))


def cpu_split(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of the process, its reaped children and its
    live descendants."""
    user = system = 0.0
    for i, p in enumerate([pid] + _children(pid)):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is state (field 3); utime=14, stime=15, cutime=16, cstime=17
        u, s = int(fields[11]), int(fields[12])
        if i == 0:
            u += int(fields[13])
            s += int(fields[14])
        user += u / CLK
        system += s / CLK
    return user, system


def reset_peak_rss(pid: int) -> None:
    for p in [pid] + _children(pid):
        try:
            with open(f"/proc/{p}/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass


def peak_rss_mib(pid: int) -> float:
    """VmHWM (since the last reset) of the process, plus that of live descendants."""
    total = 0
    for p in [pid] + _children(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total / 1024


def terminate(proc: subprocess.Popen) -> None:
    """SIGTERM the process group we created for it (start_new_session)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except OSError:
        try:
            proc.terminate()
        except OSError:
            pass


def stop_process(proc: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM the process group we created for it, then SIGKILL; reap it."""
    if proc.poll() is not None:
        return
    terminate(proc)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()
        proc.wait(10)
