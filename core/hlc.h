// Hybrid logical clock (Kulkarni et al.): a replica's edits are stamped with readings that
// follow its wall clock, never go backwards, and order edits made within one microsecond or
// after the wall clock stepped back. Pure: the caller supplies the wall-clock reading.
#ifndef GOALSYNC_CORE_HLC_H_
#define GOALSYNC_CORE_HLC_H_

#include <cstdint>

#include "goalsync/v1/event.pb.h"

namespace goalsync::core {

// a < b by (physical_micros, logical).
inline bool HlcLess(const goalsync::v1::Hlc& a, const goalsync::v1::Hlc& b) {
  if (a.physical_micros() != b.physical_micros()) return a.physical_micros() < b.physical_micros();
  return a.logical() < b.logical();
}

// The reading for a local edit made at wall-clock `now_micros`, after `last`.
inline goalsync::v1::Hlc HlcTick(const goalsync::v1::Hlc& last, uint64_t now_micros) {
  goalsync::v1::Hlc next;
  if (now_micros > last.physical_micros()) {
    next.set_physical_micros(now_micros);
  } else {
    next.set_physical_micros(last.physical_micros());
    next.set_logical(last.logical() + 1);
  }
  return next;
}

// `last` after seeing a remote reading: the greater of the two, so that a local edit made
// after seeing a remote one is stamped after it.
inline goalsync::v1::Hlc HlcObserve(const goalsync::v1::Hlc& last, const goalsync::v1::Hlc& seen) {
  return HlcLess(last, seen) ? seen : last;
}

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_HLC_H_
