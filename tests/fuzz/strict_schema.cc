#include "tests/fuzz/strict_schema.h"

#include <cmath>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/util/message_differencer.h"

namespace goalsync::testing {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// UTF-8 by the RFC 3629 table of well-formed byte sequences.
bool WellFormedUtf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char b = *p;
    int n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b <= 0x7F) n = 0;
    else if (b >= 0xC2 && b <= 0xDF) n = 1;
    else if (b == 0xE0) n = 2, lo = 0xA0;
    else if (b == 0xED) n = 2, hi = 0x9F;
    else if (b >= 0xE1 && b <= 0xEF) n = 2;
    else if (b == 0xF0) n = 3, lo = 0x90;
    else if (b == 0xF4) n = 3, hi = 0x8F;
    else if (b >= 0xF1 && b <= 0xF3) n = 3;
    else return false;
    ++p;
    if (end - p < n) return false;
    for (int k = 0; k < n; ++k, ++p) {
      if (*p < (k == 0 ? lo : 0x80) || *p > (k == 0 ? hi : 0xBF)) return false;
    }
  }
  return true;
}

std::string Walk(const Message& m, const std::string& at) {
  const auto* r = m.GetReflection();
  if (!r->GetUnknownFields(m).empty()) return at + ": unknown fields";
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    const int n = f->is_repeated() ? r->FieldSize(m, f) : 1;
    for (int i = 0; i < n; ++i) {
      const std::string path = at + "." + f->name();
      const bool rep = f->is_repeated();
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_ENUM: {
          const int v = rep ? r->GetRepeatedEnumValue(m, f, i) : r->GetEnumValue(m, f);
          if (f->enum_type()->FindValueByNumber(v) == nullptr) {
            return path + ": enum value " + std::to_string(v) + " is not defined";
          }
          break;
        }
        case FieldDescriptor::CPPTYPE_STRING:
          if (f->type() == FieldDescriptor::TYPE_STRING &&
              !WellFormedUtf8(rep ? r->GetRepeatedString(m, f, i) : r->GetString(m, f))) {
            return path + ": not UTF-8";
          }
          break;
        case FieldDescriptor::CPPTYPE_DOUBLE:
          if (!std::isfinite(rep ? r->GetRepeatedDouble(m, f, i) : r->GetDouble(m, f))) {
            return path + ": not finite";
          }
          break;
        case FieldDescriptor::CPPTYPE_MESSAGE: {
          std::string bad = Walk(rep ? r->GetRepeatedMessage(m, f, i) : r->GetMessage(m, f), path);
          if (!bad.empty()) return bad;
          break;
        }
        default:
          break;
      }
    }
  }
  return "";
}

}  // namespace

std::string StrictSchemaViolation(const goalsync::v1::Event& event) {
  if (event.payload().body_case() == goalsync::v1::Payload::BODY_NOT_SET) return "no payload body";
  if (std::string bad = Walk(event, "event"); !bad.empty()) return bad;
  goalsync::v1::Event again;
  if (!again.ParseFromString(event.SerializeAsString()) ||
      !google::protobuf::util::MessageDifferencer::Equals(again, event)) {
    return "does not survive a round trip";
  }
  return "";
}

}  // namespace goalsync::testing
