#include "persistence/rdb_writer.hpp"

#include <cstdio>
#include <cstring>

#include "base/strings.hpp"
#include "persistence/crc64.hpp"
#include "persistence/file_io.hpp"
#include "persistence/lzf.hpp"
#include "store/hash.hpp"
#include "store/list.hpp"
#include "store/set.hpp"
#include "store/store.hpp"
#include "store/zset.hpp"

namespace basalt {

namespace rdb {

namespace {

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// rdbEncodeInteger: the value in 1, 2 or 4 bytes, or nothing when it needs more.
bool append_int_encoded(std::string& out, int64_t v) {
  if (v >= -(1 << 7) && v <= (1 << 7) - 1) {
    out.push_back(static_cast<char>((kEncVal << 6) | kEncInt8));
    put_le(out, static_cast<uint64_t>(v), 1);
  } else if (v >= -(1 << 15) && v <= (1 << 15) - 1) {
    out.push_back(static_cast<char>((kEncVal << 6) | kEncInt16));
    put_le(out, static_cast<uint64_t>(v), 2);
  } else if (v >= -(int64_t{1} << 31) && v <= (int64_t{1} << 31) - 1) {
    out.push_back(static_cast<char>((kEncVal << 6) | kEncInt32));
    put_le(out, static_cast<uint64_t>(v), 4);
  } else {
    return false;
  }
  return true;
}

// Bytes of listpack's encoding of an integer (type byte included), as lpEncodeIntegerGetType.
size_t listpack_int_size(int64_t v) {
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648LL && v <= 2147483647LL) return 5;
  return 9;
}

size_t listpack_string_header(size_t len) { return len < 64 ? 1 : len < 4096 ? 2 : 5; }

// lpEncodeBacklen's thresholds, including its "< 16383" where 16383 itself would fit in two.
size_t backlen_size(uint64_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

void append_backlen(std::string& out, uint64_t l) {
  // Written so that it reads right to left: the last byte holds the low 7 bits, and every byte
  // but the leftmost has its top bit set to say "more to the left".
  const size_t n = backlen_size(l);
  for (size_t i = 0; i < n; ++i) {
    const size_t shift = 7 * (n - 1 - i);
    uint8_t b = static_cast<uint8_t>((l >> shift) & 127);
    if (i > 0) b |= 128;
    out.push_back(static_cast<char>(b));
  }
}

}  // namespace

void append_length(std::string& out, uint64_t len) {
  if (len < (1 << 6)) {
    out.push_back(static_cast<char>((k6BitLen << 6) | len));
  } else if (len < (1 << 14)) {
    out.push_back(static_cast<char>((k14BitLen << 6) | (len >> 8)));
    out.push_back(static_cast<char>(len & 0xff));
  } else if (len <= UINT32_MAX) {
    out.push_back(static_cast<char>(k32BitLen));
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  } else {
    out.push_back(static_cast<char>(k64BitLen));
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  }
}

void append_string(std::string& out, std::string_view s, bool compress) {
  if (s.size() <= 11) {
    if (auto v = parse_int64(s); v && append_int_encoded(out, *v)) return;
  }
  if (compress && s.size() >= kMinCompressLen) {
    // Redis asks for at least four bytes saved (an output buffer of len - 4).
    thread_local std::string buf;
    buf.resize(s.size() - 4);
    const size_t n = lzf_compress(s.data(), s.size(), buf.data(), buf.size());
    if (n > 0) {
      out.push_back(static_cast<char>((kEncVal << 6) | kEncLzf));
      append_length(out, n);
      append_length(out, s.size());
      out.append(buf.data(), n);
    }
    // A huge string would otherwise pin its size in every thread that ever saved one.
    if (buf.capacity() > (size_t{1} << 20)) std::string().swap(buf);
    if (n > 0) return;
  }
  append_length(out, s.size());
  out.append(s);
}

size_t listpack_element_size(std::string_view e) {
  size_t enc;
  if (auto v = parse_int64(e)) {
    enc = listpack_int_size(*v);
  } else {
    enc = listpack_string_header(e.size()) + e.size();
  }
  return enc + backlen_size(enc);
}

void append_listpack_element(std::string& lp, std::string_view e) {
  const size_t start = lp.size();
  if (auto parsed = parse_int64(e)) {
    const int64_t v = *parsed;
    const size_t n = listpack_int_size(v);
    const uint64_t u = static_cast<uint64_t>(v);
    switch (n) {
      case 1:
        lp.push_back(static_cast<char>(v));
        break;
      case 2: {
        const uint64_t t = u & 0x1fff;  // 13-bit two's complement
        lp.push_back(static_cast<char>(0xc0 | (t >> 8)));
        lp.push_back(static_cast<char>(t & 0xff));
        break;
      }
      case 3:
        lp.push_back(static_cast<char>(0xf1));
        put_le(lp, u, 2);
        break;
      case 4:
        lp.push_back(static_cast<char>(0xf2));
        put_le(lp, u, 3);
        break;
      case 5:
        lp.push_back(static_cast<char>(0xf3));
        put_le(lp, u, 4);
        break;
      default:
        lp.push_back(static_cast<char>(0xf4));
        put_le(lp, u, 8);
        break;
    }
  } else if (e.size() < 64) {
    lp.push_back(static_cast<char>(0x80 | e.size()));
    lp.append(e);
  } else if (e.size() < 4096) {
    lp.push_back(static_cast<char>(0xe0 | (e.size() >> 8)));
    lp.push_back(static_cast<char>(e.size() & 0xff));
    lp.append(e);
  } else {
    lp.push_back(static_cast<char>(0xf0));
    put_le(lp, e.size(), 4);
    lp.append(e);
  }
  append_backlen(lp, lp.size() - start);
}

uint8_t type_of(const Value& value) {
  switch (value.type()) {
    case ValueType::kString:
      return kTypeString;
    case ValueType::kList:
      return kTypeListQuicklist2;
    case ValueType::kHash:
      // A packed hash as the listpack Redis 7.0 keeps it in; a table pair by pair.
      return value.hash().is_packed() ? kTypeHashListpack : kTypeHash;
    case ValueType::kSet:
      return value.set().is_intset() ? kTypeSetIntset : kTypeSet;
    case ValueType::kZSet:
      return kTypeZset2;
  }
  return kTypeString;  // not reached: the switch names every type
}

namespace {

// Quicklist nodes, as quicklist.c with list-max-listpack-size -2 would cut them: a listpack grows
// until the next element would take it past 8 KiB; an element that alone exceeds that gets a
// listpack of its own, and one at or above plain_threshold a PLAIN node.
template <class F>
void for_each_node(const List& list, size_t plain_threshold, F&& f) {
  auto it = list.begin();
  const auto end = list.end();
  while (it != end) {
    const std::string_view first = *it;
    if (first.size() >= plain_threshold) {
      auto next = it;
      ++next;
      f(it, next, true);
      it = next;
      continue;
    }
    auto last = it;
    size_t bytes = kListpackHeader + 1 + listpack_element_size(first);
    size_t count = 1;
    ++last;
    while (last != end && count < kListpackCountUnknown) {
      const std::string_view e = *last;
      if (e.size() >= plain_threshold) break;
      const size_t add = listpack_element_size(e);
      if (bytes + add > kListpackNodeBytes) break;
      bytes += add;
      ++count;
      ++last;
    }
    f(it, last, false);
    it = last;
  }
}

}  // namespace

void append_value(std::string& out, const Value& value, const RdbWriteOptions& options,
                  std::string& scratch) {
  switch (value.type()) {
    case ValueType::kString:
      append_string(out, value.str(), options.compression);
      return;
    case ValueType::kList: {
      const List& list = value.list();
      uint64_t nodes = 0;
      for_each_node(list, options.plain_threshold, [&](auto, auto, bool) { ++nodes; });
      append_length(out, nodes);
      for_each_node(list, options.plain_threshold, [&](auto first, auto last, bool plain) {
        if (plain) {
          append_length(out, kContainerPlain);
          append_string(out, *first, options.compression);
          return;
        }
        append_length(out, kContainerPacked);
        scratch.assign(kListpackHeader, '\0');
        uint64_t count = 0;
        for (auto it = first; it != last; ++it, ++count) append_listpack_element(scratch, *it);
        scratch.push_back(static_cast<char>(kListpackEof));
        const uint64_t total = scratch.size();
        for (int i = 0; i < 4; ++i) scratch[i] = static_cast<char>((total >> (8 * i)) & 0xff);
        scratch[4] = static_cast<char>(count & 0xff);
        scratch[5] = static_cast<char>((count >> 8) & 0xff);
        append_string(out, scratch, options.compression);
      });
      if (scratch.capacity() > 4 * kListpackNodeBytes) std::string().swap(scratch);
      return;
    }
    case ValueType::kHash: {
      const Hash& hash = value.hash();
      if (!hash.is_packed()) {
        append_length(out, hash.size());
        hash.for_each([&](std::string_view field, std::string_view v) {
          append_string(out, field, options.compression);
          append_string(out, v, options.compression);
        });
        return;
      }
      scratch.assign(kListpackHeader, '\0');
      hash.for_each([&](std::string_view field, std::string_view v) {
        append_listpack_element(scratch, field);
        append_listpack_element(scratch, v);
      });
      scratch.push_back(static_cast<char>(kListpackEof));
      const uint64_t total = scratch.size();
      const uint64_t count = 2 * uint64_t{hash.size()};
      const uint64_t header_count = count < kListpackCountUnknown ? count : kListpackCountUnknown;
      for (int i = 0; i < 4; ++i) scratch[i] = static_cast<char>((total >> (8 * i)) & 0xff);
      scratch[4] = static_cast<char>(header_count & 0xff);
      scratch[5] = static_cast<char>((header_count >> 8) & 0xff);
      append_string(out, scratch, options.compression);
      if (scratch.capacity() > 4 * kListpackNodeBytes) std::string().swap(scratch);
      return;
    }
    case ValueType::kSet: {
      const Set& set = value.set();
      if (set.is_intset()) {
        // Redis's intset blob: encoding (bytes per member) and count as 32-bit little-endian,
        // then the members in ascending order, little-endian.
        const size_t n = set.size();
        const int width = set.intset_width();
        scratch.clear();
        put_le(scratch, static_cast<uint64_t>(width), 4);
        put_le(scratch, n, 4);
        for (size_t i = 0; i < n; ++i)
          put_le(scratch, static_cast<uint64_t>(set.intset_at(i)), width);
        append_string(out, scratch, options.compression);
        return;
      }
      append_length(out, set.size());
      set.for_each([&](std::string_view m) { append_string(out, m, options.compression); });
      return;
    }
    case ValueType::kZSet: {
      // ZSET_2: member strings and little-endian binary doubles, which every version since
      // Redis 4 loads (and converts to a listpack when small).
      const ZSet& zs = value.zset();
      append_length(out, zs.size());
      zs.for_each([&](std::string_view member, double score) {
        append_string(out, member, options.compression);
        uint64_t bits;
        std::memcpy(&bits, &score, sizeof(bits));
        put_le(out, bits, 8);
      });
      return;
    }
  }
}

}  // namespace rdb

RdbWriter::RdbWriter(std::string& out, RdbWriteOptions options) : out_(&out), options_(options) {}

void RdbWriter::commit(size_t mark) {
  const size_t n = out_->size() - mark;
  if (options_.checksum) crc_ = crc64(crc_, out_->data() + mark, n);
  written_ += n;
}

void RdbWriter::write_header(const RdbHeaderInfo& info) {
  const size_t mark = out_->size();
  char magic[16];
  std::snprintf(magic, sizeof(magic), "REDIS%04d", rdb::kVersion);
  out_->append(magic);
  commit(mark);
  write_aux("redis-ver", rdb::kRedisVersion);
  write_aux("redis-bits", std::to_string(sizeof(void*) * 8));
  write_aux("ctime", std::to_string(info.ctime_s));
  write_aux("used-mem", std::to_string(info.used_mem));
  write_aux("aof-base", info.aof_base ? "1" : "0");
}

void RdbWriter::write_aux(std::string_view key, std::string_view value) {
  const size_t mark = out_->size();
  out_->push_back(static_cast<char>(rdb::kOpAux));
  rdb::append_string(*out_, key, options_.compression);
  rdb::append_string(*out_, value, options_.compression);
  commit(mark);
}

void RdbWriter::begin_db(int db, uint64_t keys, uint64_t expires) {
  const size_t mark = out_->size();
  out_->push_back(static_cast<char>(rdb::kOpSelectDb));
  rdb::append_length(*out_, static_cast<uint64_t>(db));
  out_->push_back(static_cast<char>(rdb::kOpResizeDb));
  rdb::append_length(*out_, keys);
  rdb::append_length(*out_, expires);
  current_db_ = db;
  commit(mark);
}

void RdbWriter::write_entry(int db, std::string_view key, const Value& value,
                            int64_t expire_at_ms) {
  const size_t mark = out_->size();
  if (db != current_db_) {
    out_->push_back(static_cast<char>(rdb::kOpSelectDb));
    rdb::append_length(*out_, static_cast<uint64_t>(db));
    current_db_ = db;
  }
  if (expire_at_ms != kNoExpire) {
    out_->push_back(static_cast<char>(rdb::kOpExpireTimeMs));
    const uint64_t t = static_cast<uint64_t>(expire_at_ms);
    for (int i = 0; i < 8; ++i) out_->push_back(static_cast<char>((t >> (8 * i)) & 0xff));
  }
  out_->push_back(static_cast<char>(rdb::type_of(value)));
  rdb::append_string(*out_, key, options_.compression);
  rdb::append_value(*out_, value, options_, scratch_);
  commit(mark);
}

void RdbWriter::write_footer() {
  size_t mark = out_->size();
  out_->push_back(static_cast<char>(rdb::kOpEof));
  commit(mark);
  mark = out_->size();
  const uint64_t crc = options_.checksum ? crc_ : 0;
  for (int i = 0; i < 8; ++i) out_->push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  written_ += out_->size() - mark;
  finished_ = true;
}

std::string dump_value(const Value& value, bool compression) {
  std::string out;
  std::string scratch;
  RdbWriteOptions options;
  options.compression = compression;
  out.push_back(static_cast<char>(rdb::type_of(value)));
  rdb::append_value(out, value, options, scratch);
  out.push_back(static_cast<char>(rdb::kVersion & 0xff));
  out.push_back(static_cast<char>((rdb::kVersion >> 8) & 0xff));
  const uint64_t crc = crc64(0, out);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return out;
}

std::optional<std::string> save_rdb(const Store& store, const std::string& path,
                                    const RdbWriteOptions& options, const RdbHeaderInfo& info,
                                    const std::function<bool()>& after_each_key) {
  constexpr size_t kDrainBytes = size_t{1} << 20;
  const std::string temp = foreground_save_temp_path(path);
  OutputFile file;
  if (auto err = file.open(temp)) return err;
  std::string buffer;
  RdbWriter writer(buffer, options);
  std::optional<std::string> error;
  auto drain = [&] {
    if (!error && !buffer.empty()) error = file.write(buffer);
    buffer.clear();
  };
  writer.write_header(info);
  for (int i = 0; i < store.db_count() && !error; ++i) {
    const Database& db = store.db(i);
    if (db.size() == 0) continue;
    writer.begin_db(i, db.size(), db.expires());
    db.for_each([&](const Entry* e) {
      if (error) return;
      writer.write_entry(i, e->key(), e->value, db.expire_at(e));
      if (buffer.size() >= kDrainBytes) drain();
      if (after_each_key && !after_each_key()) error = "interrupted";
    });
  }
  writer.write_footer();
  drain();
  if (!error) error = file.sync();
  if (!error) error = file.close();
  if (!error) error = rename_durably(temp, path);
  if (error) {
    file.close();
    std::remove(temp.c_str());
  }
  return error;
}

}  // namespace basalt
