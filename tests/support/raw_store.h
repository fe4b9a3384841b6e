// RawStore: a goalsyncd data dir opened with plain RocksDB, bypassing LogStore, the way
// someone with access to the disk could change it. For tamper and compatibility tests.
#ifndef GOALSYNC_TESTS_SUPPORT_RAW_STORE_H_
#define GOALSYNC_TESTS_SUPPORT_RAW_STORE_H_

#include <string>
#include <vector>

#include "rocksdb/db.h"

namespace goalsync::testing {

class RawStore {
 public:
  // The column families, in LogStore's order.
  enum Family { kDefault = 0, kLog, kByGoal, kEventIds, kMeta, kSnapshots };

  // Opens `dir` (which must not be open elsewhere); aborts the test binary on failure.
  explicit RawStore(const std::string& dir);
  ~RawStore();
  RawStore(const RawStore&) = delete;
  RawStore& operator=(const RawStore&) = delete;

  // Empty if the key is absent.
  std::string Get(Family f, const std::string& key);
  void Put(Family f, const std::string& key, const std::string& value);
  void Delete(Family f, const std::string& key);

 private:
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace goalsync::testing

#endif  // GOALSYNC_TESTS_SUPPORT_RAW_STORE_H_
