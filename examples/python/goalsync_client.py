#!/usr/bin/python3
"""A small goalsync client in Python: append events and follow a workspace's log.

It uses only Debian's python3-grpcio and python3-protobuf and stubs generated from proto/
(the build puts them in build/python-stubs):

    /usr/bin/python3 examples/python/goalsync_client.py --stubs build/python-stubs \
        --server 127.0.0.1:7411 --workspace acme append --goal g1 --statement "Ship v2"
    /usr/bin/python3 examples/python/goalsync_client.py --stubs build/python-stubs \
        --server 127.0.0.1:7411 --workspace acme follow --from-seq 1
    /usr/bin/python3 examples/python/goalsync_client.py --stubs build/python-stubs \
        --server 127.0.0.1:7411 --workspace acme state
"""
import argparse
import hashlib
import sys
import uuid


def load_stubs(stubs_dir):
    """Imports the generated modules from stubs_dir; returns (event_pb2, log_pb2, log_pb2_grpc)."""
    sys.path.insert(0, stubs_dir)
    from goalsync.v1 import event_pb2, log_pb2, log_pb2_grpc  # noqa: E402
    return event_pb2, log_pb2, log_pb2_grpc


REFUSAL_TYPE_URL = "type.googleapis.com/goalsync.v1.Refusal"


def refusal(error):
    """Why goalsyncd refused a call, as data: the goalsync.v1.Refusal (errors.proto) in the
    error's grpc-status-details-bin trailer (a google.rpc.Status), or None if it has none.

    Read its fields (reason, event_index, field, resume_from_seq, head_seq, server_time)
    instead of parsing the message, which is for people. `error` is a grpc.RpcError, or an
    AppendError from AppendStream (its `details` field holds the same bytes)."""
    from goalsync.v1 import errors_pb2  # noqa: E402: from the stubs load_stubs added
    if hasattr(error, "trailing_metadata"):
        details = dict(error.trailing_metadata() or ()).get("grpc-status-details-bin", b"")
    else:
        details = error.details
    status = errors_pb2.RpcStatus()
    try:
        status.ParseFromString(details)
    except Exception:  # noqa: BLE001: not a google.rpc.Status: no facts
        return None
    for any_ in status.details:
        if any_.type_url == REFUSAL_TYPE_URL:
            r = errors_pb2.Refusal()
            r.ParseFromString(any_.value)
            return r
    return None


def describe(error):
    """One line for people: the code, the reason and index when the server gave them, the
    message."""
    from goalsync.v1 import errors_pb2  # noqa: E402
    r = refusal(error)
    facts = ""
    if r is not None:
        facts = " [" + errors_pb2.Refusal.Reason.Name(r.reason)
        if r.HasField("event_index"):
            facts += ", event %d" % r.event_index
        if r.field:
            facts += ", field " + r.field
        if r.HasField("resume_from_seq"):
            facts += ", resume from seq %d" % r.resume_from_seq
        facts += "]"
    return "%s%s: %s" % (error.code().name, facts, error.details())


class GoalsyncClient:
    def __init__(self, server, stubs_dir):
        import grpc
        self.event_pb2, self.log_pb2, log_pb2_grpc = load_stubs(stubs_dir)
        self.channel = grpc.insecure_channel(server)
        self.stub = log_pb2_grpc.EventLogStub(self.channel)

    def goal_created(self, goal_id, statement, event_id=None):
        """An event that creates a goal; event_id defaults to a fresh UUID."""
        e = self.event_pb2.Event(event_id=event_id or str(uuid.uuid4()), actor="python-example")
        e.payload.goal_created.goal_id = goal_id
        e.payload.goal_created.level = self.event_pb2.GOAL_LEVEL_TEAM
        e.payload.goal_created.statement = statement or goal_id
        return e

    def append(self, workspace, events, expected_seq=None):
        """Appends events durably; returns the AppendResponse (a seq per event)."""
        req = self.log_pb2.AppendRequest(workspace=workspace, events=events)
        if expected_seq is not None:
            req.expected_seq = expected_seq
        return self.stub.Append(req, timeout=30)

    def head(self, workspace):
        return self.stub.Head(self.log_pb2.HeadRequest(workspace=workspace), timeout=10)

    def read(self, workspace, from_seq=1, limit=0):
        """Yields committed events in log order."""
        req = self.log_pb2.ReadRequest(workspace=workspace, from_seq=from_seq, limit=limit)
        for msg in self.stub.Read(req, timeout=60):
            yield from msg.events

    def state(self, workspace, max_page_bytes=0):
        """The workspace's whole plan now (a goalsync.v1.PlanState), paged in from
        PlanService.GetState: no message grows with the plan, so a plan of any size reads
        under gRPC's default 4 MiB limit. Returns (plan, head_hash of the seq it was cut at,
        pages)."""
        from goalsync.v1 import plan_service_pb2, plan_service_pb2_grpc, state_pb2  # noqa: E402
        stub = plan_service_pb2_grpc.PlanServiceStub(self.channel)
        req = plan_service_pb2.GetStateRequest(workspace=workspace, max_page_bytes=max_page_bytes)
        plan, head_hash, pages = state_pb2.PlanState(), b"", 0
        while True:
            page = stub.GetState(req, timeout=60)
            pages += 1
            if pages > 1 and page.state.seq != plan.seq:
                raise RuntimeError("a page of another seq: start again")
            plan.workspace, plan.seq = page.state.workspace, page.state.seq
            for k, g in page.state.goals.items():
                plan.goals[k].CopyFrom(g)
            for k, c in page.state.change_requests.items():
                plan.change_requests[k].CopyFrom(c)
            for k, r in page.state.reviews.items():
                plan.reviews[k].CopyFrom(r)
            plan.conflicts.extend(page.state.conflicts)
            head_hash = page.head_hash
            if not page.next_page_token:
                return plan, head_hash, pages
            req = plan_service_pb2.GetStateRequest(workspace=workspace,
                                                   page_token=page.next_page_token)

    def subscribe(self, workspace, from_seq=1, timeout=None):
        """Yields (event or None, caught_up) forever: catch-up, then live events."""
        req = self.log_pb2.SubscribeRequest(workspace=workspace, from_seq=from_seq)
        for msg in self.stub.Subscribe(req, timeout=timeout):
            if msg.caught_up:
                yield None, True
            for e in msg.events:
                yield e, False


def event_hash(event):
    """SHA-256(prev_hash || canonical bytes), as docs/hash-chain.md defines it."""
    copy = type(event)()
    copy.CopyFrom(event)
    copy.ClearField("hash")
    return hashlib.sha256(event.prev_hash + copy.SerializeToString(deterministic=True)).digest()


def verify_chain(events):
    """Returns the first seq whose link is broken, or None if the chain holds."""
    prev, want = bytes(32), 1
    for e in events:
        if e.seq != want or e.prev_hash != prev or event_hash(e) != e.hash:
            return want
        prev, want = e.hash, want + 1
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--stubs", required=True, help="directory of the generated Python stubs")
    p.add_argument("--server", default="127.0.0.1:7411")
    p.add_argument("--workspace", default="default")
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("append", help="create a goal")
    a.add_argument("--goal", required=True)
    a.add_argument("--statement", default="")
    f = sub.add_parser("follow", help="print events as they are committed")
    f.add_argument("--from-seq", type=int, default=1)
    st = sub.add_parser("state", help="read the whole plan (paged) and summarize it")
    st.add_argument("--max-page-bytes", type=int, default=0)
    args = p.parse_args()

    client = GoalsyncClient(args.server, args.stubs)
    import grpc
    try:
        run_command(client, args)
    except grpc.RpcError as e:
        print("goalsync_client: " + describe(e), file=sys.stderr)
        sys.exit(1)


def run_command(client, args):
    if args.command == "append":
        resp = client.append(args.workspace, [client.goal_created(args.goal, args.statement)])
        print(resp.results[0].seq)
    elif args.command == "state":
        plan, head_hash, pages = client.state(args.workspace, args.max_page_bytes)
        check_ins = sum(g.check_in_count for g in plan.goals.values())
        print("seq=%d goals=%d check_ins=%d change_requests=%d conflicts=%d pages=%d head=%s" % (
            plan.seq, len(plan.goals), check_ins, len(plan.change_requests), len(plan.conflicts),
            pages, head_hash.hex()))
    else:
        for event, caught_up in client.subscribe(args.workspace, args.from_seq):
            if caught_up:
                print("-- caught up; live from here --", flush=True)
            else:
                print(event.seq, event.payload.WhichOneof("body"), flush=True)


if __name__ == "__main__":
    main()
