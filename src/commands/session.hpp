#pragma once
// A client's state as commands see it, whichever front end it came through: selected database,
// protocol, authentication, name, transaction queue, watched keys, and what it is blocked on.

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "store/value.hpp"

namespace basalt {

class ReplyBuilder;

// What the engine may ask of the front end that owns a session.
class ClientLink {
 public:
  virtual ~ClientLink() = default;
  // Where replies that arrive later go (a blocked command served or timed out).
  virtual ReplyBuilder& async_reply() = 0;
  // Where out-of-band data goes (a Pub/Sub notice or message, a MONITOR line), each frame
  // followed by pushed().
  virtual ReplyBuilder& push_reply() { return async_reply(); }
  // (UN)SUBSCRIBE's notices: push frames that are the command's own reply (Redis's
  // cmdHasPushAsReply), so they stay where the reply goes (inside EXEC's array too) where other
  // push frames for the client running the command wait for its reply to end.
  virtual ReplyBuilder& push_as_reply() { return push_reply(); }
  // The blocked command has replied: flush it and resume the client's pipelined requests.
  virtual void on_unblocked() = 0;
  // CLIENT KILL: close the connection (after this loop turn; never from inside a handler's caller).
  virtual void kill() = 0;
  virtual size_t query_buffer_bytes() const = 0;
  // Room allocated beyond the unread bytes (CLIENT LIST's qbuf-free, Redis's sdsavail).
  virtual size_t query_buffer_free() const { return 0; }
  virtual size_t output_buffer_bytes() const = 0;
  // Out-of-band data was appended through push_reply() (a MONITOR line, a Pub/Sub message):
  // flush it soon. Such data is never silenced by CLIENT REPLY OFF/SKIP, as in Redis, even when it
  // was written while this client's own command ran (a message published to itself). It never
  // closes the connection on the spot (a client over its output limit goes after the loop
  // turn's commands): the caller may be walking a table that holds this session.
  virtual void pushed() {}
};

enum class Frontend : uint8_t { kResp, kHttp, kInternal };

// Reply sent when a blocked command times out: BLPOP-like commands send a nil array, BLMOVE-like
// commands a nil bulk, WAIT the number of replicas that acknowledged (none: Basalt has none).
enum class TimeoutReply : uint8_t { kNullArray, kNull, kZero };

struct BlockState {
  std::vector<std::string> argv;  // the command, re-run when one of its keys gets elements
  std::vector<std::string> keys;
  int db = 0;
  int64_t deadline_ms = 0;  // 0: no timeout
  TimeoutReply timeout_reply = TimeoutReply::kNullArray;
  // The type it pops (BLPOP a list, BZPOPMIN a sorted set): a key that gets a value of another
  // type does not wake it, as Redis serves each client only from keys of its blocking type.
  ValueType value_type = ValueType::kList;
  // Held by CLIENT PAUSE rather than waiting for a key: the command has not run yet.
  bool postponed = false;
};

// What one watched key or one subscription costs beyond its name's bytes: the session's record
// and its slot in the engine's table (an estimate, as Redis counts a list node and a struct per
// entry), so that maxmemory-clients sees a client that watches or subscribes without end.
inline constexpr size_t kWatchEntryOverhead = 64;
inline constexpr size_t kSubscriptionOverhead = 64;

// What a client listens to (Pub/Sub): channels and shard channels in hash sets, as Redis keeps
// them; patterns in subscription order, as Redis's list.
struct Subscriptions {
  std::unordered_set<std::string> channels;
  std::vector<std::string> patterns;
  std::unordered_set<std::string> shard_channels;
  // What these subscriptions cost, as maxmemory-clients and CLIENT LIST's tot-mem count them.
  size_t bytes = 0;

  // The count SUBSCRIBE/PSUBSCRIBE replies carry (Redis's clientSubscriptionsCount); shard
  // channels count apart (SSUBSCRIBE's replies).
  size_t count() const { return channels.size() + patterns.size(); }
  size_t total() const { return count() + shard_channels.size(); }
};

struct Session {
  uint64_t id = 0;
  Frontend frontend = Frontend::kResp;
  ClientLink* link = nullptr;
  int db = 0;
  int protocol = 2;
  bool authenticated = false;
  bool readonly_only = false;  // HTTP read-only token
  bool close_after_reply = false;
  bool monitor = false;      // MONITOR: receives the command feed; keyspace commands are refused
  bool no_evict = false;     // CLIENT NO-EVICT ON: maxmemory-clients never closes it
  bool unix_socket = false;  // connected through `unixsocket` (CLIENT LIST's flag U)
  // CLIENT REPLY: the RESP front end drops every reply while `replies_off`, and one reply per
  // unit of `skip_replies` (CLIENT REPLY SKIP sets 2: its own reply and the next command's).
  bool replies_off = false;
  uint8_t skip_replies = 0;
  std::string name, lib_name, lib_ver;
  std::string addr, laddr;
  int fd = -1;
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  std::string last_command = "NULL";

  // MULTI ... EXEC
  bool in_multi = false;
  bool multi_dirty = false;  // a queued command was rejected: EXEC answers EXECABORT
  std::vector<std::vector<std::string>> queued;
  size_t queued_bytes = 0;  // the queued arguments' bytes (CLIENT LIST's multi-mem)

  // WATCH. expired: the key there had already expired when it came under watch, which only
  // SWAPDB brings (WATCH deletes such a key first); it is no change until a live key takes its
  // place (Redis's watchedKey.expired).
  struct WatchedKey {
    int db;
    std::string key;
    bool expired = false;
    Session* session = nullptr;  // the watcher, for the engine's key -> watchers table
  };
  bool watch_dirty = false;
  // A deque: the engine's table points at its elements, which push_back never moves.
  std::deque<WatchedKey> watched;
  size_t watched_bytes = 0;  // what the watches cost (maxmemory-clients, tot-mem)

  // Blocking commands (BLPOP ...): set while the client waits; the front end stops reading.
  std::unique_ptr<BlockState> blocked;

  // Pub/Sub (pubsub.hpp): null until the client first subscribes.
  std::unique_ptr<Subscriptions> subscriptions;
  // Subscribed to something: Redis's CLIENT_PUBSUB (a RESP2 client may then run only the
  // (un)subscribe commands, PING, QUIT and RESET; CLIENT LIST's flag P; the pubsub output limits).
  bool in_pubsub() const { return subscriptions != nullptr && subscriptions->total() > 0; }

  // What the client's state holds beyond its buffers: a queued transaction, watches and
  // subscriptions (Redis's multi-state and pubsub overheads in getClientMemoryUsage).
  size_t state_bytes() const {
    return queued_bytes + watched_bytes + (subscriptions != nullptr ? subscriptions->bytes : 0);
  }
};

}  // namespace basalt
