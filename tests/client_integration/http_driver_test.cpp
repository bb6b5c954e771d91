// basalt-benchmark's HTTP driver against a scripted HTTP server that answers like Basalt's
// /api/v1/redis and /api/v1/redis/pipeline routes (Upstash JSON), with Content-Length and chunked
// bodies, and against the real basalt-server.
#include <gtest/gtest.h>
#include <uv.h>

#include <string>
#include <vector>

#include "client_integration/servers.hpp"
#include "tools/benchmark/http_client.hpp"

namespace basalt::testing {
namespace {

// Answers every complete request: one result per command, {"error": ...} for commands that
// mention "bad"; every other response is chunked.
void FakeRedisHttp(int fd, FakeServer& self) {
  std::string in;
  int responses = 0;
  while (!self.stopping()) {
    in += self.read_for(fd, 20);
    for (;;) {
      const size_t head_end = in.find("\r\n\r\n");
      if (head_end == std::string::npos) break;
      const size_t cl = in.find("Content-Length: ");
      const size_t len = std::stoul(in.substr(cl + 16));
      if (in.size() < head_end + 4 + len) break;
      const std::string head = in.substr(0, head_end);
      const std::string body = in.substr(head_end + 4, len);
      in.erase(0, head_end + 4 + len);
      std::string out;
      int status = 200;
      if (head.starts_with("POST /api/v1/redis/pipeline ")) {
        out = "[";
        size_t commands = 0;
        for (size_t at = body.find('[', 1); at != std::string::npos; at = body.find('[', at + 1)) {
          const size_t end = body.find(']', at);
          const bool bad = body.substr(at, end - at).find("bad") != std::string::npos;
          out += std::string(commands++ ? "," : "") +
                 (bad ? R"({"error":"ERR bad command"})" : R"({"result":"OK"})");
        }
        out += "]";
      } else if (head.starts_with("POST /api/v1/redis ")) {
        if (body.find("bad") != std::string::npos) {
          status = 400;
          out = R"({"error":"WRONGTYPE Operation against a key"})";
        } else {
          out = R"({"result":"OK"})";
        }
      } else {
        status = 404;
        out = R"({"error":{"code":"NOT_FOUND","message":"no such route"}})";
      }
      std::string response = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
      if (responses++ % 2 == 0) {
        response += "Content-Length: " + std::to_string(out.size()) + "\r\n\r\n" + out;
      } else {
        const size_t half = out.size() / 2;
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%zx\r\n", half);
        response +=
            "Transfer-Encoding: chunked\r\n\r\n" + std::string(buf) + out.substr(0, half) + "\r\n";
        std::snprintf(buf, sizeof(buf), "%zx\r\n", out.size() - half);
        response += std::string(buf) + out.substr(half) + "\r\n0\r\n\r\n";
      }
      send(fd, response.data(), response.size(), MSG_NOSIGNAL);
    }
  }
}

struct Result {
  bool ok = false;
  std::string error;  // the error reply's text or the exception's what()
};

std::vector<Result> RunBatches(const std::string& url,
                               const std::vector<std::vector<std::vector<std::string>>>& batches) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  std::vector<Result> results;
  {
    bench::HttpClient http(&loop, url);
    for (const auto& batch : batches) {
      http.begin_batch();
      for (const auto& command : batch) {
        std::vector<std::string_view> args(command.begin(), command.end());
        http.command(args, [&](Reply r, std::exception_ptr e) {
          Result res;
          if (e) {
            try {
              std::rethrow_exception(e);
            } catch (const std::exception& ex) {
              res.error = ex.what();
            }
          } else if (r.is_error()) {
            res.error = r.str();
          } else {
            res.ok = true;
          }
          results.push_back(res);
        });
      }
      http.end_batch();
    }
    // Run until every callback ran (the connection keeps the loop alive).
    for (int i = 0; i < 1000; ++i) {
      size_t expected = 0;
      for (const auto& b : batches) expected += b.size();
      if (results.size() >= expected) break;
      uv_run(&loop, UV_RUN_ONCE);
    }
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  return results;
}

TEST(HttpDriver, SingleCommandsAndPipelines) {
  FakeServer server(FakeRedisHttp);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  std::vector<Result> r =
      RunBatches(url, {
                          {{"SET", "k", "v"}},
                          {{"GET", "bad"}},
                          {{"SET", "a", "1"}, {"LPUSH", "bad", "x"}, {"GET", "a"}},
                          {{"GET", "k\"quoted\\"}},
                      });
  ASSERT_EQ(r.size(), 6u);
  EXPECT_TRUE(r[0].ok);
  EXPECT_EQ(r[1].error, "WRONGTYPE Operation against a key");
  EXPECT_TRUE(r[2].ok);
  EXPECT_EQ(r[3].error, "ERR bad command");
  EXPECT_TRUE(r[4].ok);
  EXPECT_TRUE(r[5].ok);
}

TEST(HttpDriver, UnknownRouteAndUnreachableServer) {
  FakeServer server(FakeRedisHttp);
  std::vector<Result> r =
      RunBatches("http://127.0.0.1:" + std::to_string(server.port()) + "/nope", {{{"PING"}}});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].error, "NOT_FOUND");
  r = RunBatches("http://127.0.0.1:" + std::to_string(free_port()), {{{"PING"}, {"PING"}}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_NE(r[0].error.find("connect"), std::string::npos) << r[0].error;
}

TEST(HttpDriver, DrivesTheRealServersCommandApi) {
  ServerProcess server;
  const std::string url = "http://127.0.0.1:" + std::to_string(server.http_port());
  std::vector<Result> r = RunBatches(url, {
                                              {{"SET", "k", "v"}},
                                              {{"RPUSH", "l", "a"}, {"INCR", "l"}, {"GET", "k"}},
                                          });
  ASSERT_EQ(r.size(), 4u);
  EXPECT_TRUE(r[0].ok) << r[0].error;
  EXPECT_TRUE(r[1].ok) << r[1].error;
  EXPECT_EQ(r[2].error, "WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_TRUE(r[3].ok) << r[3].error;
}

}  // namespace
}  // namespace basalt::testing
