#include "core/refusal.h"

#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace goalsync::core {

using goalsync::v1::Refusal;

Refusal::Reason ReasonFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return Refusal::REASON_UNSPECIFIED;
    case absl::StatusCode::kInvalidArgument: return Refusal::INVALID;
    case absl::StatusCode::kPermissionDenied: return Refusal::FORBIDDEN;
    case absl::StatusCode::kNotFound: return Refusal::NOT_FOUND;
    case absl::StatusCode::kFailedPrecondition: return Refusal::PRECONDITION;
    case absl::StatusCode::kAlreadyExists: return Refusal::ALREADY_EXISTS;
    case absl::StatusCode::kAborted: return Refusal::HEAD_MOVED;
    case absl::StatusCode::kResourceExhausted: return Refusal::TOO_LARGE;
    case absl::StatusCode::kUnauthenticated: return Refusal::UNAUTHENTICATED;
    case absl::StatusCode::kUnavailable: return Refusal::UNAVAILABLE;
    case absl::StatusCode::kOutOfRange: return Refusal::OUT_OF_RANGE;
    case absl::StatusCode::kDataLoss: return Refusal::DATA_LOSS;
    case absl::StatusCode::kUnimplemented: return Refusal::UNIMPLEMENTED;
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kDeadlineExceeded: return Refusal::CANCELLED;
    default: return Refusal::INTERNAL;
  }
}

namespace {

std::optional<Refusal> Attached(const absl::Status& status) {
  auto bytes = status.GetPayload(kRefusalTypeUrl);
  Refusal r;
  if (!bytes.has_value() || !r.ParseFromString(std::string(*bytes))) return std::nullopt;
  return r;
}

}  // namespace

Refusal RefusalOf(const absl::Status& status) {
  std::optional<Refusal> r = Attached(status);
  if (!r.has_value()) r.emplace();
  if (r->reason() == Refusal::REASON_UNSPECIFIED) r->set_reason(ReasonFor(status.code()));
  return *r;
}

absl::Status WithRefusal(absl::Status status, const Refusal& refusal) {
  if (status.ok()) return status;
  status.SetPayload(kRefusalTypeUrl, absl::Cord(refusal.SerializeAsString()));
  return status;
}

absl::Status AtEvent(const absl::Status& status, int index) {
  Refusal r = Attached(status).value_or(Refusal());
  r.set_event_index(index);
  absl::Status out(status.code(), absl::StrCat("events[", index, "]: ", status.message()));
  return WithRefusal(std::move(out), r);
}

absl::Status WithReason(absl::Status status, Refusal::Reason reason) {
  Refusal r = Attached(status).value_or(Refusal());
  r.set_reason(reason);
  return WithRefusal(std::move(status), r);
}

absl::Status WithField(absl::Status status, absl::string_view field) {
  Refusal r = Attached(status).value_or(Refusal());
  r.set_field(std::string(field));
  return WithRefusal(std::move(status), r);
}

absl::Status ResumeFrom(absl::Status status, uint64_t seq) {
  Refusal r = Attached(status).value_or(Refusal());
  r.set_resume_from_seq(seq);
  return WithRefusal(std::move(status), r);
}

}  // namespace goalsync::core
