// The fuzz target's oracle for "nothing stored outside the schema": a check of a stored event
// written apart from the door's (core::CheckSchema), so that the target can tell when an
// event the pipeline accepted is one the schema forbids.
#ifndef GOALSYNC_TESTS_FUZZ_STRICT_SCHEMA_H_
#define GOALSYNC_TESTS_FUZZ_STRICT_SCHEMA_H_

#include <string>

#include "goalsync/v1/event.pb.h"

namespace goalsync::testing {

// Empty if `event` is within the schema: a payload body is set; every enum value, at any
// depth, is one its enum defines; every string is UTF-8; every double is finite; no unknown
// fields; the event survives a serialize/parse round trip unchanged. Otherwise what is wrong.
std::string StrictSchemaViolation(const goalsync::v1::Event& event);

}  // namespace goalsync::testing

#endif  // GOALSYNC_TESTS_FUZZ_STRICT_SCHEMA_H_
