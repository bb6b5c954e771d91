// The Pub/Sub family: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE,
// PUBLISH, SPUBLISH and the PUBSUB container. The subscriptions and the delivery live in PubSub
// (pubsub.hpp); these handlers only read arguments and ask it.

#include <cctype>
#include <iterator>
#include <string>
#include <string_view>

#include "base/strings.hpp"
#include "commands/engine.hpp"
#include "commands/error_texts.hpp"
#include "commands/families.hpp"

namespace basalt {

namespace {

using Scope = PubSub::Scope;

// A subscription outlives the request that made it; an HTTP request gets one response. Redis
// refuses SUBSCRIBE to its clients that expect one reply per command the same way.
bool refused_off_resp(CommandContext& ctx) {
  if (ctx.session.frontend == Frontend::kResp) return false;
  std::string name = ctx.command.full_name;
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ctx.reply.error("ERR " + name +
                  " needs a RESP connection: a subscription outlives an HTTP request");
  return true;
}

void cmd_subscribe(CommandContext& ctx) {
  if (refused_off_resp(ctx)) return;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    ctx.engine.pubsub().subscribe(ctx.session, ctx.arg(i), Scope::kGlobal);
  }
}

void cmd_ssubscribe(CommandContext& ctx) {
  if (refused_off_resp(ctx)) return;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    ctx.engine.pubsub().subscribe(ctx.session, ctx.arg(i), Scope::kShard);
  }
}

void unsubscribe(CommandContext& ctx, Scope scope) {
  if (refused_off_resp(ctx)) return;
  PubSub& ps = ctx.engine.pubsub();
  if (ctx.argc() == 1) {
    ps.unsubscribe_all(ctx.session, scope);
    return;
  }
  for (size_t i = 1; i < ctx.argc(); ++i) ps.unsubscribe(ctx.session, ctx.arg(i), scope);
}

void cmd_unsubscribe(CommandContext& ctx) { unsubscribe(ctx, Scope::kGlobal); }
void cmd_sunsubscribe(CommandContext& ctx) { unsubscribe(ctx, Scope::kShard); }

void cmd_psubscribe(CommandContext& ctx) {
  if (refused_off_resp(ctx)) return;
  for (size_t i = 1; i < ctx.argc(); ++i) ctx.engine.pubsub().psubscribe(ctx.session, ctx.arg(i));
}

void cmd_punsubscribe(CommandContext& ctx) {
  if (refused_off_resp(ctx)) return;
  PubSub& ps = ctx.engine.pubsub();
  if (ctx.argc() == 1) {
    ps.punsubscribe_all(ctx.session);
    return;
  }
  for (size_t i = 1; i < ctx.argc(); ++i) ps.punsubscribe(ctx.session, ctx.arg(i));
}

// PUBLISH channel message. Nothing reaches the AOF: a message is not data (Redis sends PUBLISH
// to replicas only, and Basalt has none).
void cmd_publish(CommandContext& ctx) {
  ctx.reply.integer(
      static_cast<int64_t>(ctx.engine.pubsub().publish(ctx.arg(1), ctx.arg(2), Scope::kGlobal)));
}

void cmd_spublish(CommandContext& ctx) {
  ctx.reply.integer(
      static_cast<int64_t>(ctx.engine.pubsub().publish(ctx.arg(1), ctx.arg(2), Scope::kShard)));
}

// PUBSUB CHANNELS|SHARDCHANNELS [pattern]
void list_channels(CommandContext& ctx, Scope scope) {
  if (ctx.argc() > 3) {
    ctx.reply.error(err::subcommand_syntax(ctx.arg(0), ctx.arg(1)));
    return;
  }
  std::vector<std::string_view> names;
  ctx.engine.pubsub().for_each_channel(scope, [&](std::string_view name) {
    if (ctx.argc() == 2 || glob_match(ctx.arg(2), name)) names.push_back(name);
  });
  ctx.reply.array(names.size());
  for (std::string_view name : names) ctx.reply.bulk(name);
}

void cmd_pubsub_channels(CommandContext& ctx) { list_channels(ctx, Scope::kGlobal); }
void cmd_pubsub_shardchannels(CommandContext& ctx) { list_channels(ctx, Scope::kShard); }

// PUBSUB NUMSUB|SHARDNUMSUB [channel ...]: channel, count pairs in a flat array, as Redis.
void count_subscribers(CommandContext& ctx, Scope scope) {
  ctx.reply.array((ctx.argc() - 2) * 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.reply.bulk(ctx.arg(i));
    ctx.reply.integer(
        static_cast<int64_t>(ctx.engine.pubsub().subscriber_count(ctx.arg(i), scope)));
  }
}

void cmd_pubsub_numsub(CommandContext& ctx) { count_subscribers(ctx, Scope::kGlobal); }
void cmd_pubsub_shardnumsub(CommandContext& ctx) { count_subscribers(ctx, Scope::kShard); }

void cmd_pubsub_numpat(CommandContext& ctx) {
  ctx.reply.integer(static_cast<int64_t>(ctx.engine.pubsub().pattern_count()));
}

void cmd_pubsub_help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: '*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.array(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.simple(line);
}

}  // namespace

void register_pubsub(CommandTable& table) {
  constexpr std::string_view kGroup = "pubsub";
  constexpr uint32_t kListen = kCmdPubsub | kCmdNoScript | kCmdLoading | kCmdStale;
  constexpr uint32_t kInContext = kListen | kCmdPubsubContext;
  constexpr uint32_t kSend = kCmdPubsub | kCmdLoading | kCmdStale | kCmdFast | kCmdMayReplicate;
  table.add({"subscribe", -2, kInContext, 0, 0, 0, cmd_subscribe, kGroup,
             "Listen for messages published to the given channels"});
  table.add({"unsubscribe", -1, kInContext, 0, 0, 0, cmd_unsubscribe, kGroup,
             "Stop listening for messages posted to the given channels"});
  table.add({"psubscribe", -2, kInContext, 0, 0, 0, cmd_psubscribe, kGroup,
             "Listen for messages published to channels matching the given patterns"});
  table.add({"punsubscribe", -1, kInContext, 0, 0, 0, cmd_punsubscribe, kGroup,
             "Stop listening for messages posted to channels matching the given patterns"});
  // Shard channels name a cluster slot the way keys do (Redis's not_key key specs).
  table.add({"ssubscribe", -2, kInContext, 1, -1, 1, cmd_ssubscribe, kGroup,
             "Listen for messages published to the given shard channels"});
  table.add({"sunsubscribe", -1, kInContext, 1, -1, 1, cmd_sunsubscribe, kGroup,
             "Stop listening for messages posted to the given shard channels"});
  table.add({"publish", 3, kSend, 0, 0, 0, cmd_publish, kGroup, "Post a message to a channel"});
  table.add(
      {"spublish", 3, kSend, 1, 1, 1, cmd_spublish, kGroup, "Post a message to a shard channel"});

  table.add({"pubsub", -2, 0, 0, 0, 0, nullptr, kGroup, "A container for Pub/Sub commands"});
  constexpr uint32_t kIntrospect = kCmdPubsub | kCmdLoading | kCmdStale;
  const CommandSpec subcommands[] = {
      {"channels", -2, kIntrospect, 0, 0, 0, cmd_pubsub_channels, kGroup, "List active channels"},
      {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, cmd_pubsub_help, kGroup,
       "Show helpful text about the different subcommands"},
      {"numpat", 2, kIntrospect, 0, 0, 0, cmd_pubsub_numpat, kGroup,
       "Get the count of unique patterns pattern subscriptions"},
      {"numsub", -2, kIntrospect, 0, 0, 0, cmd_pubsub_numsub, kGroup,
       "Get the count of subscribers for channels"},
      {"shardchannels", -2, kIntrospect, 0, 0, 0, cmd_pubsub_shardchannels, kGroup,
       "List active shard channels"},
      {"shardnumsub", -2, kIntrospect, 0, 0, 0, cmd_pubsub_shardnumsub, kGroup,
       "Get the count of subscribers for shard channels"},
  };
  for (const CommandSpec& spec : subcommands) table.add_subcommand("pubsub", spec);
}

}  // namespace basalt
