#include "server/store/zeroed_wal_fs.h"

#include <pthread.h>

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "spdlog/spdlog.h"

namespace goalsync::server {

namespace {

// RocksDB's WAL files are NNNNNN.log in the data dir.
bool IsWal(const std::string& fname) {
  if (!absl::EndsWith(fname, ".log")) return false;
  const size_t slash = fname.find_last_of('/');
  const std::string base = fname.substr(slash == std::string::npos ? 0 : slash + 1);
  const std::string number = base.substr(0, base.size() - 4);
  return !number.empty() && std::all_of(number.begin(), number.end(), absl::ascii_isdigit);
}

}  // namespace

ZeroedWalFileSystem::ZeroedWalFileSystem(std::shared_ptr<rocksdb::FileSystem> base,
                                         std::string dir, uint64_t file_bytes)
    : FileSystemWrapper(std::move(base)),
      dir_(std::move(dir)),
      spare_(dir_ + "/zeroed-wal.spare"),
      file_bytes_(file_bytes) {
  // A spare is renamed into place only once whole and synced: one left by an earlier run is
  // good as it is.
  uint64_t size = 0;
  if (target()->GetFileSize(spare_, rocksdb::IOOptions(), &size, nullptr).ok() &&
      size == file_bytes_) {
    spare_ready_ = true;
  }
  filler_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "gs-walzero");
    RunFiller();
  });
}

ZeroedWalFileSystem::~ZeroedWalFileSystem() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  filler_.join();
}

uint64_t ZeroedWalFileSystem::reused() const {
  absl::MutexLock lock(&mu_);
  return reused_;
}

bool ZeroedWalFileSystem::WaitForSpare(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&spare_ready_), timeout);
}

rocksdb::IOStatus ZeroedWalFileSystem::NewWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  bool take = false;
  if (IsWal(fname)) {
    absl::MutexLock lock(&mu_);
    take = spare_ready_;
    spare_ready_ = false;  // taken (or, if the reuse fails below, to be made again)
    taking_ = take;        // the filler must not rename a new spare over it meanwhile
  }
  if (take) {
    rocksdb::IOStatus s = target()->ReuseWritableFile(fname, spare_, options, result, dbg);
    absl::MutexLock lock(&mu_);
    taking_ = false;
    if (s.ok()) {
      ++reused_;
      return s;
    }
    spdlog::warn("taking the zeroed WAL spare failed, creating {} the usual way: {}", fname,
                 s.ToString());
  }
  return target()->NewWritableFile(fname, options, result, dbg);
}

void ZeroedWalFileSystem::RunFiller() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](ZeroedWalFileSystem* fs) ABSL_EXCLUSIVE_LOCKS_REQUIRED(fs->mu_) {
            return fs->stopping_ || (!fs->spare_ready_ && !fs->taking_);
          },
          this));
      if (stopping_) return;
    }
    rocksdb::IOStatus s = MakeSpare();
    absl::MutexLock lock(&mu_);
    if (s.ok()) {
      spare_ready_ = true;
      continue;
    }
    // The data dir may not exist yet (the store creates it), or the disk is full: WALs are
    // created the usual way meanwhile. Try again in a while, or at shutdown give up.
    spdlog::debug("no zeroed WAL spare: {}", s.ToString());
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Seconds(5));
    if (stopping_) return;
  }
}

rocksdb::IOStatus ZeroedWalFileSystem::MakeSpare() {
  const std::string tmp = spare_ + ".tmp";
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s = target()->NewWritableFile(tmp, rocksdb::FileOptions(), &file, nullptr);
  if (!s.ok()) return s;
  constexpr size_t kChunk = 1 << 20;
  const std::string zeros(kChunk, '\0');
  const rocksdb::IOOptions io;
  for (uint64_t written = 0; written < file_bytes_ && s.ok();) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, file_bytes_ - written));
    s = file->Append(rocksdb::Slice(zeros.data(), n), io, nullptr);
    written += n;
    // Sync as it goes, a few MiB at a time, so that no large write-back lands at once in
    // front of the WAL's own syncs.
    if (s.ok() && written % (8 * kChunk) == 0) s = file->Sync(io, nullptr);
    absl::MutexLock lock(&mu_);
    if (stopping_) s = rocksdb::IOStatus::Aborted("shutting down");
  }
  if (s.ok()) s = file->Sync(io, nullptr);
  if (rocksdb::IOStatus c = file->Close(io, nullptr); s.ok()) s = c;
  if (s.ok()) s = target()->RenameFile(tmp, spare_, io, nullptr);
  if (!s.ok()) (void)target()->DeleteFile(tmp, io, nullptr);
  return s;
}

}  // namespace goalsync::server
