#include "server/service/append_stream_reactor.h"

#include "server/service/status_map.h"

namespace goalsync::server {

namespace {

// A refused request's ack: what Append would have returned, details included.
goalsync::v1::AppendError ToAppendError(const absl::Status& status) {
  goalsync::v1::AppendError error;
  error.set_code(static_cast<int32_t>(status.code()));
  error.set_message(std::string(status.message()));
  error.set_details(StatusDetails(status));
  return error;
}

}  // namespace

using goalsync::v1::AppendAck;
using goalsync::v1::AppendStreamRequest;

AppendStreamReactor::AppendStreamReactor(EventLog& log, size_t max_in_flight, Authorize authorize)
    : log_(log), max_in_flight_(max_in_flight), authorize_(std::move(authorize)) {
  StartNextRead();
}

void AppendStreamReactor::StartNextRead() {
  reading_ = std::make_unique<AppendStreamRequest>();
  StartRead(reading_.get());
}

void AppendStreamReactor::OnReadDone(bool ok) {
  if (!ok) {  // the client half-closed, or the call is gone
    {
      absl::MutexLock lock(&mu_);
      reads_done_ = true;
    }
    Flush();
    return;
  }
  Submit(std::move(reading_));
  bool read_more;
  {
    absl::MutexLock lock(&mu_);
    read_more = next_index_ - first_slot_ < max_in_flight_;
    read_paused_ = !read_more;
  }
  if (read_more) StartNextRead();
}

void AppendStreamReactor::Submit(std::unique_ptr<AppendStreamRequest> request) {
  uint64_t index;
  {
    absl::MutexLock lock(&mu_);
    index = next_index_++;
    slots_.emplace_back();
  }
  const AppendStreamRequest& req = *request;
  absl::StatusOr<std::optional<Writer>> writer = authorize_(req.append().workspace());
  if (!writer.ok()) {
    AppendAck ack;
    ack.set_request_id(req.request_id());
    *ack.mutable_error() = ToAppendError(writer.status());
    Complete(index, std::move(ack));
    return;
  }
  log_.Append(req.append(), ObserveAppend(log_.options().observer, "AppendStream",
                                          [this, index, request = std::move(request)](
                                absl::StatusOr<goalsync::v1::AppendResponse> result) mutable {
    AppendAck ack;
    ack.set_request_id(request->request_id());
    if (result.ok()) {
      *ack.mutable_ok() = std::move(*result);
    } else {
      *ack.mutable_error() = ToAppendError(result.status());
    }
    Complete(index, std::move(ack));
  }), std::move(*writer));
}

void AppendStreamReactor::Complete(uint64_t index, AppendAck ack) {
  bool resume_reading = false;
  {
    absl::MutexLock lock(&mu_);
    slots_[index - first_slot_] = std::move(ack);
    while (!slots_.empty() && slots_.front().has_value()) {
      if (!broken_) *out_.add_acks() = std::move(*slots_.front());
      slots_.pop_front();
      ++first_slot_;
    }
    if (read_paused_ && !reads_done_ && next_index_ - first_slot_ < max_in_flight_) {
      read_paused_ = false;
      resume_reading = true;
    }
  }
  if (resume_reading) StartNextRead();
  Flush();
}

void AppendStreamReactor::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      broken_ = true;
      out_.Clear();
    }
  }
  Flush();
}

void AppendStreamReactor::Flush() {
  enum { kNothing, kWrite, kFinish } action = kNothing;
  {
    absl::MutexLock lock(&mu_);
    if (writing_ || finished_) return;
    if (out_.acks_size() > 0) {
      writing_msg_.Swap(&out_);
      out_.Clear();
      writing_ = true;
      action = kWrite;
    } else if (reads_done_ && slots_.empty()) {
      finished_ = true;
      action = kFinish;
    }
  }
  if (action == kWrite) StartWrite(&writing_msg_);
  if (action == kFinish) Finish(grpc::Status::OK);
}

}  // namespace goalsync::server
