// FaultFs: a RocksDB FileSystem that passes everything to the local one, except what a test
// arms: the WAL's syncs failing (a failed fsync), its writes failing with "no space left",
// or a free-space figure of the test's choosing. Only the file system is faked; RocksDB,
// the server and gRPC are real.
#ifndef GOALSYNC_TESTS_SERVER_OPS_FAULT_FS_H_
#define GOALSYNC_TESTS_SERVER_OPS_FAULT_FS_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace goalsync::testing {

class FaultFs : public rocksdb::FileSystemWrapper {
 public:
  enum Fault { kNone, kSyncFails, kNoSpace };

  FaultFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FaultFs"; }

  void Arm(Fault f) { fault_ = f; }
  // Free bytes GetFreeSpace reports (0: the real figure).
  void SetFreeSpace(uint64_t bytes) { free_space_ = bytes; }
  // WAL syncs and appends refused so far.
  int injected() const { return injected_; }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(f, o, r, dbg);
    if (s.ok() && absl::EndsWith(f, ".log")) *r = std::make_unique<WalFile>(std::move(*r), this);
    return s;
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->ReuseWritableFile(f, old, o, r, dbg);
    if (s.ok() && absl::EndsWith(f, ".log")) *r = std::make_unique<WalFile>(std::move(*r), this);
    return s;
  }
  rocksdb::IOStatus GetFreeSpace(const std::string& path, const rocksdb::IOOptions& o,
                                 uint64_t* free, rocksdb::IODebugContext* dbg) override {
    if (free_space_ != 0) {
      *free = free_space_;
      return rocksdb::IOStatus::OK();
    }
    return target()->GetFreeSpace(path, o, free, dbg);
  }

 private:
  class WalFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    WalFile(std::unique_ptr<rocksdb::FSWritableFile> f, FaultFs* fs)
        : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& d, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->fault_ == kNoSpace) return fs_->Refuse(rocksdb::IOStatus::NoSpace("injected ENOSPC"));
      return FSWritableFileOwnerWrapper::Append(d, o, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& d, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& v,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->fault_ == kNoSpace) return fs_->Refuse(rocksdb::IOStatus::NoSpace("injected ENOSPC"));
      return FSWritableFileOwnerWrapper::Append(d, o, v, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (fs_->fault_ != kNone) return fs_->Refuse(rocksdb::IOStatus::IOError("injected fsync failure"));
      return FSWritableFileOwnerWrapper::Sync(o, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (fs_->fault_ != kNone) return fs_->Refuse(rocksdb::IOStatus::IOError("injected fsync failure"));
      return FSWritableFileOwnerWrapper::Fsync(o, dbg);
    }

   private:
    FaultFs* const fs_;
  };

  rocksdb::IOStatus Refuse(rocksdb::IOStatus s) {
    ++injected_;
    return s;
  }

  std::atomic<Fault> fault_{kNone};
  std::atomic<uint64_t> free_space_{0};
  std::atomic<int> injected_{0};
};

}  // namespace goalsync::testing

#endif  // GOALSYNC_TESTS_SERVER_OPS_FAULT_FS_H_
