// The synchronous client: strings with a TTL, a list used as a queue, any command.
//   basalt_example_sync [host] [port]
#include <basalt/client.hpp>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  try {
    basalt::Client db({.host = argc > 1 ? argv[1] : "127.0.0.1",
                       .port = argc > 2 ? std::stoi(argv[2]) : 6379,
                       .client_name = "example-sync"});
    db.set("example:session", "alice", {.ttl = std::chrono::seconds(60)});
    std::cout << "session = " << db.get("example:session").value_or("(none)") << "\n";
    std::cout << "updated = " << db.update("example:session", "bob") << "\n";
    std::cout << "ttl after update (ms) = " << db.ttl("example:session").count() << "\n";

    db.remove("example:jobs");
    db.push("example:jobs", {"a", "b", "c"});
    for (const std::string& job : db.pop("example:jobs", basalt::End::Head, 2)) {
      std::cout << "job " << job << "\n";
    }
    auto last = db.pop_blocking("example:jobs", std::chrono::seconds(1));
    std::cout << "last job = " << last.value_or("(timeout)") << "\n";

    basalt::Reply info = db.command({"DBSIZE"});
    std::cout << "DBSIZE -> " << info.to_string() << "\n";
    db.remove({"example:session", "example:jobs"});
    std::cout << "protocol RESP" << db.protocol() << "\nok\n";
  } catch (const basalt::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
