// The HyperLogLog family (Redis's hyperloglog.c commands): PFADD, PFCOUNT, PFMERGE, PFDEBUG and
// PFSELFTEST over string values in Redis's HYLL representation (store/hyperloglog.hpp). Replies,
// errors, and which command modifies which key follow Redis 7.0: PFCOUNT of one key writes its
// cardinality back into the header, so it is flagged may_replicate and its effect is recorded
// when it did.

#include "commands/hll_family.hpp"

#include <algorithm>
#include <cstring>
#include <random>
#include <string>

#include "base/strings.hpp"
#include "commands/command_table.hpp"
#include "commands/engine.hpp"
#include "commands/error_texts.hpp"
#include "commands/families.hpp"
#include "commands/op_status.hpp"
#include "store/database.hpp"
#include "store/entry.hpp"
#include "store/hyperloglog.hpp"

namespace basalt {

namespace {

// ================================ Op side: the store work ======================================

// Redis's isHLLObjectOrReply as a status.
OpStatus check_hll(const Entry* e) {
  if (!e->value.is_string()) return OpStatus::kWrongType;
  if (!hll::is_hll(e->value.str())) return OpStatus::kNotHll;
  return OpStatus::kOk;
}

// The value's bytes for writing in place.
char* writable(Entry* e) { return e->value.resize(e->value.str().size()); }

}  // namespace

OpResult<bool> op_pfadd(Database& db, std::string_view key,
                        std::span<const std::string_view> elements, int64_t sparse_max_bytes) {
  Entry* e = db.find(key);
  bool updated = false;
  if (e == nullptr) {
    e = db.add(key, Value(hll::new_sparse()));
    updated = true;
  } else if (OpStatus s = check_hll(e); s != OpStatus::kOk) {
    return s;
  }
  for (std::string_view element : elements) {
    const int r = hll::add(e->value, element, sparse_max_bytes);
    // As Redis, registers raised before a corrupt part was met stay raised, unsignalled.
    if (r < 0) return OpStatus::kHllCorrupt;
    if (r == 1) updated = true;
  }
  if (updated) {
    hll::invalidate_cache(writable(e));
    db.signal_modified(key);
    db.notify(kNotifyString, "pfadd", key);
  }
  return updated;
}

OpResult<uint64_t> op_pfcount(Database& db, std::span<const std::string_view> keys) {
  if (keys.size() > 1) {
    uint8_t max[hll::kRegisters] = {};
    for (std::string_view key : keys) {
      const Entry* e = db.find_read(key);
      if (e == nullptr) continue;  // an empty HLL
      if (OpStatus s = check_hll(e); s != OpStatus::kOk) return s;
      if (!hll::merge_into(max, e->value.str())) return OpStatus::kHllCorrupt;
    }
    return hll::count_registers(max);
  }
  Entry* e = db.find_read(keys[0]);
  if (e == nullptr) return uint64_t{0};
  if (OpStatus s = check_hll(e); s != OpStatus::kOk) return s;
  if (auto cached = hll::cached_card(e->value.str())) return *cached;
  auto card = hll::count(e->value.str());
  if (!card) return OpStatus::kHllCorrupt;
  hll::set_cached_card(writable(e), *card);
  db.signal_modified(keys[0]);
  return *card;
}

OpStatus op_pfmerge(Database& db, std::string_view dest, std::span<const std::string_view> sources,
                    int64_t sparse_max_bytes) {
  uint8_t max[hll::kRegisters] = {};
  bool use_dense = false;
  // The destination is read as a source first, as Redis's loop over argv[1..] does.
  auto merge = [&](std::string_view key) {
    const Entry* e = db.find_read(key);
    if (e == nullptr) return OpStatus::kOk;
    if (OpStatus s = check_hll(e); s != OpStatus::kOk) return s;
    if (hll::encoding(e->value.str()) == hll::kDense) use_dense = true;
    return hll::merge_into(max, e->value.str()) ? OpStatus::kOk : OpStatus::kHllCorrupt;
  };
  if (OpStatus s = merge(dest); s != OpStatus::kOk) return s;
  for (std::string_view key : sources) {
    if (OpStatus s = merge(key); s != OpStatus::kOk) return s;
  }
  Entry* e = db.find(dest);
  if (e == nullptr) e = db.add(dest, Value(hll::new_sparse()));
  if (use_dense && !hll::to_dense(e->value)) return OpStatus::kHllCorrupt;
  for (uint32_t j = 0; j < hll::kRegisters; ++j) {
    if (max[j] != 0) hll::set_register(e->value, j, max[j], sparse_max_bytes);
  }
  hll::invalidate_cache(writable(e));
  db.signal_modified(dest);
  db.notify(kNotifyString, "pfadd", dest);  // Redis's event for PFMERGE too: a mass-add
  return OpStatus::kOk;
}

namespace {

// ============================ Cmd side: arguments and replies ===================================

void reply_status(CommandContext& ctx, OpStatus status) {
  ctx.reply.error(op_status_error(status));
}

// PFADD key [element [element ...]]
void cmd_pfadd(CommandContext& ctx) {
  auto r = op_pfadd(ctx.db(), ctx.arg(1), ctx.argv.subspan(2), ctx.config().hll_sparse_max_bytes);
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(*r ? 1 : 0);
}

// PFCOUNT key [key ...]
void cmd_pfcount(CommandContext& ctx) {
  auto r = op_pfcount(ctx.db(), ctx.argv.subspan(1));
  if (!r.ok()) return reply_status(ctx, r.status());
  ctx.reply.integer(static_cast<int64_t>(*r));
}

// PFMERGE destkey [sourcekey [sourcekey ...]]
void cmd_pfmerge(CommandContext& ctx) {
  OpStatus s =
      op_pfmerge(ctx.db(), ctx.arg(1), ctx.argv.subspan(2), ctx.config().hll_sparse_max_bytes);
  if (s != OpStatus::kOk) return reply_status(ctx, s);
  ctx.reply.ok();
}

// PFDEBUG <GETREG | DECODE | ENCODING | TODENSE> key
void cmd_pfdebug(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  Database& db = ctx.db();
  Entry* e = db.find(ctx.arg(2));
  if (e == nullptr) return ctx.reply.error(err::kPfdebugNoKey);
  if (OpStatus s = check_hll(e); s != OpStatus::kOk) return reply_status(ctx, s);
  const bool sparse = hll::encoding(e->value.str()) == hll::kSparse;
  if (iequals(sub, "GETREG") || iequals(sub, "TODENSE")) {
    // Both leave the value dense: a change of bytes, recorded like any write.
    if (sparse) {
      if (!hll::to_dense(e->value)) return ctx.reply.error(err::kHllCorrupt);
      db.signal_modified(ctx.arg(2));
    }
    if (iequals(sub, "TODENSE")) return ctx.reply.integer(sparse ? 1 : 0);
    const auto* registers =
        reinterpret_cast<const uint8_t*>(e->value.str().data()) + hll::kHeaderSize;
    ctx.reply.array(hll::kRegisters);
    for (uint32_t j = 0; j < hll::kRegisters; ++j) ctx.reply.integer(hll::dense_get(registers, j));
  } else if (iequals(sub, "DECODE")) {
    if (!sparse) return ctx.reply.error(err::kHllNotSparse);
    ctx.reply.bulk(hll::decode_sparse(e->value.str()));
  } else if (iequals(sub, "ENCODING")) {
    ctx.reply.simple(sparse ? "sparse" : "dense");
  } else {
    std::string text = "ERR Unknown PFDEBUG subcommand '";
    text.append(sub);
    text += '\'';
    // An error is one line: the client's bytes may not break it.
    std::replace_if(
        text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
    ctx.reply.error(text);
  }
}

// PFSELFTEST
void cmd_pfselftest(CommandContext& ctx) {
  std::random_device rd;
  const uint64_t seed = (static_cast<uint64_t>(rd()) << 32) | rd();
  auto failure = hll::self_test(ctx.config().hll_sparse_max_bytes, seed);
  if (failure) return ctx.reply.error(*failure);
  ctx.reply.ok();
}

}  // namespace

void register_hyperloglog(CommandTable& table) {
  constexpr std::string_view kGroup = "hyperloglog";
  constexpr std::string_view kAcl = "@hyperloglog";
  constexpr uint32_t kW = kCmdWrite, kR = kCmdReadonly, kOom = kCmdDenyOom, kFast = kCmdFast;
  const CommandSpec specs[] = {
      {"pfadd", -2, kW | kOom | kFast, 1, 1, 1, cmd_pfadd, kGroup,
       "Adds the specified elements to the specified HyperLogLog.", kAcl},
      {"pfcount", -2, kR | kCmdMayReplicate, 1, -1, 1, cmd_pfcount, kGroup,
       "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
       kAcl},
      {"pfmerge", -2, kW | kOom, 1, -1, 1, cmd_pfmerge, kGroup,
       "Merge N different HyperLogLogs into a single one.", kAcl},
      {"pfdebug", 3, kW | kOom | kCmdAdmin, 2, 2, 1, cmd_pfdebug, kGroup,
       "Internal commands for debugging HyperLogLog values", kAcl},
      {"pfselftest", 1, kCmdAdmin, 0, 0, 0, cmd_pfselftest, kGroup,
       "An internal command for testing HyperLogLog values", kAcl},
  };
  for (const CommandSpec& spec : specs) table.add(spec);
}

}  // namespace basalt
