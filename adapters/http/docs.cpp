#include "http/docs.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "http/json.hpp"
#include "http/json_parse.hpp"

namespace basalt::http {

namespace {
#include "http/openapi_json.inc"

constexpr std::string_view kIndexHtml = R"html(<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Basalt HTTP API</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="swagger-ui.css">
  <link rel="icon" type="image/png" href="favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="swagger-ui-bundle.js"></script>
  <script src="docs.js"></script>
</body>
</html>
)html";

// Relative URLs, so the page also works behind a proxy that mounts the API elsewhere.
constexpr std::string_view kInitJs = R"js(window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "../openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
  });
});
)js";

struct AssetType {
  std::string_view name, content_type;
};
constexpr AssetType kAssets[] = {
    {"swagger-ui.css", "text/css; charset=utf-8"},
    {"swagger-ui-bundle.js", "text/javascript; charset=utf-8"},
    {"swagger-ui-standalone-preset.js", "text/javascript; charset=utf-8"},
    {"index.css", "text/css; charset=utf-8"},
    {"favicon-32x32.png", "image/png"},
    {"favicon-16x16.png", "image/png"},
    {"oauth2-redirect.html", "text/html; charset=utf-8"},
    {"oauth2-redirect.js", "text/javascript; charset=utf-8"},
};

void write_json(JsonWriter& w, const JsonValue& v) {
  switch (v.type) {
    case JsonValue::Type::kNull:
      w.null();
      break;
    case JsonValue::Type::kBool:
      w.boolean(v.boolean);
      break;
    case JsonValue::Type::kNumber:
      w.raw(v.text);  // the literal text, as parsed
      break;
    case JsonValue::Type::kString:
      w.string(v.text);
      break;
    case JsonValue::Type::kArray:
      w.begin_array();
      for (const JsonValue& item : v.items) write_json(w, item);
      w.end_array();
      break;
    case JsonValue::Type::kObject:
      w.begin_object();
      for (const auto& [key, member] : v.members) {
        w.key(key);
        write_json(w, member);
      }
      w.end_object();
      break;
  }
}

JsonValue string_value(std::string_view text) {
  JsonValue v;
  v.type = JsonValue::Type::kString;
  v.text = std::string(text);
  return v;
}

bool has_bundle(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(dir / "swagger-ui-bundle.js", ec);
}
}  // namespace

std::string_view openapi_json() { return kOpenApiJson; }

std::string openapi_json_for_admin(std::string_view admin_url, std::string_view description) {
  // Parsed once: the embedded document never changes, only what is put into the copy.
  static const JsonValue kDocument = [] {
    std::string error;
    auto doc = parse_json(kOpenApiJson, &error);
    return doc ? std::move(*doc) : JsonValue();
  }();
  JsonValue doc = kDocument;
  for (auto& [key, paths] : doc.members) {
    if (key != "paths") continue;
    for (auto& [path, item] : paths.members) {
      for (auto& [field, servers] : item.members) {
        if (field != "servers" || servers.items.empty()) continue;
        JsonValue& server = servers.items.front();
        const JsonValue* url = server.find("url");
        if (url == nullptr || !url->text.starts_with("http")) continue;  // "/": the API port
        server.members.clear();
        server.members.emplace_back("url", string_value(admin_url));
        server.members.emplace_back("description", string_value(description));
        servers.items.resize(1);
      }
    }
  }
  std::string out;
  out.reserve(kOpenApiJson.size() + 256);
  JsonWriter w(out);
  write_json(w, doc);
  return out;
}

std::string_view DocsAssets::index_html() { return kIndexHtml; }

std::string_view DocsAssets::init_js() { return kInitJs; }

void DocsAssets::locate() {
  namespace fs = std::filesystem;
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("BASALT_HTTP_DOCS_DIR")) candidates.emplace_back(env);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path() / "swagger-ui");
    candidates.push_back(exe.parent_path() / ".." / "share" / "basalt" / "swagger-ui");
  }
  // A build tree: the npm package installed in the source tree by tools/dev.sh.
  candidates.push_back(fs::path(__FILE__).parent_path() / "ui" / "node_modules" /
                       "swagger-ui-dist");
  for (auto& dir : candidates) {
    if (has_bundle(dir)) {
      dir_ = fs::weakly_canonical(dir, ec).string();
      if (ec) dir_ = dir.string();
      return;
    }
  }
}

const std::string* DocsAssets::asset(std::string_view name, std::string_view* content_type) {
  const AssetType* type = nullptr;
  for (auto& a : kAssets) {
    if (a.name == name) type = &a;
  }
  if (type == nullptr || dir_.empty()) return nullptr;
  *content_type = type->content_type;
  auto it = cache_.find(std::string(name));
  if (it != cache_.end()) return &it->second;
  std::ifstream in(dir_ + "/" + std::string(name), std::ios::binary);
  if (!in) return nullptr;
  std::ostringstream data;
  data << in.rdbuf();
  return &cache_.emplace(std::string(name), data.str()).first->second;
}

}  // namespace basalt::http
