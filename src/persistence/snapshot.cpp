#include "persistence/snapshot.hpp"

#include <cstdio>

#include "persistence/aof_base_writer.hpp"
#include "store/store.hpp"

namespace basalt {

DbSnapshot::DbSnapshot(Database& db, EntryEncoder& writer)
    : db_(db), writer_(writer), epoch_((db.attach_snapshot(this), db.snapshot_epoch())) {}

DbSnapshot::~DbSnapshot() {
  if (!done_) abort();
}

void DbSnapshot::serialize(Entry* e, int64_t expire_at) {
  writer_.write_entry(db_.index(), e->key(), e->value, expire_at);
  e->set_snapshot_epoch(epoch_);
  ++serialized_;
}

void DbSnapshot::serialize(Entry* e) { serialize(e, db_.expire_at(e)); }

void DbSnapshot::serialize_owned(Entry* e) {
  serialize(e, e->has_expire() ? owned_ttls_.at(e) : kNoExpire);
}

void DbSnapshot::before_change(Entry* e) { serialize(e); }

void DbSnapshot::take_table(Dict&& table, TtlIndex&& ttls) {
  // A second FLUSHDB before the first handed-over table is walked: finish that one now (it can no
  // longer change, and there is only room for one).
  if (owned_ != nullptr) {
    do {
      owned_cursor_ = owned_->scan(owned_cursor_, [&](Entry* e) {
        if (e->snapshot_epoch() != epoch_) serialize_owned(e);
      });
    } while (owned_cursor_ != 0);
  }
  owned_ = std::make_unique<Dict>(std::move(table));
  owned_ttls_ = std::move(ttls);
  owned_cursor_ = 0;
  // The database's table is now empty: its own walk is over.
  cursor_ = 0;
  db_walk_done_ = true;
}

bool DbSnapshot::step(size_t max_entries) {
  if (done_) return true;
  size_t n = 0;
  auto more = [&] { return n < max_entries; };
  auto visit = [&](Entry* e) {
    if (e->snapshot_epoch() != epoch_) {
      serialize(e);
      ++n;
    }
  };
  if (owned_ != nullptr) {
    auto visit_owned = [&](Entry* e) {
      if (e->snapshot_epoch() != epoch_) {
        serialize_owned(e);
        ++n;
      }
    };
    if (more()) {
      owned_cursor_ = owned_->scan_while(owned_cursor_, visit_owned, more);
      if (owned_cursor_ == 0) {
        owned_.reset();  // frees the flushed entries
        owned_ttls_.clear();
      }
    }
  }
  if (!db_walk_done_ && more()) {
    cursor_ = db_.scan_while(cursor_, visit, more);
    if (cursor_ == 0) db_walk_done_ = true;
  }
  if (db_walk_done_ && owned_ == nullptr) finish();
  return done_;
}

void DbSnapshot::complete_now() {
  while (!step(SIZE_MAX)) {
  }
}

void DbSnapshot::finish() {
  done_ = true;
  db_.detach_snapshot();
}

void DbSnapshot::abort() {
  if (done_) return;
  owned_.reset();
  owned_ttls_.clear();
  // Restore the invariant "every entry's bit is the epoch" for the next snapshot's flip.
  db_.for_each([&](Entry* e) { e->set_snapshot_epoch(epoch_); });
  finish();
}

BackgroundSave::BackgroundSave(Store& store, std::string path)
    : store_(store),
      path_(std::move(path)),
      temp_(temp_path_for(path_)),
      started_us_(store.clock().monotonic_us()) {}

bool BackgroundSave::attach(std::string* error) {
  if (auto err = file_.open(temp_)) {
    *error = *err;
    committed_ = true;  // nothing to remove
    return false;
  }
  for (int i = 0; i < store_.db_count(); ++i) {
    dbs_.push_back(std::make_unique<DbSnapshot>(store_.db(i), *encoder_));
  }
  return true;
}

std::unique_ptr<BackgroundSave> BackgroundSave::start(Store& store, const std::string& path,
                                                      const RdbWriteOptions& options,
                                                      const RdbHeaderInfo& info,
                                                      std::string* error) {
  std::unique_ptr<BackgroundSave> save(new BackgroundSave(store, path));
  auto writer = std::make_unique<RdbWriter>(save->buffer_, options);
  RdbWriter& rdb = *writer;
  save->encoder_ = std::move(writer);
  if (!save->attach(error)) return nullptr;
  rdb.write_header(info);
  return save;
}

std::unique_ptr<BackgroundSave> BackgroundSave::start_commands(Store& store,
                                                               const std::string& path,
                                                               std::optional<int64_t> timestamp_s,
                                                               std::string* error) {
  std::unique_ptr<BackgroundSave> save(new BackgroundSave(store, path));
  auto writer = std::make_unique<AofBaseWriter>(save->buffer_);
  if (timestamp_s) writer->timestamp(*timestamp_s);
  save->encoder_ = std::move(writer);
  if (!save->attach(error)) return nullptr;
  return save;
}

BackgroundSave::~BackgroundSave() {
  if (!committed_ && !aborted_) abort();
}

std::optional<std::string> BackgroundSave::drain() {
  if (buffer_.size() > stats_.max_buffer_bytes) stats_.max_buffer_bytes = buffer_.size();
  if (buffer_.empty()) return std::nullopt;
  auto err = file_.write(buffer_);
  stats_.bytes = file_.bytes_written();
  buffer_.clear();
  // A huge value leaves a huge buffer behind: give it back.
  if (buffer_.capacity() > 4 * kDrainBytes) std::string().swap(buffer_);
  return err;
}

std::optional<std::string> BackgroundSave::step(size_t budget) {
  // Hooks may have filled the buffer since the last step.
  if (buffer_.size() >= kDrainBytes) {
    if (auto err = drain()) return err;
  }
  while (budget > 0 && next_db_ < dbs_.size()) {
    DbSnapshot& db = *dbs_[next_db_];
    const size_t chunk = budget < 64 ? budget : 64;
    if (db.step(chunk)) ++next_db_;
    budget -= chunk;
    if (buffer_.size() >= kDrainBytes) {
      if (auto err = drain()) return err;
    }
  }
  return std::nullopt;
}

uint64_t BackgroundSave::written() const {
  uint64_t n = 0;
  for (const auto& db : dbs_) n += db->serialized();
  return n;
}

bool BackgroundSave::done() const {
  for (const auto& db : dbs_) {
    if (!db->done()) return false;
  }
  return true;
}

std::optional<std::string> BackgroundSave::finish_bytes() {
  encoder_->write_footer();
  finished_ = true;
  return drain();
}

std::optional<std::string> BackgroundSave::commit() {
  if (auto err = file_.sync()) return err;
  if (auto err = file_.close()) return err;
  if (auto err = rename_durably(temp_, path_)) return err;
  committed_ = true;
  return std::nullopt;
}

void BackgroundSave::abort() {
  if (aborted_ || committed_) return;
  aborted_ = true;
  for (auto& db : dbs_) db->abort();
  file_.close();
  std::remove(temp_.c_str());
}

}  // namespace basalt
