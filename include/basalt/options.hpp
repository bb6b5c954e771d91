// Connection options shared by Client, ClientPool and AsyncClient, and the option structs of
// individual commands.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace basalt {

// Where and how to connect. Designated initializers read best:
//   basalt::Client db({.host = "10.0.0.5", .port = 6380, .password = "s3cret", .database = 2});
struct Options {
  // TCP host name or address. Ignored when unix_socket is set.
  std::string host = "127.0.0.1";
  // TCP port.
  int port = 6379;
  // Path of a Unix domain socket; when non-empty it is used instead of host and port.
  std::string unix_socket = {};
  // ACL user name for AUTH; empty means the "default" user (password-only AUTH).
  std::string user = {};
  // Password for AUTH; empty means no authentication.
  std::string password = {};
  // Logical database selected after connecting (SELECT), 0 by default.
  int database = 0;
  // Name given to the connection (CLIENT SETNAME, shown by CLIENT LIST); empty for none.
  std::string client_name = {};
  // Limit on establishing the connection, handshake included. Zero means no limit.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(5);
  // Limit on a request's whole exchange, from sending it to the last byte of its reply (for a
  // pipeline or transaction, of all its replies). Zero means no limit. A blocking command
  // (pop_blocking) gets its own timeout added. On expiry the request fails with TimeoutError and
  // the connection closes.
  std::chrono::milliseconds command_timeout = std::chrono::seconds(30);
  // Disable Nagle's algorithm (TCP_NODELAY). On by default: requests are already batched.
  bool tcp_nodelay = true;
  // TCP keepalive probes after this much idle time; zero disables keepalive.
  std::chrono::seconds keepalive = std::chrono::seconds(60);
  // After sending, wait for the reply by polling the socket without sleeping for up to this long,
  // then sleep in the kernel as usual (Linux's SO_BUSY_POLL, done by the client). Zero, the
  // default, sleeps at once. On a virtual machine, waking a sleeping CPU is a large part of a
  // local round trip; spinning saves it at the price of the waiting thread's CPU (an AsyncClient
  // keeps its whole loop polling while requests are in flight, at most this long after each
  // write). Worth it where a core is free for it: see the README's client numbers.
  std::chrono::microseconds busy_poll = std::chrono::microseconds::zero();
  // RESP version to ask for with HELLO: 3 (falls back to 2 on a server that refuses HELLO 3) or 2
  // (no HELLO is sent; AUTH and CLIENT SETNAME are used instead).
  int protocol = 3;
};

// Enumerators are named as the API reads (End::Head), not kName, on purpose.
// Which end of a list: Head is the left (LPUSH, LPOP), Tail the right (RPUSH, RPOP).
enum class End : uint8_t { Head, Tail };

// Where LINSERT puts the new element relative to the pivot.
enum class Where : uint8_t { Before, After };

// Condition of a SET.
enum class Condition : uint8_t {
  Always,     // no condition
  IfMissing,  // NX: only if the key does not exist
  IfExists,   // XX: only if the key exists
};

// Options of Client::set and friends (SET key value [NX|XX] [EX|PX|KEEPTTL]).
struct SetOptions {
  // Time to live; sent as EX when a whole number of seconds, PX otherwise. Unset: no TTL (the key
  // loses any TTL it had, unless keep_ttl).
  std::optional<std::chrono::milliseconds> ttl = std::nullopt;
  // NX / XX.
  Condition condition = Condition::Always;
  // KEEPTTL: keep the key's current TTL. Not combinable with ttl or expire_at.
  bool keep_ttl = false;
  // EXAT / PXAT: expire at this wall-clock time (sent as EXAT when a whole second). Not
  // combinable with ttl.
  std::optional<std::chrono::system_clock::time_point> expire_at = std::nullopt;
};

// Score condition of a ZADD (GT / LT).
enum class ScoreCondition : uint8_t {
  Always,     // no condition
  IfGreater,  // GT: only update a score to a greater one
  IfLess,     // LT: only update a score to a lesser one
};

// Options of Client::zadd (ZADD key [NX|XX] [GT|LT] [CH] score member ...).
struct ZAddOptions {
  // NX: only add new members; XX: only update existing ones.
  Condition condition = Condition::Always;
  // GT / LT: only update a score to a greater (lesser) one; new members are still added (not
  // combinable with NX).
  ScoreCondition score_condition = ScoreCondition::Always;
  // CH: count changed scores as well as new members in the result.
  bool changed = false;
};

// Condition of an EXPIRE (Redis 7's NX / XX / GT / LT).
enum class ExpireCondition : uint8_t {
  Always,     // no condition
  IfNoTtl,    // NX: only if the key has no TTL
  IfHasTtl,   // XX: only if the key has a TTL
  IfGreater,  // GT: only if the new TTL is greater than the current one
  IfLess,     // LT: only if the new TTL is less than the current one
};

}  // namespace basalt
