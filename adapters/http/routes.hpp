#pragma once
// Route handlers, one file per group: resource_api.cpp (/api/v1/keys...), command_api.cpp
// (/api/v1/redis... and the root), admin_api.cpp (the admin port), docs_api.cpp (OpenAPI and the
// docs page). routes.cpp puts them in the routers.

namespace basalt::http {

class Exchange;

// resource_api.cpp
void handle_scan(Exchange& ex);
void handle_key(Exchange& ex);
void handle_key_ttl(Exchange& ex);
void handle_key_items(Exchange& ex);

// command_api.cpp
void handle_command_json(Exchange& ex);
void handle_command_path(Exchange& ex);
void handle_pipeline(Exchange& ex);
void handle_multi_exec(Exchange& ex);

// docs_api.cpp
void handle_openapi(Exchange& ex);
void handle_docs_redirect(Exchange& ex);
void handle_docs_index(Exchange& ex);
void handle_docs_asset(Exchange& ex);

// admin_api.cpp
void handle_healthz(Exchange& ex);
void handle_readyz(Exchange& ex);
void handle_metrics(Exchange& ex);
void handle_info(Exchange& ex);

}  // namespace basalt::http
