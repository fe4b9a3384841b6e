#!/usr/bin/python3
"""ctest: the Python example client against a real goalsyncd (port 0, temp data dir).

Proves that another language integrates with nothing but the .proto files: appends,
idempotent retries, expected_seq, a subscription across the catch-up/live switch, and the
hash chain recomputed in Python from docs/hash-chain.md.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python"))
import goalsync_client  # noqa: E402

results = {"passed": 0, "failed": 0}


def check(name, cond, detail=""):
    results["passed" if cond else "failed"] += 1
    print(("PASS " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)), flush=True)


def start_server(binary, data_dir):
    proc = subprocess.Popen([binary, "--data-dir", data_dir, "--listen", "127.0.0.1:0",
                             "--insecure-no-auth"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()  # "listening on port N"
    if not line.startswith("listening on port "):
        proc.kill()
        raise SystemExit("goalsyncd did not start: " + line)
    return proc, int(line.split()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--goalsyncd", required=True)
    p.add_argument("--stubs", required=True)
    args = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="goalsync-py-")
    proc, port = start_server(args.goalsyncd, os.path.join(tmp, "data"))
    try:
        run(goalsync_client.GoalsyncClient("127.0.0.1:%d" % port, args.stubs))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    sys.exit(1 if results["failed"] else 0)


def run(c):
    import grpc
    ws = "py"
    first = c.append(ws, [c.goal_created("g%d" % i, "goal %d" % i) for i in range(10)])
    check("ten events get seqs 1..10", [r.seq for r in first.results] == list(range(1, 11)),
          first)

    retry = c.append(ws, [c.goal_created("retried", "again", event_id="fixed-id")])
    again = c.append(ws, [c.goal_created("retried", "again", event_id="fixed-id")])
    check("a retried event_id returns its first seq",
          again.results[0].duplicate and again.results[0].seq == retry.results[0].seq, again)

    try:
        c.append(ws, [c.goal_created("g", "x")], expected_seq=3)
        check("a stale expected_seq is ABORTED", False, "no error")
    except grpc.RpcError as e:
        check("a stale expected_seq is ABORTED", e.code() == grpc.StatusCode.ABORTED, e)

    # Subscribe from 1 while another thread appends: every event once, in order.
    seen, caught_up = [], []
    total = 11 + 200

    def writer():
        for i in range(200):
            c.append(ws, [c.goal_created("live%d" % i, "")])

    t = threading.Thread(target=writer)
    t.start()
    for event, marker in c.subscribe(ws, 1, timeout=60):
        if marker:
            caught_up.append(True)
            continue
        seen.append(event.seq)
        if len(seen) == total:
            break
    t.join()
    check("subscriber sees every event once, in order", seen == list(range(1, total + 1)),
          seen[:20])
    check("subscriber is told once when it goes live", len(caught_up) == 1, caught_up)

    events = list(c.read(ws))
    check("read returns the whole log", len(events) == total, len(events))
    check("the hash chain recomputed in Python holds", goalsync_client.verify_chain(events) is None,
          goalsync_client.verify_chain(events))
    check("head matches the last event", c.head(ws).hash == events[-1].hash)
    events[5].payload.goal_created.statement = "tampered"
    check("a tampered event is found by its seq", goalsync_client.verify_chain(events) == 6)


if __name__ == "__main__":
    main()
