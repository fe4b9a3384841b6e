#include "server/service/subscribe_reactor.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "core/refusal.h"
#include "server/service/status_map.h"

namespace goalsync::server {

// The workspace holds the Sink, not the reactor: the Sink lives as long as either needs it,
// and forwards to the reactor only while the call has not finished.
class SubscribeReactor::Sink : public LiveSink {
 public:
  explicit Sink(SubscribeReactor* r) : r_(r) {}

  bool Offer(const std::vector<EventPtr>& events, bool* wake) override {
    absl::MutexLock lock(&r_->mu_);
    if (r_->finished_ || r_->overflowed_) return false;
    if (r_->queue_.size() + events.size() > r_->buffer_) {
      r_->overflowed_ = true;
    } else {
      r_->queue_.insert(r_->queue_.end(), events.begin(), events.end());
    }
    if (!r_->driving_) {
      r_->driving_ = true;
      *wake = true;
    }
    return !r_->overflowed_;
  }

  // Only called by the writer thread after Offer handed it the driving token.
  void Wake() override { r_->Drive(); }

  void Close(const absl::Status& status) override {
    bool drive = false;
    {
      absl::MutexLock lock(&r_->mu_);
      if (r_->finished_) return;
      r_->closed_ = status;
      if (!r_->driving_) drive = r_->driving_ = true;
    }
    if (drive) r_->Drive();
  }

 private:
  SubscribeReactor* const r_;
};

SubscribeReactor::SubscribeReactor(EventLog& log, Workspace& ws, uint64_t from_seq,
                                   size_t buffer)
    : log_(log),
      ws_(ws),
      buffer_(buffer),
      sink_(std::make_shared<Sink>(this)),
      next_seq_(std::max<uint64_t>(from_seq, 1)) {
  if (log_.options().observer) log_.options().observer->OnSubscriberStarted();
  Drive();
}

void SubscribeReactor::OnWriteDone(bool ok) {
  if (!ok) {
    End(grpc::Status(grpc::StatusCode::CANCELLED, "the subscriber went away"));
    return;
  }
  Drive();
}

void SubscribeReactor::OnCancel() {
  bool drive = false;
  {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    if (!driving_) drive = driving_ = true;
  }
  if (drive) Drive();
}

void SubscribeReactor::OnDone() {
  if (log_.options().observer) log_.options().observer->OnSubscriberEnded();
  log_.RemoveSink(ws_, sink_.get());
  delete this;
}

void SubscribeReactor::Drive() {
  std::optional<grpc::Status> stop;
  {
    absl::MutexLock lock(&mu_);
    if (cancelled_) {
      stop = grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    } else if (!closed_.ok()) {
      stop = ToGrpcStatus(core::ResumeFrom(
          absl::Status(closed_.code(), absl::StrCat(closed_.message(), "; resume from_seq=",
                                                    next_seq_)),
          next_seq_));
    }
    if (stop.has_value()) finished_ = true;
  }
  if (stop.has_value()) return Finish(*stop);
  if (live_) {
    DriveLive();
  } else {
    DriveCatchUp();
  }
}

void SubscribeReactor::DriveCatchUp() {
  // Bounded: each round either sends a page, goes live, or fails; a round that finds nothing
  // new but is refused live status raced a commit, and the next read finds that commit.
  for (int round = 0; round < 1000; ++round) {
    uint64_t next;
    {
      absl::MutexLock lock(&mu_);
      next = next_seq_;
    }
    page_.clear();
    if (absl::Status s = log_.ReadCommitted(ws_, next, kPageEvents, &page_); !s.ok()) {
      return End(ToGrpcStatus(s));
    }
    if (!page_.empty()) {
      msg_.Clear();
      for (auto& e : page_) msg_.add_events()->Swap(&e);
      {
        absl::MutexLock lock(&mu_);
        next_seq_ = msg_.events(msg_.events_size() - 1).seq() + 1;
      }
      return StartWrite(&msg_);
    }
    absl::StatusOr<bool> live = log_.TryGoLive(ws_, next, sink_);
    if (!live.ok()) {
      return End(ToGrpcStatus(core::ResumeFrom(
          absl::Status(live.status().code(),
                       absl::StrCat(live.status().message(), "; resume from_seq=", next)),
          next)));
    }
    if (*live) {
      live_ = true;
      msg_.Clear();
      msg_.set_caught_up(true);
      return StartWrite(&msg_);
    }
  }
  End(ToGrpcStatus(absl::UnavailableError("could not catch up: resubscribe")));
}

void SubscribeReactor::DriveLive() {
  msg_.Clear();
  bool overflowed;
  uint64_t resume;
  {
    absl::MutexLock lock(&mu_);
    if (queue_.empty() && !overflowed_) {
      driving_ = false;  // idle: the next Offer, Close or OnCancel drives
      return;
    }
    // One message carries what is queued, up to EventLog::kMaxReadBytes (at least one event):
    // the rest goes in the next write.
    size_t taken = 0, bytes = 0;
    while (taken < queue_.size() && (taken == 0 || bytes < EventLog::kMaxReadBytes)) {
      bytes += queue_[taken]->ByteSizeLong();
      *msg_.add_events() = *queue_[taken++];
    }
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(taken));
    if (msg_.events_size() > 0) next_seq_ = msg_.events(msg_.events_size() - 1).seq() + 1;
    overflowed = overflowed_ && msg_.events_size() == 0;
    resume = next_seq_;
  }
  if (!overflowed) {
    if (log_.options().observer) log_.options().observer->OnSubscriberLag(msg_.events_size());
    return StartWrite(&msg_);
  }
  End(ToGrpcStatus(core::ResumeFrom(
      core::WithReason(absl::ResourceExhaustedError(absl::StrCat(
                           "subscriber fell more than ", buffer_,
                           " events behind; resume from_seq=", resume)),
                       goalsync::v1::Refusal::SLOW_SUBSCRIBER),
      resume)));
}

void SubscribeReactor::End(const grpc::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    finished_ = true;
  }
  Finish(status);
}

}  // namespace goalsync::server
