#include "basalt/client.hpp"

#include <array>

#include "connection.hpp"
#include "protocol/writer.hpp"

namespace basalt {

// ---- Client -------------------------------------------------------------------------------------

Client::Client(Options options) : options_(std::move(options)) {
  conn_ = std::make_unique<detail::Connection>(options_);
}

Client::~Client() = default;

Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

detail::Connection& Client::connection() {
  if (conn_ == nullptr || conn_->broken()) {
    conn_.reset();
    conn_ = std::make_unique<detail::Connection>(options_);
  }
  return *conn_;
}

bool Client::connected() const { return conn_ != nullptr && !conn_->broken(); }

void Client::close() { conn_.reset(); }

void Client::reconnect() {
  conn_.reset();
  connection();
}

int Client::protocol() const { return connected() ? conn_->protocol() : 0; }

Reply Client::roundtrip(std::span<const std::string_view> args, Ms blocking) {
  detail::Connection& conn = connection();
  out_.clear();
  resp::append_command(out_, args);
  return conn.roundtrip(out_, blocking);
}

std::vector<Reply> Client::run_batch(const detail::Batch& batch) {
  std::vector<Reply> replies;
  if (batch.count == 0) return replies;
  connection().exchange(batch.out, batch.count, replies, batch.blocking);
  return replies;
}

Pipeline Client::pipeline() { return Pipeline(this); }

Transaction Client::transaction(std::initializer_list<std::string_view> watch) {
  if (watch.size() == 0) return Transaction(this, false);
  detail::Args args{"WATCH"};
  args.add_all(watch);
  detail::expect_ok(roundtrip(args.view(), Ms::zero()));
  return Transaction(this, true);
}

std::optional<std::vector<Reply>> Client::transaction(
    const std::function<void(Transaction&)>& body, std::initializer_list<std::string_view> watch) {
  Transaction tx = transaction(watch);
  body(tx);
  return tx.execute();
}

ScanRange Client::scan(std::string_view pattern, size_t count, std::string_view type) {
  return ScanRange(this, std::string(pattern), count == 0 ? std::string() : std::to_string(count),
                   std::string(type));
}

// ---- Pipeline -----------------------------------------------------------------------------------

std::vector<Reply> Pipeline::execute() {
  std::vector<Reply> replies = client_->run_batch(batch_);
  batch_.clear();
  return replies;
}

// ---- Transaction --------------------------------------------------------------------------------

Transaction::Transaction(Transaction&& other) noexcept
    : client_(other.client_),
      watching_(std::exchange(other.watching_, false)),
      batch_(std::move(other.batch_)) {
  other.batch_.clear();
}

Transaction::~Transaction() {
  if (!watching_) return;
  try {
    if (client_->connected()) client_->roundtrip(std::array<std::string_view, 1>{"UNWATCH"}, {});
  } catch (const Error&) {
    // The connection is gone, and its watches with it.
  }
}

void Transaction::discard() {
  batch_.clear();
  if (watching_) {
    watching_ = false;
    detail::expect_ok(client_->roundtrip(std::array<std::string_view, 1>{"UNWATCH"}, {}));
  }
}

std::optional<std::vector<Reply>> Transaction::execute() {
  detail::Batch all;
  resp::append_command(all.out, {"MULTI"});
  all.out += batch_.out;
  resp::append_command(all.out, {"EXEC"});
  all.count = batch_.count + 2;
  all.blocking = batch_.blocking;
  batch_.clear();
  watching_ = false;  // EXEC ends the watches, whatever happens
  std::vector<Reply> replies = client_->run_batch(all);
  // replies: +OK, +QUEUED (or an error per refused command)..., then EXEC's reply.
  if (replies.front().is_error()) throw ServerError(replies.front().str());
  Reply& exec = replies.back();
  if (exec.is_error()) {
    // EXECABORT: say which command was refused, the useful part.
    std::string text = exec.str();
    for (size_t i = 1; i + 1 < replies.size(); ++i) {
      if (replies[i].is_error()) {
        text += " (command " + std::to_string(i) + ": " + replies[i].str() + ")";
        break;
      }
    }
    throw ServerError(std::move(text));
  }
  if (exec.is_nil()) return std::nullopt;
  if (exec.type() != Reply::Type::kArray) {
    throw ProtocolError("basalt: EXEC answered " + exec.to_string() + ", expected an array");
  }
  return std::move(exec.elements());
}

// ---- ScanRange ----------------------------------------------------------------------------------

ScanRange::ScanRange(Client* client, std::string pattern, std::string count, std::string type)
    : client_(client),
      pattern_(std::move(pattern)),
      count_(std::move(count)),
      type_(std::move(type)) {}

bool ScanRange::fetch() {
  batch_.clear();
  index_ = 0;
  while (batch_.empty()) {
    if (started_ && cursor_ == "0") return false;
    started_ = true;
    detail::Args args{"SCAN", cursor_};
    if (!pattern_.empty() && pattern_ != "*") args.add("MATCH").add(pattern_);
    if (!count_.empty()) args.add("COUNT").add(count_);
    if (!type_.empty()) args.add("TYPE").add(type_);
    Reply r = detail::reply_or_throw(client_->roundtrip(args.view(), {}));
    if (r.type() != Reply::Type::kArray || r.elements().size() != 2) {
      throw ProtocolError("basalt: SCAN answered " + r.to_string() + ", expected [cursor, keys]");
    }
    cursor_ = detail::string_value(std::move(r.elements()[0]));
    batch_ = detail::string_list(std::move(r.elements()[1]));
  }
  return true;
}

ScanRange::iterator ScanRange::begin() {
  started_ = false;
  cursor_ = "0";
  return iterator(fetch() ? this : nullptr);
}

const std::string& ScanRange::iterator::operator*() const { return range_->batch_[range_->index_]; }

ScanRange::iterator& ScanRange::iterator::operator++() {
  if (++range_->index_ >= range_->batch_.size() && !range_->fetch()) range_ = nullptr;
  return *this;
}

}  // namespace basalt
