// The async client: futures from its own loop thread, and callbacks on the caller's libuv loop,
// where requests issued in one loop turn leave in one write.
//   basalt_example_async [host] [port]
#include <uv.h>

#include <basalt/async_client.hpp>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  const basalt::Options options{.host = argc > 1 ? argv[1] : "127.0.0.1",
                                .port = argc > 2 ? std::stoi(argv[2]) : 6379};
  try {
    // 1. Its own loop thread; typed methods return std::future.
    {
      basalt::AsyncClient db(options);
      std::vector<std::future<int64_t>> counts;
      for (int i = 0; i < 1000; ++i) counts.push_back(db.incr("example:async:hits"));
      std::cout << "last INCR = " << counts.back().get() << "\n";
      db.remove("example:async:hits").get();
    }

    // 2. The caller's loop; completion by callback.
    uv_loop_t loop;
    uv_loop_init(&loop);
    {
      basalt::AsyncClient db(&loop, options);
      int done = 0;
      for (int i = 0; i < 100; ++i) {
        db.command({"SET", "example:async:" + std::to_string(i), "v"},
                   [&](basalt::Reply reply, std::exception_ptr error) {
                     if (error || reply.is_error()) std::cerr << "a SET failed\n";
                     ++done;
                   });
      }
      uv_run(&loop, UV_RUN_DEFAULT);  // returns once every reply has arrived
      std::cout << done << " callbacks ran\n";
      for (int i = 0; i < 100; ++i) {
        db.command({"DEL", "example:async:" + std::to_string(i)}, nullptr);
      }
      uv_run(&loop, UV_RUN_DEFAULT);
    }
    uv_run(&loop, UV_RUN_DEFAULT);  // lets the client's handles close
    uv_loop_close(&loop);
    std::cout << "ok\n";
  } catch (const basalt::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
