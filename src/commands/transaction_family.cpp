// The transaction family: MULTI, EXEC, DISCARD, WATCH, UNWATCH. The engine does the queueing
// (a session in MULTI gets +QUEUED for everything but these control commands, and a command it
// refuses marks the transaction dirty) and runs the queue; these handlers own the state changes
// and EXEC's checks, in Redis's order.

#include "commands/engine.hpp"
#include "commands/error_texts.hpp"
#include "commands/families.hpp"

namespace basalt {

namespace {

// MULTI
void cmd_multi(CommandContext& ctx) {
  if (ctx.session.in_multi) {
    ctx.reply.error(err::kMultiNested);
    return;
  }
  ctx.session.in_multi = true;
  ctx.reply.ok();
}

// EXEC
void cmd_exec(CommandContext& ctx) {
  Session& s = ctx.session;
  if (!s.in_multi) {
    ctx.reply.error(err::kExecWithoutMulti);
    return;
  }
  // A queueing error outranks a touched key: the client learns its transaction was malformed.
  if (s.multi_dirty) {
    ctx.engine.discard_transaction(s);
    ctx.reply.error(err::kExecAbort);
    return;
  }
  // A watched key whose TTL passed since WATCH changed even if nothing has deleted it yet.
  if (s.watch_dirty || ctx.engine.watched_keys_expired(s)) {
    ctx.engine.discard_transaction(s);
    ctx.reply.null_array();
    return;
  }
  ctx.engine.execute_transaction(s, ctx.reply);
}

// DISCARD
void cmd_discard(CommandContext& ctx) {
  if (!ctx.session.in_multi) {
    ctx.reply.error(err::kDiscardWithoutMulti);
    return;
  }
  ctx.engine.discard_transaction(ctx.session);
  ctx.reply.ok();
}

// WATCH key [key ...]
void cmd_watch(CommandContext& ctx) {
  if (ctx.session.in_multi) {
    ctx.reply.error(err::kWatchInMulti);
    return;
  }
  // Already doomed: EXEC will fail whatever else is watched (Redis skips the work too).
  if (ctx.session.watch_dirty) {
    ctx.reply.ok();
    return;
  }
  Database& db = ctx.db();
  for (size_t i = 1; i < ctx.argc(); ++i) {
    // A key whose TTL has already passed is logically absent: delete it now, so that EXEC's
    // check for watched keys that expired only counts keys that expired after WATCH. Redis gets
    // the same result by flagging such keys as "expired when watched".
    db.find(ctx.arg(i));
    ctx.engine.watch(ctx.session, ctx.arg(i));
  }
  ctx.reply.ok();
}

// UNWATCH
void cmd_unwatch(CommandContext& ctx) {
  ctx.engine.unwatch_all(ctx.session);  // clears watch_dirty too
  ctx.reply.ok();
}

}  // namespace

void register_transactions(CommandTable& table) {
  constexpr uint32_t kControl = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy;
  constexpr std::string_view kGroup = "transactions";
  constexpr std::string_view kAcl = "@transaction";

  table.add({"multi", 1, kControl, 0, 0, 0, cmd_multi, kGroup,
             "Mark the start of a transaction block", kAcl});
  table.add({"exec", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdSkipSlowlog, 0, 0, 0, cmd_exec,
             kGroup, "Execute all commands issued after MULTI", kAcl});
  table.add({"discard", 1, kControl, 0, 0, 0, cmd_discard, kGroup,
             "Discard all commands issued after MULTI", kAcl});
  table.add({"watch", -2, kControl, 1, -1, 1, cmd_watch, kGroup,
             "Watch the given keys to determine execution of the MULTI/EXEC block", kAcl});
  table.add({"unwatch", 1, kControl, 0, 0, 0, cmd_unwatch, kGroup, "Forget about all watched keys",
             kAcl});
}

}  // namespace basalt
