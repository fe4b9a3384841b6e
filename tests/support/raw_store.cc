#include "tests/support/raw_store.h"

#include <cstdio>
#include <cstdlib>

namespace goalsync::testing {
namespace {

void Check(const rocksdb::Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "RawStore: %s: %s\n", what, s.ToString().c_str());
  std::abort();
}

}  // namespace

RawStore::RawStore(const std::string& dir) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : {"default", "log", "by_goal", "event_ids", "meta", "snapshots"}) {
    families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  Check(rocksdb::DB::Open(rocksdb::DBOptions(), dir, families, &handles_, &db_), "open");
}

RawStore::~RawStore() {
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  delete db_;
}

std::string RawStore::Get(Family f, const std::string& key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[f], key, &value);
  if (s.IsNotFound()) return "";
  Check(s, "get");
  return value;
}

void RawStore::Put(Family f, const std::string& key, const std::string& value) {
  Check(db_->Put(rocksdb::WriteOptions(), handles_[f], key, value), "put");
}

void RawStore::Delete(Family f, const std::string& key) {
  Check(db_->Delete(rocksdb::WriteOptions(), handles_[f], key), "delete");
}

}  // namespace goalsync::testing
