// UiAuth: who may use the pages goalctl ui serves. A random secret per run travels once in
// the URL goalctl prints (?k=SECRET); the first visit trades it for an HttpOnly, SameSite=Strict
// cookie. Every request needs the cookie; every state-changing request (POST only) also needs
// the CSRF token the page reads from /api/session, in the X-Goalsync-Csrf header, which other
// sites' pages can neither read nor send. On loopback, the Host header must name the address
// served (so a DNS-rebinding page cannot reach it).
//
// Thread safety: immutable after construction; all methods may be called from any thread.
#ifndef GOALSYNC_CLI_UI_UI_AUTH_H_
#define GOALSYNC_CLI_UI_UI_AUTH_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace goalsync::cli::ui {

inline constexpr char kCookieName[] = "goalsync_ui";
inline constexpr char kCsrfHeader[] = "X-Goalsync-Csrf";

class UiAuth {
 public:
  // `allowed_hosts`: Host header values accepted ("127.0.0.1:7420", "localhost:7420"); empty:
  // any (off loopback, where TLS and the secret protect instead). `secure`: cookies are sent
  // over TLS only.
  UiAuth(std::string secret, std::vector<std::string> allowed_hosts, bool secure);

  // 32 random bytes from OpenSSL's generator, as 64 hex digits.
  static std::string NewSecret();

  const std::string& secret() const { return secret_; }
  // The CSRF token: derived from the secret (SHA-256), so it is as unguessable.
  const std::string& csrf() const { return csrf_; }

  // Whether `key` (the ?k= parameter) is the secret. Constant time.
  bool KeyOk(absl::string_view key) const;
  // Whether the Cookie header carries the session cookie.
  bool CookieOk(absl::string_view cookie_header) const;
  bool CsrfOk(absl::string_view header) const;
  bool HostOk(absl::string_view host_header) const;
  // The Set-Cookie header value that starts a session.
  std::string SetCookie() const;

 private:
  const std::string secret_;
  const std::string csrf_;
  const std::vector<std::string> allowed_hosts_;
  const bool secure_;
};

}  // namespace goalsync::cli::ui

#endif  // GOALSYNC_CLI_UI_UI_AUTH_H_
