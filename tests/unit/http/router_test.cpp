// Routing: templates, literal routes before templates, 405's Allow set, HEAD through GET.

#include "http/router.hpp"

#include <gtest/gtest.h>

#include "http/frontend.hpp"

namespace basalt::http {
namespace {

void a(Exchange&) {}
void b(Exchange&) {}

std::vector<std::string> segs(std::string_view target) {
  Target t;
  EXPECT_TRUE(parse_target(target, &t));
  return t.segments;
}

TEST(Router, MatchesTemplatesOnDecodedSegments) {
  Router r;
  r.add("/api/v1/keys/{key}", kGet | kPut, a);
  r.add("/api/v1/keys/{key}/ttl", kGet, b);
  EXPECT_EQ(r.match(kGet, segs("/api/v1/keys/foo")).route->handler, a);
  EXPECT_EQ(r.match(kGet, segs("/api/v1/keys/a%2Fttl")).route->handler, a);  // one segment
  EXPECT_EQ(r.match(kGet, segs("/api/v1/keys/a/ttl")).route->handler, b);
  EXPECT_EQ(r.match(kGet, segs("/api/v1/keys/a/b")).route, nullptr);
  EXPECT_EQ(r.match(kGet, segs("/api/v1/keys/a/b")).allowed, 0u);
}

TEST(Router, MethodNotAllowedReportsAllowed) {
  Router r;
  r.add("/x/{id}", kGet | kDelete, a);
  RouteMatch m = r.match(kPost, segs("/x/1"));
  EXPECT_EQ(m.route, nullptr);
  ASSERT_NE(m.path_route, nullptr);
  EXPECT_EQ(m.allowed, kGet | kHead | kDelete);
  EXPECT_EQ(methods_list(m.allowed), "GET, HEAD, DELETE");
}

TEST(Router, HeadIsAnsweredByGet) {
  Router r;
  r.add("/x", kGet, a);
  EXPECT_EQ(r.match(kHead, segs("/x")).route->handler, a);
}

TEST(Router, TailTemplatesAndLiteralPrecedence) {
  Router r;
  r.add("/redis/pipeline", kPost, b);
  r.add("/redis/{command}", kGet | kPost, a);
  r.add("/redis/{command}/{args...}", kGet | kPost, a);
  EXPECT_EQ(r.match(kPost, segs("/redis/pipeline")).route->handler, b);
  EXPECT_EQ(r.match(kGet, segs("/redis/pipeline")).route, nullptr);  // 405, not a command
  EXPECT_EQ(r.match(kGet, segs("/redis/ping")).route->handler, a);
  EXPECT_EQ(r.match(kGet, segs("/redis/set/k/v/EX/10")).route->handler, a);
  EXPECT_EQ(r.match(kGet, segs("/redis")).route, nullptr);
}

TEST(Router, TrailingSlashIsItsOwnRoute) {
  Router r;
  r.add("/docs", kGet, a);
  r.add("/docs/", kGet, b);
  r.add("/docs/{asset}", kGet, a);
  EXPECT_EQ(r.match(kGet, segs("/docs")).route->handler, a);
  EXPECT_EQ(r.match(kGet, segs("/docs/")).route->handler, b);
  EXPECT_EQ(r.match(kGet, segs("/docs/x.js")).route->handler, a);
}

TEST(Router, ApiRoutesAreUnambiguous) {
  Router api;
  build_api_router(api);
  EXPECT_EQ(api.match(kGet, segs("/api/v1/keys")).route->path, "/api/v1/keys");
  EXPECT_EQ(api.match(kPatch, segs("/api/v1/keys/k")).route->path, "/api/v1/keys/{key}");
  EXPECT_EQ(api.match(kDelete, segs("/api/v1/keys/k/items")).route->path,
            "/api/v1/keys/{key}/items");
  EXPECT_EQ(api.match(kPost, segs("/api/v1/redis/multi-exec")).route->path,
            "/api/v1/redis/multi-exec");
  EXPECT_EQ(api.match(kGet, segs("/api/v1/redis/get/k")).route->path,
            "/api/v1/redis/{command}/{args...}");
  EXPECT_EQ(api.match(kGet, segs("/api/v1/docs/")).route->path, "/api/v1/docs/");
  EXPECT_FALSE(api.match(kGet, segs("/api/v1/keys/k")).route->needs_auth == false);
  EXPECT_FALSE(api.match(kGet, segs("/api/v1/openapi.json")).route->needs_auth);
}

TEST(Router, CommandApiAtTheRootLeavesApiPathsAlone) {
  Router api;
  build_api_router(api);
  EXPECT_EQ(api.match(kPost, segs("/")).route->path, "/");
  EXPECT_EQ(api.match(kPost, segs("/pipeline")).route->path, "/pipeline");
  EXPECT_EQ(api.match(kPost, segs("/multi-exec")).route->path, "/multi-exec");
  EXPECT_EQ(api.match(kGet, segs("/ping")).route->path, "/{command}");
  EXPECT_EQ(api.match(kGet, segs("/set/k/v")).route->path, "/{command}/{args...}");
  EXPECT_EQ(api.match(kGet, segs("/pipeline")).route, nullptr);  // 405, as under /api/v1/redis
  EXPECT_EQ(api.match(kGet, segs("/")).allowed, kPost);
  // Under /api nothing falls through to the root's templates: unknown paths stay 404s.
  for (std::string_view target : {"/api", "/api/v2", "/api/v1/nope", "/api/v1/keys/k/x/y"}) {
    RouteMatch m = api.match(kGet, segs(target));
    EXPECT_EQ(m.path_route, nullptr) << target;
    EXPECT_EQ(m.allowed, 0u) << target;
  }
  EXPECT_EQ(api.match(kGet, segs("/api/v1/keys/k")).route->path, "/api/v1/keys/{key}");
}

TEST(Router, FenceStopsLaterRoutesOnly) {
  Router r;
  r.add("/a/b", kGet, a);
  r.fence("/a/{rest...}");
  r.add("/{x}/{rest...}", kGet, b);
  EXPECT_EQ(r.match(kGet, segs("/a/b")).route->handler, a);
  EXPECT_EQ(r.match(kGet, segs("/a/c")).path_route, nullptr);
  EXPECT_EQ(r.match(kGet, segs("/z/c")).route->handler, b);
}

TEST(Router, CommandApiPaths) {
  EXPECT_TRUE(is_command_api_path("/api/v1/redis"));
  EXPECT_TRUE(is_command_api_path("/api/v1/redis/get/k?_token=x"));
  EXPECT_TRUE(is_command_api_path("/"));
  EXPECT_TRUE(is_command_api_path("/get/k"));
  EXPECT_TRUE(is_command_api_path("/apix"));
  EXPECT_FALSE(is_command_api_path("/api"));
  EXPECT_FALSE(is_command_api_path("/api/v1/keys/k"));
  EXPECT_FALSE(is_command_api_path("/api?x=1"));
}

}  // namespace
}  // namespace basalt::http
