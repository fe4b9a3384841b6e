#include "server/service/plan_queries.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/envelope.h"
#include "core/plan/queries.h"
#include "core/plan/queries_views.h"

namespace goalsync::server {
namespace {

using namespace goalsync::v1;  // NOLINT: the generated messages

absl::StatusOr<Workspace*> Resolve(EventLog& log, const std::string& name) {
  if (absl::Status s = core::ValidateWorkspaceName(name); !s.ok()) return s;
  absl::StatusOr<Workspace*> ws = log.GetWorkspace(name);
  if (ws.ok() && !(*ws)->load_error.ok()) return (*ws)->load_error;
  return ws;
}

// A copy of the committed plan (queries then run without holding the workspace lock).
absl::StatusOr<PlanState> CopyPlan(EventLog& log, Workspace& ws) {
  PlanState copy;
  absl::Status s = log.ReadCommittedPlan(ws, [&](const PlanState& plan) { copy = plan; });
  if (!s.ok()) return s;
  return copy;
}

// Runs `query` on the committed plan under the workspace's lock (for quick queries).
template <typename T, typename F>
absl::StatusOr<T> OnPlan(EventLog& log, Workspace& ws, F query) {
  absl::StatusOr<T> out = absl::UnknownError("not run");
  absl::Status s = log.ReadCommittedPlan(ws, [&](const PlanState& plan) { out = query(plan); });
  if (!s.ok()) return s;
  return out;
}

constexpr size_t kDefaultPageBytes = 1 << 20;
constexpr size_t kMaxPageBytes = 3 << 20;

// The last seq accepted at or before `t` (0 if none): server_time never decreases along the
// log, so a binary search over seqs finds it.
absl::StatusOr<uint64_t> SeqAtTime(EventLog& log, Workspace& ws, const google::protobuf::Timestamp& t) {
  uint64_t lo = 0, hi = ws.CommittedSeq();  // invariant: seq lo is at or before t (0 is)
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo + 1) / 2;
    absl::StatusOr<Event> e = log.store().ReadEvent(ws.id, mid);
    if (!e.ok()) return e.status();
    if (core::TimestampNanos(e->server_time()) <= core::TimestampNanos(t)) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

}  // namespace

absl::StatusOr<GetStateResponse> QueryState(EventLog& log, const GetStateRequest& r) {
  absl::StatusOr<Workspace*> ws = Resolve(log, r.workspace());
  if (!ws.ok()) return ws.status();
  StatePageToken token;
  if (!r.page_token().empty()) {
    if (!token.ParseFromString(r.page_token())) {
      return absl::InvalidArgumentError(
          "page_token does not parse: pass back the next_page_token of the page before");
    }
  } else if (r.as_of_case() == GetStateRequest::AS_OF_NOT_SET) {
    token.set_seq((*ws)->CommittedSeq());
  } else if (r.has_time()) {
    absl::StatusOr<uint64_t> at = SeqAtTime(log, **ws, r.time());
    if (!at.ok()) return at.status();
    token.set_seq(*at);
  } else {
    token.set_seq(std::min(r.seq(), (*ws)->CommittedSeq()));
  }
  absl::StatusOr<std::shared_ptr<const PlanCut>> cut = log.CutPlan(**ws, token.seq());
  if (!cut.ok()) return cut.status();
  const size_t max_bytes =
      r.max_page_bytes() == 0 ? kDefaultPageBytes : std::min<size_t>(r.max_page_bytes(), kMaxPageBytes);
  GetStateResponse out;
  StatePageCursor next;
  bool done = false;
  *out.mutable_state() = (*cut)->pager.Page(token.cursor(), max_bytes, &next, &done);
  out.set_head_hash((*cut)->head_hash);
  if (!done) {
    *token.mutable_cursor() = next;
    out.set_next_page_token(token.SerializeAsString());
  }
  return out;
}

absl::StatusOr<Goal> QueryGoal(EventLog& log, const GetGoalRequest& r) {
  absl::StatusOr<Workspace*> ws = Resolve(log, r.workspace());
  if (!ws.ok()) return ws.status();
  return OnPlan<Goal>(log, **ws, [&](const PlanState& plan) { return core::FindGoal(plan, r.goal_id()); });
}

absl::StatusOr<ListGoalsResponse> QueryGoals(EventLog& log, const ListGoalsRequest& r) {
  absl::StatusOr<Workspace*> ws = Resolve(log, r.workspace());
  if (!ws.ok()) return ws.status();
  return OnPlan<ListGoalsResponse>(log, **ws,
                                   [&](const PlanState& plan) { return core::ListGoals(plan, r); });
}

absl::StatusOr<GetProgressResponse> QueryProgress(EventLog& log, const GetProgressRequest& r) {
  absl::StatusOr<Workspace*> ws = Resolve(log, r.workspace());
  if (!ws.ok()) return ws.status();
  absl::StatusOr<PlanState> plan = CopyPlan(log, **ws);
  if (!plan.ok()) return plan.status();
  return core::ProgressReport(*plan, r);
}

absl::StatusOr<GetHistoryResponse> QueryHistory(EventLog& log, const GetHistoryRequest& r) {
  absl::StatusOr<Workspace*> ws = Resolve(log, r.workspace());
  if (!ws.ok()) return ws.status();
  absl::StatusOr<PlanState> copied = CopyPlan(log, **ws);
  if (!copied.ok()) return copied.status();
  const PlanState& state = *copied;
  const size_t limit = r.limit() == 0 ? 1000 : r.limit();
  GetHistoryResponse out;
  auto consider = [&](const Event& e) {
    if (core::HistoryMatches(e, r, state)) *out.add_events() = e;
    return static_cast<size_t>(out.events_size()) < limit;
  };
  const uint64_t head = (*ws)->CommittedSeq();
  if (!r.goal_id().empty()) {
    // The by_goal index: only this goal's events are read.
    absl::StatusOr<std::vector<uint64_t>> seqs = log.store().GoalSeqs((*ws)->id, r.goal_id());
    if (!seqs.ok()) return seqs.status();
    for (uint64_t seq : *seqs) {
      if (seq > head) break;
      absl::StatusOr<Event> e = log.store().ReadEvent((*ws)->id, seq);
      if (!e.ok()) return e.status();
      if (!consider(*e)) break;
    }
    return out;
  }
  uint64_t from = 1;
  if (r.has_since()) {
    google::protobuf::Timestamp before = r.since();
    before.set_nanos(before.nanos() - 1);  // the last event strictly before `since`
    if (before.nanos() < 0) {
      before.set_seconds(before.seconds() - 1);
      before.set_nanos(999999999);
    }
    absl::StatusOr<uint64_t> at = SeqAtTime(log, **ws, before);
    if (!at.ok()) return at.status();
    from = *at + 1;
  }
  std::vector<Event> page;
  for (uint64_t next = from; next <= head;) {
    page.clear();
    if (absl::Status s = log.ReadCommitted(**ws, next, 4096, &page); !s.ok()) return s;
    if (page.empty()) break;
    for (const Event& e : page) {
      if (r.has_until() && core::TimestampNanos(e.server_time()) > core::TimestampNanos(r.until())) return out;
      if (!consider(e)) return out;
    }
    next = page.back().seq() + 1;
  }
  return out;
}

absl::StatusOr<BlameResponse> QueryBlame(EventLog& log, const BlameRequest& r) {
  absl::StatusOr<Workspace*> ws = Resolve(log, r.workspace());
  if (!ws.ok()) return ws.status();
  absl::StatusOr<BlameResponse> out = OnPlan<BlameResponse>(
      log, **ws, [&](const PlanState& plan) { return core::Blame(plan, r.goal_id()); });
  if (!out.ok()) return out;
  core::AddPreviousValues(
      r.goal_id(), [&](uint64_t seq) { return log.StateAsOf(**ws, seq); }, &*out);
  return out;
}

}  // namespace goalsync::server
