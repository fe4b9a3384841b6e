// ZeroedWalFileSystem: hands RocksDB each new WAL file already written full of zeros, so that
// a synced append overwrites blocks the file system has already allocated and sized.
//
// A WAL that grows makes every fdatasync also commit metadata (the new size, the extents that
// fallocate left unwritten); over written blocks it commits the data alone. Here that is
// 260-290 us instead of 370-430 us per sync on a busy disk (docs/performance.md), on the path
// of every acknowledged append. PostgreSQL does the same with its WAL segments.
//
// A background thread keeps one spare file of `file_bytes` zeros ready in the data dir
// (`zeroed-wal.spare`), written and synced ahead of time; a new WAL takes it over by rename
// (FileSystem::ReuseWritableFile) and the thread makes the next. Without a spare ready (at
// start, or when WALs switch faster than zeros can be written) the WAL is created the usual
// way: nothing waits for the zeros. RocksDB trims the unused zeros when it closes the WAL.
//
// Crash safety: the zeros are never a record. After a crash RocksDB's point-in-time recovery
// reads the WAL up to its last whole record and skips the zero-filled rest, as it does for a
// preallocated tail. A spare left by a crash is reused at the next start.
//
// Thread safety: as any rocksdb::FileSystem.
#ifndef GOALSYNC_SERVER_STORE_ZEROED_WAL_FS_H_
#define GOALSYNC_SERVER_STORE_ZEROED_WAL_FS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rocksdb/file_system.h"

namespace goalsync::server {

class ZeroedWalFileSystem : public rocksdb::FileSystemWrapper {
 public:
  // WAL files created in `dir` (names ending in ".log") start as `file_bytes` of zeros.
  ZeroedWalFileSystem(std::shared_ptr<rocksdb::FileSystem> base, std::string dir,
                      uint64_t file_bytes);
  // Stops the background thread. The spare stays for the next start.
  ~ZeroedWalFileSystem() override;

  static const char* kClassName() { return "ZeroedWalFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;

  // WAL files that started from a spare so far (for tests and the log).
  uint64_t reused() const;
  // Waits up to `timeout` for a spare to be ready: true if one is (for tests).
  bool WaitForSpare(absl::Duration timeout);

 private:
  void RunFiller();
  // Writes `file_bytes_` of zeros to a temp file, syncs it and renames it to the spare.
  rocksdb::IOStatus MakeSpare();

  const std::string dir_;
  const std::string spare_;
  const uint64_t file_bytes_;

  mutable absl::Mutex mu_;
  bool spare_ready_ ABSL_GUARDED_BY(mu_) = false;
  bool taking_ ABSL_GUARDED_BY(mu_) = false;  // a WAL is being made from the spare
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t reused_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread filler_;
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_STORE_ZEROED_WAL_FS_H_
