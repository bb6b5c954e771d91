#pragma once
// The write-effect channel: the one place where every effective write is recorded, as the command
// vector that replays it (Redis's call() + alsoPropagate(), Dragonfly's journal). The dispatcher
// feeds it after each command; handlers only say how their effect differs from their arguments
// (CommandContext::propagate_as). Consumers follow it as a stream: the AOF now, replicas and
// keyspace notifications later, each from an offset.
//
// What goes in, whatever the front end (RESP or HTTP):
// - a write command that changed the keyspace, with relative times made absolute and other
//   non-replayable effects rewritten (SET k v EX 10 -> SET k v PXAT <ms>; BLPOP -> LPOP);
// - nothing for a write that changed nothing (SET NX on an existing key, DEL of absent keys);
// - keys deleted by lazy or active expiry, as DEL;
// - the writes of MULTI/EXEC wrapped in MULTI ... EXEC (only when it wrote anything).
// Every vector advances the offset by its size in RESP, as Redis's master_repl_offset counts the
// replication stream, so a replica can later ask to resume from a byte offset.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace basalt {

class EffectConsumer {
 public:
  virtual ~EffectConsumer() = default;
  // One effect: argv replays it in database db. `offset` is the stream's offset after it.
  virtual void on_effect(uint64_t offset, int db, std::span<const std::string_view> argv) = 0;
  // The loop turn's commands have all run, and their replies are about to be sent: a consumer
  // that must be durable before replies leave (appendfsync always) makes it so here.
  virtual void on_turn_end() {}
};

class EffectStream {
 public:
  void add_consumer(EffectConsumer* consumer);
  void remove_consumer(EffectConsumer* consumer);
  bool has_consumers() const { return !consumers_.empty(); }

  void emit(int db, std::span<const std::string_view> argv);
  void emit(int db, std::initializer_list<std::string_view> argv) {
    emit(db, std::span<const std::string_view>(argv.begin(), argv.size()));
  }
  void turn_end();

  // Bytes of RESP emitted since the server started.
  uint64_t offset() const { return offset_; }
  // The RESP size of one command vector (*N, then $len and the bytes of each argument).
  static uint64_t resp_size(std::span<const std::string_view> argv);

 private:
  std::vector<EffectConsumer*> consumers_;
  uint64_t offset_ = 0;
};

}  // namespace basalt
