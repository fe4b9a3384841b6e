// A temporary directory removed with everything in it when the object dies.
#ifndef GOALSYNC_TESTS_SUPPORT_TEMP_DIR_H_
#define GOALSYNC_TESTS_SUPPORT_TEMP_DIR_H_

#include <filesystem>
#include <string>

namespace goalsync::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name, not created.
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace goalsync::testing

#endif  // GOALSYNC_TESTS_SUPPORT_TEMP_DIR_H_
