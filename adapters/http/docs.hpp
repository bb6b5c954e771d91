#pragma once
// The OpenAPI document (api/openapi.yaml, embedded as JSON at build time from the committed
// openapi_json.inc) and the docs page: Swagger UI's files from the swagger-ui-dist npm package,
// read from a directory next to the binary (or the source tree's node_modules in a build tree),
// never from a CDN.

#include <string>
#include <string_view>
#include <unordered_map>

namespace basalt::http {

std::string_view openapi_json();

// The document as this server serves it: the admin paths' server, which api/openapi.yaml names
// by its default (http://127.0.0.1:8081), replaced by `admin_url` with `description`, so the docs
// page's "Try it out" reaches the admin port actually configured. Admin paths are those with a
// server of their own given as an absolute URL.
std::string openapi_json_for_admin(std::string_view admin_url, std::string_view description);

class DocsAssets {
 public:
  // Finds the directory (first that holds swagger-ui-bundle.js): $BASALT_HTTP_DOCS_DIR,
  // <binary dir>/swagger-ui, <binary dir>/../share/basalt/swagger-ui, then the source tree's
  // adapters/http/ui/node_modules/swagger-ui-dist.
  void locate();
  const std::string& dir() const { return dir_; }
  // The page itself (ours, embedded) and its script.
  static std::string_view index_html();
  static std::string_view init_js();
  // A Swagger UI file by name, read once and cached; nullptr if unknown or not installed.
  const std::string* asset(std::string_view name, std::string_view* content_type);

 private:
  std::string dir_;
  std::unordered_map<std::string, std::string> cache_;
};

}  // namespace basalt::http
