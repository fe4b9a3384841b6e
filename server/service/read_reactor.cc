#include "server/service/read_reactor.h"

#include <algorithm>
#include <limits>

#include "server/service/status_map.h"

namespace goalsync::server {

ReadReactor::ReadReactor(EventLog& log, Workspace& ws, uint64_t from_seq, uint64_t limit,
                         bool encoded)
    : log_(log), ws_(ws), next_seq_(std::max<uint64_t>(from_seq, 1)), encoded_(encoded) {
  const uint64_t head = ws.CommittedSeq();
  const uint64_t room = std::numeric_limits<uint64_t>::max() - next_seq_;
  last_seq_ = (limit == 0 || limit - 1 > room) ? head : std::min(head, next_seq_ + limit - 1);
  SendNextPage();
}

void ReadReactor::OnWriteDone(bool ok) {
  if (!ok) return Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the reader went away"));
  SendNextPage();
}

void ReadReactor::SendNextPage() {
  if (next_seq_ > last_seq_) return Finish(grpc::Status::OK);
  const size_t want = static_cast<size_t>(std::min<uint64_t>(kPageEvents, last_seq_ - next_seq_ + 1));
  if (encoded_) {
    encoded_page_.clear();
    if (absl::Status s = log_.ReadCommittedEncoded(ws_, next_seq_, want, &encoded_page_); !s.ok()) {
      return Finish(ToGrpcStatus(s));
    }
    if (encoded_page_.empty()) return Finish(grpc::Status::OK);
    msg_.Clear();
    for (auto& bytes : encoded_page_) msg_.add_encoded_events()->swap(bytes);
    next_seq_ += static_cast<uint64_t>(msg_.encoded_events_size());  // the log has no gaps
    return StartWrite(&msg_);
  }
  page_.clear();
  if (absl::Status s = log_.ReadCommitted(ws_, next_seq_, want, &page_); !s.ok()) {
    return Finish(ToGrpcStatus(s));
  }
  if (page_.empty()) return Finish(grpc::Status::OK);
  msg_.Clear();
  for (auto& e : page_) msg_.add_events()->Swap(&e);
  next_seq_ = msg_.events(msg_.events_size() - 1).seq() + 1;
  StartWrite(&msg_);
}

}  // namespace goalsync::server
