#include "core/schema.h"

#include <cmath>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/envelope.h"
#include "core/refusal.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"

namespace goalsync::core {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status Bad(const std::string& path, absl::string_view what) {
  return WithField(absl::InvalidArgumentError(absl::StrCat(path, ": ", what)), path);
}

bool ValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : c & (0x7f >> n);
    for (size_t k = 1; k < n; ++k) {
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n;
  }
  return true;
}

bool IsIdField(const FieldDescriptor& f) {
  return absl::EndsWith(f.name(), "_id") || absl::EndsWith(f.name(), "_ids");
}

absl::Status CheckMessage(const Message& m, const std::string& prefix);

// One value of field `f` (element `index` if repeated).
absl::Status CheckValue(const Message& m, const FieldDescriptor& f, int index,
                        const std::string& path) {
  const Reflection& r = *m.GetReflection();
  const bool rep = f.is_repeated();
  switch (f.cpp_type()) {
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int v = rep ? r.GetRepeatedEnumValue(m, &f, index) : r.GetEnumValue(m, &f);
      if (f.enum_type()->FindValueByNumber(v) == nullptr) {
        return Bad(path, absl::StrCat(v, " is not a ", f.enum_type()->name(), " (",
                                      f.enum_type()->value(0)->name(), " .. ",
                                      f.enum_type()->value(f.enum_type()->value_count() - 1)->name(),
                                      ")"));
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& v = rep ? r.GetRepeatedStringReference(m, &f, index, &scratch)
                                 : r.GetStringReference(m, &f, &scratch);
      if (f.type() == FieldDescriptor::TYPE_BYTES) {
        return v.size() > kMaxTextBytes ? Bad(path, "too long") : absl::OkStatus();
      }
      if (v.size() > kMaxTextBytes) {
        return Bad(path, absl::StrCat(v.size(), " bytes; at most ", kMaxTextBytes));
      }
      if (!ValidUtf8(v)) return Bad(path, "is not valid UTF-8");
      if (IsIdField(f) && !v.empty()) {
        if (absl::Status s = ValidateId(path, v); !s.ok()) return WithField(s, path);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      const double v = rep ? r.GetRepeatedDouble(m, &f, index) : r.GetDouble(m, &f);
      return std::isfinite(v) ? absl::OkStatus() : Bad(path, "must be a finite number");
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      const float v = rep ? r.GetRepeatedFloat(m, &f, index) : r.GetFloat(m, &f);
      return std::isfinite(v) ? absl::OkStatus() : Bad(path, "must be a finite number");
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return CheckMessage(rep ? r.GetRepeatedMessage(m, &f, index) : r.GetMessage(m, &f),
                          path + ".");
    default:
      return absl::OkStatus();
  }
}

absl::Status CheckMessage(const Message& m, const std::string& prefix) {
  const Reflection& r = *m.GetReflection();
  if (!r.GetUnknownFields(m).empty()) {
    return Bad(prefix.empty() ? "(message)" : prefix.substr(0, prefix.size() - 1),
               "has fields this schema does not define");
  }
  std::vector<const FieldDescriptor*> fields;
  r.ListFields(m, &fields);  // only fields that are set: bounded by the message's size
  for (const FieldDescriptor* f : fields) {
    const std::string path = prefix + f->name();
    if (f->is_repeated()) {
      const int n = r.FieldSize(m, f);
      if (n > kMaxRepeated) return Bad(path, absl::StrCat(n, " elements; at most ", kMaxRepeated));
      for (int i = 0; i < n; ++i) {
        if (absl::Status s = CheckValue(m, *f, i, absl::StrCat(path, "[", i, "]")); !s.ok()) {
          return s;
        }
      }
    } else if (absl::Status s = CheckValue(m, *f, -1, path); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckSchema(const Message& message) { return CheckMessage(message, ""); }

}  // namespace goalsync::core
