#include "server/resp_connection.hpp"

#include <algorithm>
#include <cstring>

#include "base/log.hpp"
#include "server/server.hpp"

namespace basalt {

RespConnection::RespConnection(Server& server)
    : StreamConnection(server, kRespListener),
      session_(server.engine().open_session(Frontend::kResp, this)),
      reply_(&output(), &session_->protocol),
      deferred_push_reply_(&deferred_pushes_, &session_->protocol) {
  apply_auth_limits();
}

void RespConnection::on_start() {
  // CLIENT LIST / INFO / KILL ADDR|LADDR see these.
  session_->addr = peer();
  session_->laddr = local();
  session_->fd = fd();
  session_->unix_socket = unix_socket();
}

void RespConnection::apply_auth_limits() {
  const Config& cfg = server().config();
  resp::ParserLimits limits;
  limits.max_bulk_len = static_cast<size_t>(cfg.proto_max_bulk_len);
  limits_authenticated_ = session_->authenticated;
  ever_authenticated_ = ever_authenticated_ || limits_authenticated_;
  // Until a client authenticates, only small requests are accepted (Redis 7's guard against
  // unauthenticated clients making the server buffer gigabytes), with Redis's error texts.
  limits.auth_required = !limits_authenticated_;
  parser_.set_limits(limits);
}

size_t RespConnection::query_buffer_bytes() const {
  return const_cast<RespConnection*>(this)->read_buffer().size();
}

size_t RespConnection::query_buffer_free() const {
  const ReadBuffer& in = const_cast<RespConnection*>(this)->read_buffer();
  return in.capacity() - in.size();
}

void RespConnection::drop_replies_since(size_t reply_start) {
  // CLIENT REPLY OFF/SKIP: the command ran, only its reply is withheld (Redis checks the same
  // flags when it queues a reply). Replies are appended in order, so the tail is this one's,
  // less the out-of-band data written meanwhile, which Redis never silences (its CLIENT_PUSHING):
  // those ranges move down over the dropped bytes, in order.
  std::string& out = output();
  size_t end = std::min(reply_start, out.size());
  for (auto [begin, stop] : kept_pushes_) {
    if (begin < reply_start || stop > out.size()) continue;
    std::memmove(out.data() + end, out.data() + begin, stop - begin);
    end += stop - begin;
  }
  out.resize(end);
  forget_kept_pushes();
  if (session_->skip_replies > 0) --session_->skip_replies;
}

ReplyBuilder& RespConnection::async_reply() {
  async_reply_start_ = output().size();
  rerun_ = true;
  // Ranges kept before this re-run lie before its start, and flushes since may have moved them.
  forget_kept_pushes();
  return reply_;
}

ReplyBuilder& RespConnection::push_reply() {
  if (executing_) {
    last_push_deferred_ = true;
    return deferred_push_reply_;
  }
  return push_as_reply();
}

ReplyBuilder& RespConnection::push_as_reply() {
  last_push_deferred_ = false;
  push_start_ = output().size();
  return reply_;
}

void RespConnection::forget_kept_pushes() {
  kept_pushes_.clear();
  // A command that pushed a great deal to its own client (its own keyspace events over a
  // million-key DEL) leaves no large table behind.
  if (kept_pushes_.capacity() > 64) kept_pushes_.shrink_to_fit();
}

void RespConnection::on_unblocked() {
  rerun_ = false;
  if (session_ != nullptr && session_->replies_off) drop_replies_since(async_reply_start_);
  forget_kept_pushes();
  // Never re-enter process_input from inside another client's command: the server resumes this
  // client in its check phase.
  server().queue_resume(this);
  request_flush();
}

void RespConnection::pushed() {
  // Deferred: process_input appends it after the reply, then flushes and checks the limits.
  if (executing_ && last_push_deferred_) return;
  // Written into the reply while this client's own command runs (a notice) or re-runs (until it
  // blocks again): only a reply CLIENT REPLY withholds needs the ranges to keep.
  const bool own_command =
      executing_ || (rerun_ && session_ != nullptr && session_->blocked == nullptr);
  if (own_command && (session_->replies_off || session_->skip_replies > 0)) {
    kept_pushes_.emplace_back(push_start_, output().size());
  }
  if (executing_) return;  // process_input flushes and checks the limits after the command
  // A subscriber or monitor that does not read is closed by the output limits, as any client,
  // but not from inside the command that fed it (which may be walking a table of subscribers).
  if (closed_for_output_limit(/*soon=*/true)) return;
  request_flush();
}

void RespConnection::on_close() {
  if (session_ != nullptr) {
    server().engine().close_session(session_);
    session_ = nullptr;
  }
}

// Replies a client that never authenticated may leave unread before it is closed: enough for any
// handshake (HELLO's reply is ~150 bytes), far too little to pile up NOAUTH errors without end.
// Redis closes such clients too (CVE-2025-21605), at about the same size.
constexpr size_t kUnauthOutputLimit = 16 * 1024;

bool RespConnection::output_over_limit() {
  const Config& cfg = server().config();
  size_t pending = pending_output();
  if (!ever_authenticated_ && pending > kUnauthOutputLimit) return true;
  // client-output-buffer-limit's class: a subscribed client is of class pubsub (Redis's
  // getClientType; a monitor stays normal).
  const OutputLimit& limit = session_ != nullptr && session_->in_pubsub()
                                 ? cfg.client_output_limit_pubsub
                                 : cfg.client_output_limit_normal;
  if (limit.hard > 0 && pending > static_cast<size_t>(limit.hard)) return true;
  if (limit.soft > 0 && pending > static_cast<size_t>(limit.soft)) {
    int64_t now = server().now_ms();
    if (soft_limit_since_ms_ == 0) soft_limit_since_ms_ = now;
    return now - soft_limit_since_ms_ > limit.soft_seconds * 1000;
  }
  soft_limit_since_ms_ = 0;
  return false;
}

bool RespConnection::closed_for_output_limit(bool soon) {
  if (close_pending() || !output_over_limit()) return false;
  BASALT_LOG(kWarning,
             "Client %s scheduled to be closed ASAP for overcoming of output buffer limits.",
             peer().c_str());
  if (soon) {
    close_soon();
  } else {
    close();
  }
  return true;
}

// Below this many keys the table and its entries mostly stay in cache (they take about 70 bytes a
// key; L2 is 512 KB a core on the development VM), and the hints cost more than they save: at
// -P 16 GET, 10,000 keys went 3% slower with them, 30,000 keys 3-9% faster, 100,000 keys 14-17%.
constexpr size_t kPrefetchMinKeys = 16384;
// Requests hinted at once: as many as a typical pipeline sends, and about as many cache misses
// as a core keeps in flight.
constexpr size_t kPrefetchWindow = 8;

void RespConnection::prefetch_next(std::string_view rest) {
  // A GET over a large keyspace waits on two cache misses, one after the other: the bucket slot,
  // then the entry it points to. With pipelined requests at hand, the hints go out for a window of
  // the next requests in two passes (every slot, then every entry from the slots the first pass
  // loaded), so each pass's misses overlap with each other and the second finds the first's loads
  // done but for the first few. The request that ends a window gives the next one's hints.
  // Argument 1 is the key of nearly every keyed command; for the others the hint is wasted, never
  // wrong. (A third pass for a TTL key's reference in the TTL index, read from the entries the
  // second loaded, measured no faster: 2026-12-06, README.)
  if (ahead_left_ > 0) {
    --ahead_left_;
    return;
  }
  const Dict& dict = server().engine().keyspace(*session_);
  if (dict.size() < kPrefetchMinKeys) return;
  uint64_t hashes[kPrefetchWindow];
  size_t keys = 0;
  size_t requests = 0;
  for (size_t at = 0; requests < kPrefetchWindow && at < rest.size(); ++requests) {
    std::string_view key;
    const size_t len = resp::PeekRequest(rest.substr(at), 1, &key);
    if (len == 0) break;  // not all there yet
    if (key.data() != nullptr) hashes[keys++] = dict.key_hash(key);
    at += len;
  }
  for (size_t i = 0; i < keys; ++i) dict.prefetch_slots(hashes[i]);
  for (size_t i = 0; i < keys; ++i) dict.prefetch_entries(hashes[i]);
  ahead_left_ = requests > 0 ? requests - 1 : 0;
}

void RespConnection::process_input() {
  Engine& engine = server().engine();
  ReadBuffer& in = read_buffer();
  bool produced = false;
  ahead_left_ = 0;  // the bytes may have moved since the last call
  const auto query_limit = static_cast<size_t>(server().config().client_query_buffer_limit);
  // Nothing runs once SHUTDOWN has been accepted, not even the rest of this pipeline.
  while (!closing() && !close_pending() && session_ != nullptr && !session_->blocked &&
         in.size() > 0 && !server().stopping()) {
    if (limits_authenticated_ != session_->authenticated) apply_auth_limits();
    resp::ParseStatus status = parser_.parse(in.unread());
    // One request over the limit closes the connection whether it arrived in many reads or in
    // one (then it parses whole, and only its size tells).
    const size_t request_bytes = status == resp::ParseStatus::kOk ? parser_.consumed() : in.size();
    if (status != resp::ParseStatus::kError && request_bytes > query_limit) {
      BASALT_LOG(kWarning, "Closing client that reached max query buffer length: %s (qbuf=%zu)",
                 peer().c_str(), request_bytes);
      close();
      return;
    }
    if (status == resp::ParseStatus::kNeedMore) break;
    if (status == resp::ParseStatus::kError) {
      // Redis replies with the protocol error, then closes the connection.
      BASALT_LOG(kVerbose, "Protocol error (%.*s) from client: %s",
                 static_cast<int>(parser_.error().size()), parser_.error().data(), peer().c_str());
      std::string text = "ERR " + std::string(parser_.error());
      reply_.error(text);
      close_after_flush();
      return;
    }
    // maxmemory-clients: as Redis's processCommand, the clients over the limit go before this
    // command runs, this one too if its arguments made it the largest.
    if (server().client_eviction_enabled()) {
      server().account_client_memory(this);
      server().evict_clients();
      if (closing()) return;
    }
    prefetch_next(in.unread().substr(parser_.consumed()));
    size_t reply_start = output().size();
    executing_ = true;
    engine.execute(*session_, parser_.args(), reply_);
    executing_ = false;
    ever_authenticated_ = ever_authenticated_ || session_->authenticated;
    if (session_->replies_off || session_->skip_replies > 0) drop_replies_since(reply_start);
    forget_kept_pushes();
    if (!deferred_pushes_.empty()) {
      output().append(deferred_pushes_);
      deferred_pushes_.clear();
      // A command that pushed a great deal to itself (its keyspace events over a million-key
      // DEL) leaves no large buffer behind.
      if (deferred_pushes_.capacity() > 64 * 1024) deferred_pushes_.shrink_to_fit();
    }
    in.consume(parser_.consumed());
    produced = true;
    if (session_->close_after_reply) {
      close_after_flush();
      return;
    }
    if (closed_for_output_limit()) return;
  }
  parser_.release_large_buffers();
  if (produced || !output().empty()) request_flush();
}

}  // namespace basalt
