// The persistence family: SAVE, BGSAVE, BGREWRITEAOF, LASTSAVE. The work is Persistence's
// (persistence.hpp); these only parse and reply, with Redis's texts.

#include "commands/engine.hpp"
#include "commands/error_texts.hpp"
#include "commands/families.hpp"

namespace basalt {

namespace {

// A Persistence answer: an error when it starts with "ERR", else a status line.
void reply_text(CommandContext& ctx, const std::string& text) {
  if (text == "ERR" || text.starts_with("ERR ")) {
    ctx.reply.error(text);
  } else {
    ctx.reply.simple(text);
  }
}

// SAVE
void cmd_save(CommandContext& ctx) {
  if (auto error = ctx.engine.persistence().save()) return reply_text(ctx, *error);
  ctx.reply.ok();
}

// BGSAVE [SCHEDULE]
void cmd_bgsave(CommandContext& ctx) {
  bool schedule = false;
  if (ctx.argc() > 1) {
    if (ctx.argc() != 2 || !iequals(ctx.arg(1), "schedule")) return ctx.reply.error(err::kSyntax);
    schedule = true;
  }
  // Inside EXEC a save may not start in the middle of the transaction: Redis schedules it.
  reply_text(ctx, ctx.engine.persistence().bgsave(schedule));
}

// BGREWRITEAOF
void cmd_bgrewriteaof(CommandContext& ctx) {
  reply_text(ctx, ctx.engine.persistence().bgrewriteaof());
}

// LASTSAVE
void cmd_lastsave(CommandContext& ctx) { ctx.reply.integer(ctx.engine.persistence().lastsave()); }

}  // namespace

void register_persistence(CommandTable& table) {
  constexpr uint32_t kAdmin = kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading;
  table.add({"save", 1, kAdmin | kCmdNoMulti, 0, 0, 0, cmd_save, "server",
             "Synchronously save the dataset to disk"});
  table.add({"bgsave", -1, kAdmin, 0, 0, 0, cmd_bgsave, "server",
             "Asynchronously save the dataset to disk"});
  table.add({"bgrewriteaof", 1, kAdmin, 0, 0, 0, cmd_bgrewriteaof, "server",
             "Asynchronously rewrite the append-only file"});
  table.add({"lastsave", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, cmd_lastsave, "server",
             "Get the UNIX time stamp of the last successful save to disk", "@admin @dangerous"});
}

}  // namespace basalt
