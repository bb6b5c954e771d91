#include "persistence/aof_base_writer.hpp"

#include <unistd.h>

#include <algorithm>
#include <vector>

#include "base/strings.hpp"
#include "persistence/aof_reader.hpp"
#include "store/entry.hpp"
#include "store/hash.hpp"
#include "store/list.hpp"
#include "store/set.hpp"
#include "store/zset.hpp"

namespace basalt {

namespace {
constexpr size_t kBufferBytes = 64 * 1024;
}

AofBaseWriter::~AofBaseWriter() {
  if (file_.is_open() && !finished_) abandon();
}

std::optional<std::string> AofBaseWriter::open(const std::string& path, bool incremental_fsync) {
  incremental_fsync_ = incremental_fsync;
  buf_->clear();
  error_.reset();
  bytes_ = synced_at_ = 0;
  finished_ = false;
  list_remaining_ = list_count_ = 0;
  current_db_ = -1;
  return file_.open(path);
}

void AofBaseWriter::write_bulk(std::string_view s) {
  *buf_ += '$';
  append_int64(*buf_, static_cast<int64_t>(s.size()));
  *buf_ += "\r\n";
  *buf_ += s;
  *buf_ += "\r\n";
}

void AofBaseWriter::maybe_flush() {
  if (!own_file_ || buf_->size() < kBufferBytes) return;
  if (!error_) error_ = file_.write(*buf_);
  bytes_ += buf_->size();
  buf_->clear();
  if (!error_ && incremental_fsync_ && bytes_ - synced_at_ >= kIncrementalFsyncBytes) {
    error_ = file_.sync();
    synced_at_ = bytes_;
  }
}

void AofBaseWriter::check_list_done() {
  if (list_remaining_ != 0 && !error_)
    error_ = "the list " + list_key_ + " got fewer elements than announced";
  list_remaining_ = 0;
}

void AofBaseWriter::select(int db) {
  check_list_done();
  current_db_ = db;
  append_aof_select(*buf_, db);
  maybe_flush();
}

void AofBaseWriter::timestamp(int64_t unix_s) {
  append_aof_timestamp(*buf_, unix_s);
  maybe_flush();
}

void AofBaseWriter::set(std::string_view key, std::string_view value) {
  check_list_done();
  const std::string_view argv[] = {"SET", key, value};
  append_aof_command(*buf_, argv);
  maybe_flush();
}

void AofBaseWriter::rpush(std::string_view key, std::span<const std::string_view> elements) {
  begin_list(key, elements.size());
  for (std::string_view e : elements) list_element(e);
}

void AofBaseWriter::begin_list(std::string_view key, size_t length) {
  check_list_done();
  list_key_ = key;
  list_remaining_ = length;
  list_count_ = 0;
  list_command_ = "RPUSH";
}

void AofBaseWriter::begin_set(std::string_view key, size_t length) {
  begin_list(key, length);
  list_command_ = "SADD";
}

void AofBaseWriter::list_element(std::string_view element) {
  if (list_remaining_ == 0) {
    if (!error_) error_ = "the list " + list_key_ + " got more elements than announced";
    return;
  }
  if (list_count_ == 0) {
    const size_t items = std::min(list_remaining_, kItemsPerCommand);
    *buf_ += '*';
    append_int64(*buf_, static_cast<int64_t>(2 + items));
    *buf_ += "\r\n";
    write_bulk(list_command_);
    write_bulk(list_key_);
  }
  write_bulk(element);
  if (++list_count_ == kItemsPerCommand) list_count_ = 0;
  --list_remaining_;
  maybe_flush();
}

void AofBaseWriter::pexpireat(std::string_view key, int64_t unix_time_ms) {
  check_list_done();
  const std::string when = int64_to_string(unix_time_ms);
  const std::string_view argv[] = {"PEXPIREAT", key, when};
  append_aof_command(*buf_, argv);
  maybe_flush();
}

void AofBaseWriter::command(std::span<const std::string_view> argv) {
  check_list_done();
  append_aof_command(*buf_, argv);
  maybe_flush();
}

void AofBaseWriter::write_entry(int db, std::string_view key, const Value& value,
                                int64_t expire_at_ms) {
  if (db != current_db_) select(db);
  switch (value.type()) {
    case ValueType::kString:
      set(key, value.str());
      break;
    case ValueType::kList: {
      const List& list = value.list();
      begin_list(key, list.size());
      for (std::string_view item : list) list_element(item);
      break;
    }
    case ValueType::kHash:
      hash(key, value);
      break;
    case ValueType::kSet: {
      const Set& set = value.set();
      begin_set(key, set.size());
      set.for_each([&](std::string_view m) { set_member(m); });
      break;
    }
    case ValueType::kZSet:
      zset(key, value);
      break;
  }
  if (expire_at_ms != kNoExpire) pexpireat(key, expire_at_ms);
}

// HSETs of at most 64 pairs each (Redis's AOF_REWRITE_ITEMS_PER_CMD).
void AofBaseWriter::hash(std::string_view key, const Value& value) {
  std::vector<std::string_view> argv;
  argv.reserve(2 + 2 * kItemsPerCommand);
  value.hash().for_each([&](std::string_view field, std::string_view v) {
    if (argv.empty()) argv = {"HSET", key};
    argv.push_back(field);
    argv.push_back(v);
    if (argv.size() == 2 + 2 * kItemsPerCommand) {
      command(argv);
      argv.clear();
    }
  });
  if (!argv.empty()) command(argv);
}

// ZADDs of up to kItemsPerCommand pairs (Redis's rewriteSortedSetObject), scores as "%.17g" so
// they read back as the same double.
void AofBaseWriter::zset(std::string_view key, const Value& value) {
  std::string scores[kItemsPerCommand];
  std::string_view members[kItemsPerCommand];
  std::vector<std::string_view> argv;
  argv.reserve(2 + 2 * kItemsPerCommand);
  size_t n = 0;
  auto flush = [&] {
    argv.assign({"ZADD", key});
    for (size_t i = 0; i < n; ++i) {
      argv.push_back(scores[i]);
      argv.push_back(members[i]);
    }
    command(argv);
    n = 0;
  };
  value.zset().for_each([&](std::string_view member, double score) {
    scores[n] = double_to_string(score);
    members[n] = member;
    if (++n == kItemsPerCommand) flush();
  });
  if (n != 0) flush();
}

std::optional<std::string> AofBaseWriter::finish() {
  check_list_done();
  if (!file_.is_open() && !error_) error_ = "the AOF base file is not open";
  if (!error_ && !buf_->empty()) error_ = file_.write(*buf_);
  bytes_ += buf_->size();
  buf_->clear();
  if (!error_) error_ = file_.sync();
  if (auto closed = file_.close(); closed && !error_) error_ = closed;
  finished_ = true;
  return error_;
}

void AofBaseWriter::abandon() {
  const std::string path = file_.path();
  (void)file_.close();
  if (!path.empty()) ::unlink(path.c_str());
  finished_ = true;
  buf_->clear();
}

}  // namespace basalt
