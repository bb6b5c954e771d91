#pragma once
// Pub/Sub: who listens to which channel, pattern and shard channel, and the delivery of messages
// to them. The engine owns one; the pubsub family's commands and keyspace notifications use it.
// Messages go straight into each subscriber's output through its ClientLink, as RESP2 arrays or
// RESP3 pushes, in Redis's shapes (pubsub.c), so every Redis client library reads them.
//
// Only RESP clients subscribe: a Pub/Sub subscription outlives the request that made it, and an
// HTTP request gets exactly one response (Redis refuses SUBSCRIBE to its "deny blocking" clients,
// those that expect one reply per command, with the same error).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/strings.hpp"
#include "commands/session.hpp"

namespace basalt {

class PubSub {
 public:
  // Shard channels (SSUBSCRIBE, SPUBLISH) are a namespace of their own that patterns never match.
  enum class Scope : uint8_t { kGlobal, kShard };

  // Each call replies to the session as Redis does: one subscribe/unsubscribe push per channel
  // or pattern, with the session's subscription count after it. notify=false (RESET, a closing
  // connection) drops subscriptions without a word.
  void subscribe(Session& s, std::string_view channel, Scope scope);
  void unsubscribe(Session& s, std::string_view channel, Scope scope, bool notify = true);
  // Every channel of the scope; with none, one push with a nil channel (Redis "always replies").
  void unsubscribe_all(Session& s, Scope scope, bool notify = true);
  void psubscribe(Session& s, std::string_view pattern);
  void punsubscribe(Session& s, std::string_view pattern, bool notify = true);
  void punsubscribe_all(Session& s, bool notify = true);
  // Everything, silently: RESET and a closing connection.
  void drop(Session& s);

  // Sends message to the channel's subscribers and, for the global scope, to every session whose
  // pattern matches the channel. Returns how many deliveries were made (a session subscribed
  // to the channel and to two matching patterns counts three), PUBLISH's reply.
  size_t publish(std::string_view channel, std::string_view message, Scope scope = Scope::kGlobal);
  // Whether anyone listens at all: keyspace notifications skip building their channel names
  // when nobody does.
  bool empty() const { return channels_.empty() && patterns_.empty(); }

  // PUBSUB CHANNELS / SHARDCHANNELS / NUMSUB / SHARDNUMSUB / NUMPAT, INFO.
  size_t channel_count(Scope scope) const { return table(scope).size(); }
  size_t pattern_count() const { return patterns_.size(); }
  size_t subscriber_count(std::string_view channel, Scope scope) const;
  void for_each_channel(Scope scope, const std::function<void(std::string_view)>& fn) const;

 private:
  // Sessions in subscription order, as Redis's lists; a channel with none is erased, so that
  // channels nobody listens to cost nothing (Redis does the same, to bound PUBSUB's memory).
  using Subscribers = std::vector<Session*>;
  using Table = std::unordered_map<std::string, Subscribers, StringHash, std::equal_to<>>;

  Table& table(Scope scope) { return scope == Scope::kShard ? shard_channels_ : channels_; }
  const Table& table(Scope scope) const {
    return scope == Scope::kShard ? shard_channels_ : channels_;
  }
  static void remove_subscriber(Table& table, std::string_view name, const Session& s);
  // Writes one subscribe/unsubscribe notice ("subscribe", "psubscribe", ...) to the session.
  static void notice(Session& s, std::string_view kind, const std::string_view* name, size_t count);

  Table channels_;
  Table shard_channels_;
  Table patterns_;
};

}  // namespace basalt
