#!/usr/bin/python3
"""ctest: malformed requests from a Python grpcio client against a real goalsyncd.

At least 1,000 requests that break the wire format or the schema (random bytes in string
fields, oversized strings, enum numbers outside their sets, empty payloads, garbage in nested
messages, bytes that are no message at all): every one must get a non-OK code with a
non-empty message and a goalsync.v1.Refusal in its details (errors.proto), the server must
stay up, nothing may be written, and the log's hash chain must still verify.
The seed is printed; --seed N replays one.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python"))
import goalsync_client  # noqa: E402

WS = "malformed"
results = {"requests": 0, "failed": 0}


def fail(what):
    results["failed"] += 1
    if results["failed"] <= 20:
        print("FAIL " + what, flush=True)


# --- Raw protobuf wire encoding, for bytes the Python classes refuse to build -------------

def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def ld(num, payload):  # a length-delimited field
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def vi(num, value):  # a varint field
    return varint(num << 3) + varint(value)


def raw_goal_created(goal_id, statement, level=3):
    return ld(10, ld(1, goal_id) + vi(3, level) + ld(4, statement))


def raw_request(workspace, event_id, payload):
    return ld(1, workspace) + ld(2, ld(3, event_id) + ld(12, payload))


def bad_utf8(rng):
    body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
    return body + b"\xff" + body[: rng.randrange(len(body) + 1)]


# --- The requests -------------------------------------------------------------------------

ENUM_FIELDS = [  # (path in the payload, how to set it, largest defined number)
    ("level", lambda p, v: setattr(p.goal_created, "level", v), 4),
    ("direction", lambda p, v: setattr(p.goal_created.details, "direction", v), 3),
    ("aggregation", lambda p, v: setattr(p.goal_created.details, "aggregation", v), 2),
    ("certainty", lambda p, v: setattr(p.goal_created.details, "certainty", v), 2),
    ("rollup", lambda p, v: setattr(p.goal_created.details, "rollup", v), 4),
    ("kind", lambda p, v: setattr(p.goal_created.details, "kind", v), 2),
    ("role", lambda p, v: (setattr(p.raci_assigned, "goal_id", "g1"),
                           setattr(p.raci_assigned, "person", "li"),
                           setattr(p.raci_assigned, "role", v)), 4),
    ("status", lambda p, v: (setattr(p.task_status_set, "goal_id", "g1"),
                             setattr(p.task_status_set, "task_id", "t1"),
                             setattr(p.task_status_set, "status", v)), 4),
    ("decision", lambda p, v: (setattr(p.review_recorded, "goal_id", "g1"),
                               setattr(p.review_recorded, "review_id", "r1"),
                               setattr(p.review_recorded, "decision", v)), 3),
]


def requests(c, rng):
    """Yields (category, rpc name, request bytes or message, check_field)."""
    pb = c.event_pb2
    lp = c.log_pb2

    def event(**kw):
        e = pb.Event(event_id="e-%d" % rng.randrange(1 << 40), actor="fuzz", **kw)
        return e

    def goal_event(goal_id="gx", statement="s", level=3):
        e = event()
        e.payload.goal_created.goal_id = goal_id
        e.payload.goal_created.level = level
        e.payload.goal_created.statement = statement
        return e

    # 1. Bytes that are no message of the rpc's type.
    for i in range(250):
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        rpc = ["Append", "Head", "Read", "Subscribe"][i % 4]
        if rpc != "Append":
            junk = b"\x0f" + junk  # field 1 with wire type 7: never parses
        yield "unparseable", rpc, junk, None
    # 2. Random bytes in string fields (not UTF-8: the request does not parse).
    for i in range(150):
        which = i % 3
        ws = bad_utf8(rng) if which == 0 else WS.encode()
        eid = bad_utf8(rng) if which == 1 else b"e-bad-%d" % i
        stmt = bad_utf8(rng) if which == 2 else b"s"
        yield "bytes in strings", "Append", raw_request(ws, eid, raw_goal_created(b"gx", stmt)), None
    # 3. Oversized strings.
    for i in range(150):
        kind = i % 5
        if kind == 0:
            e = goal_event(statement="x" * rng.randrange(10001, 200000))
            yield "oversized", "Append", lp.AppendRequest(workspace=WS, events=[e]), "statement"
        elif kind == 1:
            e = goal_event()
            e.event_id = "e" * rng.randrange(129, 5000)
            yield "oversized", "Append", lp.AppendRequest(workspace=WS, events=[e]), "event_id"
        elif kind == 2:
            e = goal_event(goal_id="g" * rng.randrange(129, 5000))
            yield "oversized", "Append", lp.AppendRequest(workspace=WS, events=[e]), "goal_id"
        elif kind == 3:
            yield "oversized", "Append", lp.AppendRequest(workspace="w" * rng.randrange(65, 3000),
                                                          events=[goal_event()]), "workspace"
        else:
            e = goal_event()
            e.payload.goal_created.why = "y" * (5_000_000 if i % 25 == 4 else rng.randrange(10001, 90000))
            yield "oversized", "Append", lp.AppendRequest(workspace=WS, events=[e]), None
    # 4. Enum numbers outside their sets, negative ones too.
    for i in range(300):
        name, setter, top = ENUM_FIELDS[i % len(ENUM_FIELDS)]
        v = rng.choice([rng.randrange(-(1 << 31), 0), rng.randrange(top + 1, 1 << 31), -1, top + 1])
        e = goal_event()
        setter(e.payload, v)
        yield "unknown enum", "Append", lp.AppendRequest(workspace=WS, events=[e]), name
    # 5. Empty payloads and empty requests.
    for i in range(150):
        kind = i % 6
        if kind == 0:
            req = lp.AppendRequest(workspace=WS, events=[event()])  # no payload
        elif kind == 1:
            e = event()
            e.payload.SetInParent()  # a payload with no event type
            req = lp.AppendRequest(workspace=WS, events=[e])
        elif kind == 2:
            req = lp.AppendRequest(workspace=WS)  # no events
        elif kind == 3:
            req = lp.AppendRequest(events=[goal_event()])  # no workspace
        elif kind == 4:
            req = lp.AppendRequest(workspace=WS, events=[pb.Event()])  # nothing at all
        else:
            e = goal_event()
            e.payload.goal_created.goal_id = ""  # the payload names no goal
            req = lp.AppendRequest(workspace=WS, events=[e])
        yield "empty", "Append", req, None
    # 6. Garbage in nested messages.
    for i in range(150):
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        kind = i % 3
        if kind == 0:   # the payload itself
            body = ld(3, b"e-nested-%d" % i) + ld(12, junk)
        elif kind == 1:  # inside goal_created's details
            body = ld(3, b"e-nested-%d" % i) + ld(12, ld(10, ld(1, b"gx") + vi(3, 3) + ld(4, b"s") + ld(7, junk)))
        else:            # the hlc
            body = ld(3, b"e-nested-%d" % i) + ld(7, junk) + ld(12, raw_goal_created(b"gx", b"s"))
        yield "nested garbage", "Append", ld(1, WS.encode()) + ld(2, body), None


def call(c, rpc, req):
    import grpc
    ident = lambda b: b  # noqa: E731
    raw = isinstance(req, bytes)
    data = req if raw else req.SerializeToString()
    path = "/goalsync.v1.EventLog/" + rpc
    if rpc in ("Read", "Subscribe"):
        f = c.channel.unary_stream(path, request_serializer=ident, response_deserializer=ident)
        try:
            for _ in f(data, timeout=10):
                pass
            return None
        except grpc.RpcError as e:
            return e
    f = c.channel.unary_unary(path, request_serializer=ident, response_deserializer=ident)
    try:
        f(data, timeout=10)
        return None
    except grpc.RpcError as e:
        return e


def start_server(binary, data_dir):
    proc = subprocess.Popen([binary, "--data-dir", data_dir, "--listen", "127.0.0.1:0",
                             "--insecure-no-auth", "--log-level", "warn"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()  # "listening on port N"
    if not line.startswith("listening on port "):
        proc.kill()
        raise SystemExit("goalsyncd did not start: " + line)
    return proc, int(line.split()[-1])


def run(c, proc, seed):
    import grpc
    rng = random.Random(seed)
    good = c.append(WS, [c.goal_created("g%d" % i, "goal %d" % i) for i in range(5)])
    head_before = c.head(WS)
    by_category = {}
    for category, rpc, req, field in requests(c, rng):
        results["requests"] += 1
        by_category[category] = by_category.get(category, 0) + 1
        err = call(c, rpc, req)
        what = "%s #%d (%s)" % (category, by_category[category], rpc)
        if err is None:
            fail(what + ": accepted")
            continue
        if err.code() == grpc.StatusCode.OK or not err.details():
            fail("%s: %s with an empty message" % (what, err.code().name))
            continue
        if err.code() == grpc.StatusCode.UNIMPLEMENTED:
            fail("%s: UNIMPLEMENTED: %s" % (what, err.details()))
        too_large = err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED  # gRPC's own size check
        if not too_large and goalsync_client.refusal(err) is None:
            fail("%s: %s without a Refusal in its details" % (what, err.code().name))
        if field is not None and field not in err.details():
            fail("%s: %r does not name %s" % (what, err.details(), field))
        if proc.poll() is not None:
            fail("goalsyncd exited after " + what)
            return
    print("%d malformed requests: %s" % (results["requests"], by_category), flush=True)
    if results["requests"] < 1000:
        fail("only %d requests" % results["requests"])
    head = c.head(WS)
    if head.seq != head_before.seq or head.hash != head_before.hash:
        fail("the head moved from %d to %d: something malformed was written" % (head_before.seq, head.seq))
    events = list(c.read(WS))
    if len(events) != good.last_seq or goalsync_client.verify_chain(events) is not None:
        fail("the chain does not verify: %s" % goalsync_client.verify_chain(events))
    if proc.poll() is not None:
        fail("goalsyncd is down")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--goalsyncd", required=True)
    p.add_argument("--stubs", required=True)
    p.add_argument("--seed", type=int, default=None)
    args = p.parse_args()
    seed = args.seed if args.seed is not None else 11
    print("malformed seed=%d (replay: --seed %d)" % (seed, seed), flush=True)
    tmp = tempfile.mkdtemp(prefix="goalsync-malformed-")
    proc, port = start_server(args.goalsyncd, os.path.join(tmp, "data"))
    try:
        run(goalsync_client.GoalsyncClient("127.0.0.1:%d" % port, args.stubs), proc, seed)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d requests, %d failures" % (results["requests"], results["failed"]))
    sys.exit(1 if results["failed"] else 0)


if __name__ == "__main__":
    main()
