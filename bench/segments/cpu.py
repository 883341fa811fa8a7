#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""cpu - CPU seconds of a set of processes over time, for
bench/segments/run (Linux /proc; all threads of each process, including
threads that have exited).

  cpu.py now PID...
      the CPU seconds (user + sys) of the PIDs together, now.
  cpu.py rqwait PID...
      the seconds the PIDs' threads have waited on a run queue, runnable
      but not running (/proc/PID/task/*/schedstat, field 2): the time a
      busy machine took from them.
  cpu.py sample OUT INTERVAL_S PID...
      every INTERVAL_S seconds one line "epoch cpu_s busy_s" into OUT:
      cpu_s as `now` gives it, busy_s the whole machine's non-idle CPU
      seconds (/proc/stat, all cores); until SIGTERM or until every PID
      is gone.
  cpu.py window FILE T0 T1
      "cpu_s busy_s" spent between epoch times T0 and T1 (from FILE,
      interpolated linearly between the samples around each end).
"""
import os
import signal
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pids):
    total = 0.0
    for pid in pids:
        try:
            with open("/proc/%s/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state is field 3, utime 14, stime 15.
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def rqwait(pids):
    total = 0
    for pid in pids:
        try:
            tasks = os.listdir("/proc/%s/task" % pid)
        except OSError:
            continue
        for t in tasks:
            try:
                with open("/proc/%s/task/%s/schedstat" % (pid, t)) as f:
                    total += int(f.read().split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return total / 1e9


def busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest is in user).
    return (sum(v[:8]) - v[3] - v[4]) / TICK


def alive(pids):
    return any(os.path.exists("/proc/%s" % p) for p in pids)


def sample(out, interval, pids):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(out, "w") as f:
        while True:
            f.write("%.3f %.3f %.3f\n" % (time.time(), proc_cpu(pids), busy()))
            f.flush()
            if stop or not alive(pids):
                break
            time.sleep(interval)


def at(rows, t, col):
    if t <= rows[0][0]:
        return rows[0][col]
    for a, b in zip(rows, rows[1:]):
        if a[0] <= t <= b[0]:
            if b[0] == a[0]:
                return b[col]
            return a[col] + (b[col] - a[col]) * (t - a[0]) / (b[0] - a[0])
    return rows[-1][col]


def window(path, t0, t1):
    rows = [tuple(float(x) for x in line.split()) for line in open(path)]
    if not rows:
        return "nan nan"
    return "%.2f %.2f" % (at(rows, t1, 1) - at(rows, t0, 1),
                          at(rows, t1, 2) - at(rows, t0, 2))


def main():
    cmd = sys.argv[1]
    if cmd == "now":
        print("%.2f" % proc_cpu(sys.argv[2:]))
    elif cmd == "rqwait":
        print("%.2f" % rqwait(sys.argv[2:]))
    elif cmd == "sample":
        sample(sys.argv[2], float(sys.argv[3]), sys.argv[4:])
    elif cmd == "window":
        print(window(sys.argv[2], float(sys.argv[3]), float(sys.argv[4])))
    else:
        sys.exit("cpu.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
