// The page's files (cli/ui/assets/), compiled into goalctl by embed_assets.cmake: goalctl ui
// needs no files and no network at run time.
#ifndef GOALSYNC_CLI_UI_UI_ASSETS_H_
#define GOALSYNC_CLI_UI_UI_ASSETS_H_

#include <cstddef>
#include <string_view>

namespace goalsync::cli::ui {

struct Asset {
  std::string_view path;          // "/app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

// The asset served at `path` ("/" is index.html), or nullptr.
const Asset* FindAsset(std::string_view path);

}  // namespace goalsync::cli::ui

#endif  // GOALSYNC_CLI_UI_UI_ASSETS_H_
