#include "http/routes.hpp"

#include "http/frontend.hpp"

namespace basalt::http {

// Every route the server answers. api/openapi.yaml documents exactly these (a unit test compares
// the two), so add a route there when you add one here.
void build_api_router(Router& r) {
  r.add("/api/v1/keys", kGet, handle_scan);
  r.add("/api/v1/keys/{key}", kGet | kHead | kPut | kPatch | kDelete, handle_key);
  r.add("/api/v1/keys/{key}/ttl", kGet | kPut | kDelete, handle_key_ttl);
  r.add("/api/v1/keys/{key}/items", kGet | kPost | kDelete, handle_key_items);
  r.add("/api/v1/redis", kPost, handle_command_json);
  // Literal routes before the templates they would also match.
  r.add("/api/v1/redis/pipeline", kPost, handle_pipeline);
  r.add("/api/v1/redis/multi-exec", kPost, handle_multi_exec);
  r.add("/api/v1/redis/{command}", kGet | kPost, handle_command_path);
  r.add("/api/v1/redis/{command}/{args...}", kGet | kPost, handle_command_path);
  r.add("/api/v1/openapi.json", kGet, handle_openapi, false);
  r.add("/api/v1/docs", kGet, handle_docs_redirect, false);
  r.add("/api/v1/docs/", kGet, handle_docs_index, false);
  r.add("/api/v1/docs/{asset}", kGet, handle_docs_asset, false);
  // Everything under /api belongs to the routes above: a path there that none of them answers
  // is a 404, not a command for the root routes below.
  r.fence("/api");
  r.fence("/api/{rest...}");
  // The command API once more at the root, where Upstash serves it: a client given the server's
  // own URL, as Upstash's URLs look (https://<name>.upstash.io), works unchanged.
  r.add("/", kPost, handle_command_json);
  r.add("/pipeline", kPost, handle_pipeline);
  r.add("/multi-exec", kPost, handle_multi_exec);
  r.add("/{command}", kGet | kPost, handle_command_path);
  r.add("/{command}/{args...}", kGet | kPost, handle_command_path);
}

void build_admin_router(Router& r) {
  r.add("/healthz", kGet, handle_healthz, false);
  r.add("/readyz", kGet, handle_readyz, false);
  r.add("/metrics", kGet, handle_metrics, false);
  r.add("/info", kGet, handle_info, false);
}

}  // namespace basalt::http
