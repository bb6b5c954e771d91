// Pipelines (many commands, one write) and an optimistic transaction with WATCH.
//   basalt_example_pipeline [host] [port]
#include <basalt/client.hpp>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  try {
    basalt::Client db(
        {.host = argc > 1 ? argv[1] : "127.0.0.1", .port = argc > 2 ? std::stoi(argv[2]) : 6379});
    auto p = db.pipeline();
    for (int i = 0; i < 100; ++i) p.set("example:k" + std::to_string(i), std::to_string(i));
    p.command({"LPUSH", "example:k1", "x"});  // WRONGTYPE: its reply is an error, the others fine
    p.get("example:k42");
    std::vector<basalt::Reply> replies = p.execute();
    std::cout << replies.size() << " replies; #100 = " << replies[100].to_string()
              << "; #101 = " << replies[101].to_string() << "\n";

    // Increment a counter stored as a string, retrying if someone else changed it meanwhile.
    db.set("example:counter", "10");
    for (;;) {
      auto result = db.transaction(
          [&](basalt::Transaction& tx) {
            const int now = std::stoi(db.get("example:counter").value_or("0"));
            tx.set("example:counter", std::to_string(now * 2));
          },
          {"example:counter"});
      if (result) break;  // nullopt: aborted by a concurrent change, try again
    }
    std::cout << "counter = " << *db.get("example:counter") << "\n";
    for (const std::string& key : db.scan("example:*")) db.remove(key);
    std::cout << "ok\n";
  } catch (const basalt::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
