// The OpenAPI document and the docs page (Swagger UI), on the API port.

#include <string>

#include "config/config.hpp"
#include "http/docs.hpp"
#include "http/exchange.hpp"
#include "http/frontend.hpp"
#include "http/routes.hpp"
#include "http/url.hpp"

namespace basalt::http {

// The document names the admin port as the browser will reach it: the host this request was
// sent to (a docs page on localhost:8080 then calls localhost:<admin-port>) and the configured
// port, not the defaults api/openapi.yaml holds.
void handle_openapi(Exchange& ex) {
  const Config& cfg = ex.front_end().config();
  std::string_view host = host_name(ex.req.header("host"));
  if (host.empty()) host = "127.0.0.1";
  std::string url = "http://" + std::string(host) + ":" +
                    std::to_string(cfg.admin_port != 0 ? cfg.admin_port : 8081);
  ex.json(200, openapi_json_for_admin(url, cfg.admin_port != 0
                                               ? "The admin port (--admin-port)"
                                               : "The admin port, turned off (--admin-port 0)"));
  ex.res.add_header("Cache-Control", "no-cache");
  ex.res.add_header("Vary", "Host");
}

void handle_docs_redirect(Exchange& ex) {
  ex.empty(301);
  ex.res.add_header("Location", "/api/v1/docs/");
  ex.res.content_type = "text/plain";
  ex.res.body = "see /api/v1/docs/\n";
}

void handle_docs_index(Exchange& ex) {
  ex.res.status = 200;
  ex.res.content_type = "text/html; charset=utf-8";
  ex.res.body = DocsAssets::index_html();
  ex.res.add_header("Cache-Control", "no-cache");
}

void handle_docs_asset(Exchange& ex) {
  const std::string& name = ex.req.url.segments[3];
  if (name == "docs.js") {
    ex.res.status = 200;
    ex.res.content_type = "text/javascript; charset=utf-8";
    ex.res.body = DocsAssets::init_js();
    ex.res.add_header("Cache-Control", "no-cache");
    return;
  }
  std::string_view content_type;
  const std::string* data = ex.front_end().docs().asset(name, &content_type);
  if (data == nullptr) {
    ex.error(
        404, "NOT_FOUND",
        ex.front_end().docs().dir().empty()
            ? "Swagger UI is not installed: run tools/dev.sh deps (npm ci in adapters/http/ui) "
              "or set BASALT_HTTP_DOCS_DIR to a swagger-ui-dist directory"
            : "no such docs file");
    return;
  }
  ex.res.status = 200;
  ex.res.content_type = std::string(content_type);
  ex.res.body = *data;
  ex.res.add_header("Cache-Control", "public, max-age=3600");
}

}  // namespace basalt::http
