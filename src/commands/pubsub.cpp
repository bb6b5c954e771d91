#include "commands/pubsub.hpp"

#include <algorithm>
#include <memory>

#include "commands/reply_builder.hpp"

namespace basalt {

namespace {

std::unordered_set<std::string>& own_channels(Session& s, PubSub::Scope scope) {
  return scope == PubSub::Scope::kShard ? s.subscriptions->shard_channels
                                        : s.subscriptions->channels;
}

// The count a (un)subscribe notice carries: shard channels count apart from the rest.
size_t notice_count(const Session& s, PubSub::Scope scope) {
  if (s.subscriptions == nullptr) return 0;
  return scope == PubSub::Scope::kShard ? s.subscriptions->shard_channels.size()
                                        : s.subscriptions->count();
}

std::string_view subscribe_kind(PubSub::Scope scope) {
  return scope == PubSub::Scope::kShard ? "ssubscribe" : "subscribe";
}

std::string_view unsubscribe_kind(PubSub::Scope scope) {
  return scope == PubSub::Scope::kShard ? "sunsubscribe" : "unsubscribe";
}

}  // namespace

void PubSub::notice(Session& s, std::string_view kind, const std::string_view* name, size_t count) {
  ReplyBuilder& r = s.link->push_as_reply();
  r.push(3);
  r.bulk(kind);
  if (name != nullptr) {
    r.bulk(*name);
  } else {
    r.null();
  }
  r.integer(static_cast<int64_t>(count));
  s.link->pushed();
}

void PubSub::remove_subscriber(Table& table, std::string_view name, const Session& s) {
  auto it = table.find(name);
  if (it == table.end()) return;
  Subscribers& subs = it->second;
  subs.erase(std::find(subs.begin(), subs.end(), &s));
  if (subs.empty()) table.erase(it);
}

void PubSub::subscribe(Session& s, std::string_view channel, Scope scope) {
  if (s.subscriptions == nullptr) s.subscriptions = std::make_unique<Subscriptions>();
  if (own_channels(s, scope).emplace(channel).second) {
    s.subscriptions->bytes += kSubscriptionOverhead + channel.size();
    Table& t = table(scope);
    auto it = t.find(channel);
    if (it == t.end()) it = t.emplace(std::string(channel), Subscribers{}).first;
    it->second.push_back(&s);
  }
  notice(s, subscribe_kind(scope), &channel, notice_count(s, scope));
}

void PubSub::unsubscribe(Session& s, std::string_view channel, Scope scope, bool notify) {
  if (s.subscriptions != nullptr) {
    auto& mine = own_channels(s, scope);
    auto it = mine.find(std::string(channel));
    if (it != mine.end()) {
      mine.erase(it);
      s.subscriptions->bytes -= kSubscriptionOverhead + channel.size();
      remove_subscriber(table(scope), channel, s);
    }
  }
  if (notify) notice(s, unsubscribe_kind(scope), &channel, notice_count(s, scope));
}

void PubSub::unsubscribe_all(Session& s, Scope scope, bool notify) {
  if (s.subscriptions == nullptr || own_channels(s, scope).empty()) {
    if (notify) notice(s, unsubscribe_kind(scope), nullptr, notice_count(s, scope));
    return;
  }
  auto& mine = own_channels(s, scope);
  const std::vector<std::string> names(mine.begin(), mine.end());
  for (const std::string& name : names) unsubscribe(s, name, scope, notify);
}

void PubSub::psubscribe(Session& s, std::string_view pattern) {
  if (s.subscriptions == nullptr) s.subscriptions = std::make_unique<Subscriptions>();
  std::vector<std::string>& mine = s.subscriptions->patterns;
  if (std::find(mine.begin(), mine.end(), pattern) == mine.end()) {
    mine.emplace_back(pattern);
    s.subscriptions->bytes += kSubscriptionOverhead + pattern.size();
    auto it = patterns_.find(pattern);
    if (it == patterns_.end()) it = patterns_.emplace(std::string(pattern), Subscribers{}).first;
    it->second.push_back(&s);
  }
  notice(s, "psubscribe", &pattern, notice_count(s, Scope::kGlobal));
}

void PubSub::punsubscribe(Session& s, std::string_view pattern, bool notify) {
  if (s.subscriptions != nullptr) {
    std::vector<std::string>& mine = s.subscriptions->patterns;
    auto it = std::find(mine.begin(), mine.end(), pattern);
    if (it != mine.end()) {
      // The name may be the argument's own storage: drop it from the tables before erasing it.
      remove_subscriber(patterns_, pattern, s);
      s.subscriptions->bytes -= kSubscriptionOverhead + pattern.size();
      mine.erase(it);
    }
  }
  if (notify) notice(s, "punsubscribe", &pattern, notice_count(s, Scope::kGlobal));
}

void PubSub::punsubscribe_all(Session& s, bool notify) {
  if (s.subscriptions == nullptr || s.subscriptions->patterns.empty()) {
    if (notify) notice(s, "punsubscribe", nullptr, notice_count(s, Scope::kGlobal));
    return;
  }
  const std::vector<std::string> names = s.subscriptions->patterns;
  for (const std::string& name : names) punsubscribe(s, name, notify);
}

void PubSub::drop(Session& s) {
  if (s.subscriptions == nullptr) return;
  for (const std::string& c : s.subscriptions->channels) remove_subscriber(channels_, c, s);
  for (const std::string& c : s.subscriptions->shard_channels) {
    remove_subscriber(shard_channels_, c, s);
  }
  for (const std::string& p : s.subscriptions->patterns) remove_subscriber(patterns_, p, s);
  s.subscriptions.reset();
}

size_t PubSub::publish(std::string_view channel, std::string_view message, Scope scope) {
  // ClientLink::pushed() never closes a connection on the spot (a subscriber over its output
  // limit is closed after this loop turn's commands), so the tables hold still while walked.
  size_t receivers = 0;
  const Table& t = table(scope);
  if (auto it = t.find(channel); it != t.end()) {
    const std::string_view kind = scope == Scope::kShard ? "smessage" : "message";
    for (Session* s : it->second) {
      ReplyBuilder& r = s->link->push_reply();
      r.push(3);
      r.bulk(kind);
      r.bulk(channel);
      r.bulk(message);
      s->link->pushed();
      ++receivers;
    }
  }
  if (scope == Scope::kShard) return receivers;
  for (const auto& [pattern, subs] : patterns_) {
    if (!glob_match(pattern, channel)) continue;
    for (Session* s : subs) {
      ReplyBuilder& r = s->link->push_reply();
      r.push(4);
      r.bulk("pmessage");
      r.bulk(pattern);
      r.bulk(channel);
      r.bulk(message);
      s->link->pushed();
      ++receivers;
    }
  }
  return receivers;
}

size_t PubSub::subscriber_count(std::string_view channel, Scope scope) const {
  const Table& t = table(scope);
  auto it = t.find(channel);
  return it == t.end() ? 0 : it->second.size();
}

void PubSub::for_each_channel(Scope scope, const std::function<void(std::string_view)>& fn) const {
  for (const auto& [name, subs] : table(scope)) fn(name);
}

}  // namespace basalt
