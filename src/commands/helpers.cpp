#include "commands/helpers.hpp"

#include <cmath>

#include "base/strings.hpp"
#include "commands/error_texts.hpp"

namespace basalt {

bool parse_int_or_reply(CommandContext& ctx, std::string_view s, int64_t* out) {
  auto v = parse_int64(s);
  if (!v) {
    ctx.reply.error(err::kNotInteger);
    return false;
  }
  *out = *v;
  return true;
}

bool parse_int_min_or_reply(CommandContext& ctx, std::string_view s, int64_t min, int64_t* out,
                            std::string_view range_error) {
  auto v = parse_int64(s);
  if (!v || *v < min) {
    ctx.reply.error(range_error);
    return false;
  }
  *out = *v;
  return true;
}

bool parse_double_or_reply(CommandContext& ctx, std::string_view s, double* out) {
  auto v = parse_double(s);
  if (!v) {
    ctx.reply.error(err::kNotFloat);
    return false;
  }
  *out = *v;
  return true;
}

bool parse_timeout_or_reply(CommandContext& ctx, std::string_view s, int64_t* deadline) {
  // Redis 7: getTimeoutFromObjectOrReply with UNIT_SECONDS parses a long double.
  auto v = parse_long_double(s);
  if (!v || std::isinf(*v)) {
    ctx.reply.error(err::kTimeoutNotFloat);
    return false;
  }
  if (*v < 0) {
    ctx.reply.error(err::kTimeoutNegative);
    return false;
  }
  long double ms = std::ceil(*v * 1000.0L);
  if (ms > static_cast<long double>(INT64_MAX / 2)) {
    ctx.reply.error(err::kTimeoutOutOfRange);
    return false;
  }
  int64_t tms = static_cast<int64_t>(ms);
  *deadline = tms > 0 ? ctx.now_ms() + tms : 0;
  return true;
}

namespace {
Entry* check_type(CommandContext& ctx, Entry* e, ValueType type, bool* wrong_type) {
  *wrong_type = false;
  if (e != nullptr && e->value.type() != type) {
    *wrong_type = true;
    ctx.reply.error(err::kWrongType);
    return nullptr;
  }
  return e;
}
}  // namespace

Entry* find_typed_or_reply(CommandContext& ctx, std::string_view key, ValueType type,
                           bool* wrong_type) {
  return check_type(ctx, ctx.db().find(key), type, wrong_type);
}

Entry* find_typed_for_read_or_reply(CommandContext& ctx, std::string_view key, ValueType type,
                                    bool* wrong_type) {
  return check_type(ctx, ctx.db().find_read(key), type, wrong_type);
}

void propagate_expire_at(CommandContext& ctx, std::string_view key, int64_t when_ms) {
  if (ctx.db().already_expired(when_ms)) {
    ctx.propagate_as({ctx.config().lazyfree_lazy_expire == "yes" ? "UNLINK" : "DEL", key});
    return;
  }
  const std::string at = std::to_string(when_ms);
  ctx.propagate_as({"PEXPIREAT", key, at});
}

void after_elements_removed(Database& db, Entry* e, std::string_view key, uint32_t event_class,
                            std::string_view event, bool now_empty) {
  db.signal_modified(key);
  db.notify(event_class, event, key);
  if (now_empty) {
    db.erase(e);
    db.notify(kNotifyGeneric, "del", key);
  } else {
    db.refit(e);  // a packed hash or sorted set that shrank may fit a smaller entry
  }
}

bool expire_or_delete(Database& db, Entry* e, int64_t when_ms) {
  db.signal_modified(e->key());
  if (db.already_expired(when_ms)) {
    db.erase(e);
    return true;
  }
  db.set_expire(e, when_ms);
  return false;
}

bool delete_key(Database& db, std::string_view key) {
  if (!db.erase(key)) return false;
  db.signal_modified(key);
  db.notify(kNotifyGeneric, "del", key);
  return true;
}

std::optional<int64_t> expire_to_absolute_ms(int64_t value, int64_t unit_ms, bool absolute,
                                             int64_t now_ms) {
  // Redis rejects values whose conversion to ms, or addition of now, overflows.
  int64_t ms;
  if (__builtin_mul_overflow(value, unit_ms, &ms)) return std::nullopt;
  if (!absolute && __builtin_add_overflow(ms, now_ms, &ms)) return std::nullopt;
  return ms;
}

}  // namespace basalt
