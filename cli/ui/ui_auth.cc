#include "cli/ui/ui_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace goalsync::cli::ui {
namespace {

std::string Hex(const unsigned char* bytes, size_t n) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), n));
}

std::string Sha256Hex(absl::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &n, EVP_sha256(), nullptr) != 1) {
    std::abort();  // OpenSSL without SHA-256: nothing sensible to serve
  }
  return Hex(digest, n);
}

bool SameSecret(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

UiAuth::UiAuth(std::string secret, std::vector<std::string> allowed_hosts, bool secure)
    : secret_(std::move(secret)),
      csrf_(Sha256Hex(absl::StrCat("goalsync-ui-csrf:", secret_))),
      allowed_hosts_(std::move(allowed_hosts)),
      secure_(secure) {}

std::string UiAuth::NewSecret() {
  unsigned char bytes[32];
  // A page anyone could drive is worse than no page: without randomness, stop.
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) std::abort();
  return Hex(bytes, sizeof(bytes));
}

bool UiAuth::KeyOk(absl::string_view key) const { return SameSecret(key, secret_); }

bool UiAuth::CookieOk(absl::string_view cookie_header) const {
  for (absl::string_view part : absl::StrSplit(cookie_header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, kCookieName) && absl::ConsumePrefix(&part, "=")) {
      if (SameSecret(part, secret_)) return true;
    }
  }
  return false;
}

bool UiAuth::CsrfOk(absl::string_view header) const { return SameSecret(header, csrf_); }

bool UiAuth::HostOk(absl::string_view host_header) const {
  if (allowed_hosts_.empty()) return true;
  return std::find(allowed_hosts_.begin(), allowed_hosts_.end(), host_header) !=
         allowed_hosts_.end();
}

std::string UiAuth::SetCookie() const {
  return absl::StrCat(kCookieName, "=", secret_, "; Path=/; HttpOnly; SameSite=Strict",
                      secure_ ? "; Secure" : "");
}

}  // namespace goalsync::cli::ui
