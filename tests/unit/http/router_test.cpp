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

}  // namespace
}  // namespace basalt::http
