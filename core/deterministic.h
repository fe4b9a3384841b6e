// Deterministic protobuf encoding: known fields in field-number order, map entries sorted by
// key. Equal messages give equal bytes on every machine; the hash chain and snapshots rely
// on it. Pure.
#ifndef GOALSYNC_CORE_DETERMINISTIC_H_
#define GOALSYNC_CORE_DETERMINISTIC_H_

#include <string>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message_lite.h"

namespace goalsync::core {

inline std::string SerializeDeterministic(const google::protobuf::MessageLite& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_DETERMINISTIC_H_
