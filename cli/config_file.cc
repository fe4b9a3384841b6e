#include "cli/config_file.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace goalsync::cli {
namespace {

struct Setting {
  const char* key;
  std::string CliContext::*field;
};

constexpr Setting kSettings[] = {
    {"server", &CliContext::server}, {"workspace", &CliContext::workspace},
    {"replica", &CliContext::replica}, {"as", &CliContext::actor},
    {"token", &CliContext::token},   {"output", &CliContext::output},
    {"tls-ca", &CliContext::tls_ca},
};

}  // namespace

std::string ConfigPath(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) return argv[i + 1];
    if (std::strncmp(argv[i], "--config=", 9) == 0) return argv[i] + 9;
  }
  if (const char* env = std::getenv("GOALSYNC_CONFIG"); env != nullptr && *env != '\0') return env;
  const std::string base = XdgDir("XDG_CONFIG_HOME", ".config");
  return base.empty() ? "" : base + "/goalsync/goalctl.yaml";
}

absl::Status LoadConfig(const std::string& path, CliContext* ctx) {
  if (path.empty() || !std::filesystem::exists(path)) return absl::OkStatus();
  try {
    const YAML::Node root = YAML::LoadFile(path);
    if (root.IsNull()) return absl::OkStatus();
    if (!root.IsMap()) return absl::InvalidArgumentError(absl::StrCat(path, ": not a mapping"));
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      const Setting* s = nullptr;
      for (const Setting& candidate : kSettings) {
        if (key == candidate.key) s = &candidate;
      }
      if (s == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": line ", kv.first.Mark().line + 1, ": unknown setting \"", key,
            "\" (server, workspace, replica, as, token, tls-ca, output)"));
      }
      ctx->*(s->field) = kv.second.as<std::string>();
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": line ", e.mark.line + 1, ": ", e.msg));
  }
  return absl::OkStatus();
}

absl::Status SaveConfig(const std::string& path, const CliContext& ctx) {
  if (path.empty()) return absl::FailedPreconditionError("no HOME: give --config FILE");
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  YAML::Emitter out;
  out << YAML::Comment("goalctl settings (goalctl init); flags and GOALSYNC_* override them");
  out << YAML::BeginMap;
  for (const Setting& s : kSettings) {
    const std::string& value = ctx.*(s.field);
    if (!value.empty()) out << YAML::Key << s.key << YAML::Value << value;
  }
  out << YAML::EndMap;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp);
    f << out.c_str() << "\n";
    if (!f) return absl::PermissionDeniedError(absl::StrCat("cannot write ", tmp));
  }
  ::chmod(tmp.c_str(), 0600);  // it may hold a token
  std::filesystem::rename(tmp, path, ec);
  if (ec) return absl::PermissionDeniedError(absl::StrCat("cannot write ", path, ": ", ec.message()));
  return absl::OkStatus();
}

}  // namespace goalsync::cli
