#include "persistence/rdb_loader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "base/strings.hpp"
#include "persistence/crc64.hpp"
#include "persistence/lzf.hpp"
#include "persistence/rdb_format.hpp"
#include "store/hash.hpp"
#include "store/list.hpp"
#include "store/set.hpp"
#include "store/store.hpp"
#include "store/zset.hpp"

namespace basalt {

namespace {

using namespace rdb;

constexpr uint64_t kUnknownSize = std::numeric_limits<uint64_t>::max();
// A file is read through a window of this size: the loader's own memory, whatever the file says.
constexpr size_t kChunk = size_t{256} << 10;
// Redis's proto-max-bulk-len default: no string value or list element is larger.
constexpr uint64_t kMaxString = uint64_t{512} << 20;
// A ziplist or listpack states its size in 32 bits.
constexpr uint64_t kMaxBlob = UINT32_MAX;

// The bytes of an RDB stream, from memory or from a file, with the CRC-64 of everything consumed.
class Input {
 public:
  explicit Input(std::string_view bytes)
      : win_(bytes.data()), win_len_(bytes.size()), size_(bytes.size()) {}
  Input(int fd, uint64_t size) : fd_(fd), size_(size), buf_(kChunk, '\0') { win_ = buf_.data(); }

  uint64_t offset() const { return base_ + pos_; }
  // What may still be read; kUnknownSize-based for a file of unknown size.
  uint64_t remaining() const { return size_ == kUnknownSize ? kUnknownSize : size_ - offset(); }
  bool at_end() {
    if (pos_ < win_len_) return false;
    return !refill(1);
  }
  const std::string& io_error() const { return io_error_; }

  bool read(void* dst, size_t n) {
    auto* d = static_cast<char*>(dst);
    while (n > 0) {
      if (pos_ == win_len_ && !refill(1)) return false;
      const size_t take = std::min(n, win_len_ - pos_);
      std::memcpy(d, win_ + pos_, take);
      pos_ += take;
      d += take;
      n -= take;
    }
    return true;
  }
  bool read_byte(uint8_t* b) { return read(b, 1); }
  // Appends n bytes to out, growing it only as the bytes arrive.
  bool append_to(std::string& out, uint64_t n) {
    if (n > remaining()) return false;
    while (n > 0) {
      if (pos_ == win_len_ && !refill(1)) return false;
      const size_t take = static_cast<size_t>(std::min<uint64_t>(n, win_len_ - pos_));
      out.append(win_ + pos_, take);
      pos_ += take;
      n -= take;
    }
    return true;
  }
  uint64_t crc() {
    crc_ = crc64(crc_, win_ + crc_done_, pos_ - crc_done_);
    crc_done_ = pos_;
    return crc_;
  }

 private:
  // Makes at least `need` unread bytes available (file sources only).
  bool refill(size_t need) {
    if (fd_ < 0) return false;
    crc();
    const size_t unread = win_len_ - pos_;
    std::memmove(buf_.data(), buf_.data() + pos_, unread);
    base_ += pos_;
    pos_ = 0;
    crc_done_ = 0;
    win_len_ = unread;
    while (win_len_ < need) {
      const ssize_t r = ::read(fd_, buf_.data() + win_len_, buf_.size() - win_len_);
      if (r < 0) {
        if (errno == EINTR) continue;
        io_error_ = std::strerror(errno);
        return false;
      }
      if (r == 0) return false;
      win_len_ += static_cast<size_t>(r);
    }
    return true;
  }

  int fd_ = -1;
  const char* win_ = nullptr;
  size_t win_len_ = 0;
  size_t pos_ = 0;
  uint64_t base_ = 0;  // stream offset of win_[0]
  uint64_t size_;
  std::string buf_;
  uint64_t crc_ = 0;
  size_t crc_done_ = 0;
  std::string io_error_;
};

std::string quoted_key(std::string_view key) {
  constexpr size_t kShown = 128;
  std::string shown = sanitize_for_error(key.substr(0, kShown));
  if (key.size() > kShown) shown += "...";
  return "'" + shown + "'";
}

std::string_view type_label(uint8_t type) {
  switch (type) {
    case kTypeSet:
    case kTypeSetIntset:
      return "set";
    case kTypeZset:
    case kTypeZset2:
    case kTypeZsetZiplist:
    case kTypeZsetListpack:
      return "zset";
    case kTypeHash:
    case kTypeHashZipmap:
    case kTypeHashZiplist:
    case kTypeHashListpack:
      return "hash";
    case kTypeStreamListpacks:
    case kTypeStreamListpacks2:
      return "stream";
    case kTypeModule:
    case kTypeModule2:
      return "module";
    default:
      return "";
  }
}

std::string_view type_plural(std::string_view label) {
  if (label == "set") return "sets";
  if (label == "zset") return "sorted sets";
  if (label == "hash") return "hashes";
  if (label == "stream") return "streams";
  return "module values";
}

bool is_list_type(uint8_t t) {
  return t == kTypeList || t == kTypeListZiplist || t == kTypeListQuicklist ||
         t == kTypeListQuicklist2;
}

bool is_zset_type(uint8_t t) {
  return t == kTypeZset || t == kTypeZset2 || t == kTypeZsetZiplist || t == kTypeZsetListpack;
}

// A value type this loader reads (strings aside).
bool is_container_type(uint8_t t) { return is_list_type(t) || is_zset_type(t); }

// A score kept as text (ZSET, and the score elements of a ziplist or listpack): strtod over the
// whole text, as Redis's zzlStrtod; NaN is refused, since no sorted set holds one.
bool parse_score_text(std::string_view s, double* out) {
  if (s.empty()) return false;
  const std::optional<StrtodResult> r = strtod_whole(s, 128);
  if (!r) return false;
  *out = r->value;
  return true;
}

bool is_hash_type(uint8_t t) {
  return t == kTypeHash || t == kTypeHashZipmap || t == kTypeHashZiplist || t == kTypeHashListpack;
}
bool is_set_type(uint8_t t) { return t == kTypeSet || t == kTypeSetIntset; }

// The types Basalt stores (the others are refused with a message naming them).
bool is_stored_type(uint8_t t) {
  return t == kTypeString || is_container_type(t) || is_hash_type(t) || is_set_type(t);
}

uint64_t le(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

int64_t sign_extend(uint64_t v, int bits) {
  const uint64_t m = uint64_t{1} << (bits - 1);
  v &= (bits == 64) ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  return static_cast<int64_t>((v ^ m) - m);
}

// A listpack/ziplist element sink (Decoder::parse_listpack) appending to a list.
struct ListSink {
  List& list;
  bool operator()(std::string_view element) const {
    list.push_back(element);
    return true;
  }
};

// The values of one stream: strings, lists and their containers. Shared by the file loader and
// RESTORE.
class Decoder {
 public:
  Decoder(Input& in, const ValueLimits& limits) : in_(in), limits_(limits) {}

  const std::string& error() const { return error_; }
  bool failed() const { return !error_.empty(); }
  bool fail(std::string what) {
    if (error_.empty()) {
      if (!in_.io_error().empty()) what += " (read error: " + in_.io_error() + ")";
      error_ = what + " at byte offset " + std::to_string(in_.offset());
    }
    return false;
  }
  // A truncated stream: named once, here, so every read site stays one line.
  bool truncated(std::string_view what) {
    return fail("Unexpected end of file reading " + std::string(what));
  }

  uint64_t remaining() const { return in_.remaining(); }
  // How many elements a collection may be sized for before they arrive: the announced count when
  // the input's size is known (the callers have checked the count against the bytes left), none
  // when it is not (a pipe), where the count alone bounds nothing.
  size_t presize(uint64_t announced) const {
    return in_.remaining() == kUnknownSize ? 0 : static_cast<size_t>(announced);
  }
  bool read_byte(uint8_t* b, std::string_view what) { return in_.read_byte(b) || truncated(what); }
  bool read_fixed(void* dst, size_t n, std::string_view what) {
    return in_.read(dst, n) || truncated(what);
  }

  // rdbLoadLenByRef: a length, or (encoded) one of the special string encodings.
  bool read_length(uint64_t* len, bool* encoded, std::string_view what) {
    uint8_t b;
    if (!read_byte(&b, what)) return false;
    *encoded = false;
    const uint8_t kind = b >> 6;
    if (kind == kEncVal) {
      *encoded = true;
      *len = b & 0x3f;
      return true;
    }
    if (kind == k6BitLen) {
      *len = b & 0x3f;
      return true;
    }
    if (kind == k14BitLen) {
      uint8_t b2;
      if (!read_byte(&b2, what)) return false;
      *len = (uint64_t{b & 0x3fu} << 8) | b2;
      return true;
    }
    if (b == k32BitLen || b == k64BitLen) {
      uint8_t buf[8];
      const int n = b == k32BitLen ? 4 : 8;
      if (!read_fixed(buf, n, what)) return false;
      uint64_t v = 0;
      for (int i = 0; i < n; ++i) v = (v << 8) | buf[i];
      *len = v;
      return true;
    }
    return fail("Unknown length encoding " + std::to_string(b) + " in " + std::string(what));
  }
  bool read_plain_length(uint64_t* len, std::string_view what) {
    bool encoded;
    if (!read_length(len, &encoded, what)) return false;
    if (encoded)
      return fail("A string encoding where a length was expected in " + std::string(what));
    return true;
  }

  // rdbGenericLoadStringObject: raw, integer or LZF; at most max_len bytes once decoded.
  bool read_string(std::string* out, uint64_t max_len, std::string_view what) {
    out->clear();
    uint64_t len;
    bool encoded;
    if (!read_length(&len, &encoded, what)) return false;
    if (encoded) {
      switch (len) {
        case kEncInt8:
        case kEncInt16:
        case kEncInt32: {
          const int n = len == kEncInt8 ? 1 : len == kEncInt16 ? 2 : 4;
          uint8_t buf[4];
          if (!read_fixed(buf, n, what)) return false;
          append_int64(*out, sign_extend(le(buf, n), 8 * n));
          return true;
        }
        case kEncLzf:
          return read_lzf(out, max_len, what);
        default:
          return fail("Unknown string encoding " + std::to_string(len) + " in " +
                      std::string(what));
      }
    }
    if (len > max_len) {
      return fail("A string of " + std::to_string(len) + " bytes (limit " +
                  std::to_string(max_len) + ") in " + std::string(what));
    }
    if (len > in_.remaining()) {
      return fail("A string of " + std::to_string(len) + " bytes with " +
                  std::to_string(in_.remaining()) + " bytes left in the file, in " +
                  std::string(what));
    }
    return in_.append_to(*out, len) || truncated(what);
  }

  bool read_lzf(std::string* out, uint64_t max_len, std::string_view what) {
    uint64_t clen, ulen;
    if (!read_plain_length(&clen, what) || !read_plain_length(&ulen, what)) return false;
    const std::string w(what);
    if (clen == 0 || ulen == 0) return fail("An empty LZF string in " + w);
    if (clen > in_.remaining()) {
      return fail("An LZF string of " + std::to_string(clen) + " bytes with " +
                  std::to_string(in_.remaining()) + " bytes left in the file, in " + w);
    }
    // The announced size is only believed as far as the compressed bytes could produce it.
    if (ulen > max_len || clen > kMaxBlob || ulen > clen * kLzfMaxExpansion) {
      return fail("An LZF string claiming " + std::to_string(ulen) + " bytes from " +
                  std::to_string(clen) + " compressed bytes in " + w);
    }
    lzf_in_.clear();
    if (!in_.append_to(lzf_in_, clen)) return truncated(what);
    out->resize(ulen);
    auto n = lzf_decompress(lzf_in_.data(), lzf_in_.size(), out->data(), out->size());
    if (lzf_in_.capacity() > (size_t{4} << 20)) std::string().swap(lzf_in_);
    if (!n || *n != ulen) return fail("Invalid LZF compressed string in " + w);
    return true;
  }

  // A list or a sorted set.
  bool read_container(uint8_t type, Value* value, bool* empty) {
    return is_zset_type(type) ? read_zset(type, value, empty) : read_list(type, value, empty);
  }

  // Adds one loaded member, refusing what Redis's loader refuses: duplicates and NaN scores.
  bool zset_member(ZSet& z, std::string_view member, double score) {
    if (std::isnan(score)) return fail("Zset with NAN score detected");
    double existing;
    if (z.score(member, &existing)) return fail("Duplicate zset fields detected");
    z.insert(member, score, limits_.zset);
    return true;
  }

  // Reads a value of a sorted set type; *empty when it held no member.
  bool read_zset(uint8_t type, Value* value, bool* empty) {
    *value = Value::new_zset();
    ZSet& z = value->zset();
    switch (type) {
      case kTypeZset:
      case kTypeZset2: {
        uint64_t n;
        if (!read_plain_length(&n, "a sorted set length")) return false;
        // Every member takes at least two bytes of the file.
        if (n > in_.remaining())
          return fail("A sorted set of " + std::to_string(n) + " members past the end of the file");
        if (n > limits_.zset.max_packed_entries) z.convert_to_tree(presize(n));
        for (uint64_t i = 0; i < n; ++i) {
          if (!read_string(&element_, List::kMaxElement, "a sorted set member")) return false;
          double score;
          if (type == kTypeZset2) {
            uint8_t raw[8];
            if (!read_fixed(raw, 8, "a sorted set score")) return false;
            const uint64_t bits = le(raw, 8);
            std::memcpy(&score, &bits, sizeof(score));
          } else {
            // rdbLoadDoubleValue: a length byte (253 nan, 254 +inf, 255 -inf) and the text.
            uint8_t len;
            if (!read_byte(&len, "a sorted set score")) return false;
            if (len == 253) {
              score = std::nan("");
            } else if (len == 254) {
              score = HUGE_VAL;
            } else if (len == 255) {
              score = -HUGE_VAL;
            } else {
              char text[256];
              if (!read_fixed(text, len, "a sorted set score")) return false;
              if (!parse_score_text(std::string_view(text, len), &score))
                return fail("A sorted set score that is not a number");
            }
          }
          if (!zset_member(z, element_, score)) return false;
          if (!tick()) return false;
        }
        break;
      }
      case kTypeZsetZiplist:
      case kTypeZsetListpack: {
        if (!read_string(&blob_, kMaxBlob, "a sorted set listpack")) return false;
        std::string member;
        bool have_member = false;
        auto sink = [&](std::string_view element) {
          if (!have_member) {
            member.assign(element);
            have_member = true;
            return true;
          }
          have_member = false;
          double score;
          if (!parse_score_text(element, &score))
            return fail("A sorted set score that is not a number");
          return zset_member(z, member, score);
        };
        const bool ok =
            type == kTypeZsetListpack ? parse_listpack(blob_, sink) : parse_ziplist(blob_, sink);
        if (!ok) return false;
        if (have_member) return fail("A sorted set listpack with a member and no score");
        break;
      }
      default:
        return fail("Not a sorted set type: " + std::to_string(type));
    }
    if (blob_.capacity() > (size_t{4} << 20)) std::string().swap(blob_);
    *empty = z.empty();
    return true;
  }

  // Reads a value of a list type; *empty when it held no element (Redis skips such keys).
  bool read_list(uint8_t type, Value* value, bool* empty) {
    *value = Value::new_list();
    List& list = value->list();
    switch (type) {
      case kTypeList: {
        uint64_t n;
        if (!read_plain_length(&n, "a list length")) return false;
        // Every element takes at least one byte of the file.
        if (n > in_.remaining())
          return fail("A list of " + std::to_string(n) + " elements past the end of the file");
        for (uint64_t i = 0; i < n; ++i) {
          if (!read_string(&element_, List::kMaxElement, "a list element")) return false;
          list.push_back(element_);
          if (!tick()) return false;
        }
        break;
      }
      case kTypeListZiplist:
        if (!read_string(&blob_, kMaxBlob, "a ziplist")) return false;
        if (!parse_ziplist(blob_, ListSink{list})) return false;
        break;
      case kTypeListQuicklist:
      case kTypeListQuicklist2: {
        uint64_t nodes;
        if (!read_plain_length(&nodes, "a quicklist node count")) return false;
        if (nodes > in_.remaining())
          return fail("A quicklist of " + std::to_string(nodes) +
                      " nodes past the end of the file");
        for (uint64_t i = 0; i < nodes; ++i) {
          uint64_t container = kContainerPacked;
          if (type == kTypeListQuicklist2) {
            if (!read_plain_length(&container, "a quicklist node container")) return false;
            if (container != kContainerPacked && container != kContainerPlain) {
              return fail("Quicklist node container " + std::to_string(container) +
                          " is neither PLAIN (1) nor PACKED (2)");
            }
          }
          const bool plain = container == kContainerPlain;
          if (!read_string(&blob_, plain ? List::kMaxElement : kMaxBlob, "a quicklist node")) {
            return false;
          }
          if (blob_.empty()) return fail("An empty quicklist node");
          if (plain) {
            list.push_back(blob_);
          } else if (type == kTypeListQuicklist2) {
            if (!parse_listpack(blob_, ListSink{list})) return false;
          } else if (!parse_ziplist(blob_, ListSink{list})) {
            return false;
          }
          if (!tick()) return false;
        }
        break;
      }
      default:
        return fail("Not a list type: " + std::to_string(type));
    }
    if (blob_.capacity() > (size_t{4} << 20)) std::string().swap(blob_);
    *empty = list.empty();
    return true;
  }

  // Reads a value of a hash type; *empty when it held no pair (Redis skips such keys). Validated
  // as Redis 7.0 does: an odd element count or a field seen twice refuses the file.
  bool read_hash(uint8_t type, Value* value, bool* empty) {
    *value = Value::new_hash();
    Hash& hash = value->hash();
    HashPairSink sink{*this, hash, {}, false};
    switch (type) {
      case kTypeHash: {
        uint64_t n;
        if (!read_plain_length(&n, "a hash length")) return false;
        // Every pair takes at least two bytes of the file.
        if (n > in_.remaining() / 2)
          return fail("A hash of " + std::to_string(n) + " pairs past the end of the file");
        if (n > limits_.hash.max_listpack_entries) hash.convert_to_table(presize(n));
        for (uint64_t i = 0; i < n; ++i) {
          if (!read_string(&sink.field, List::kMaxElement, "a hash field") ||
              !read_string(&element_, List::kMaxElement, "a hash value")) {
            return false;
          }
          if (!hash.set(sink.field, element_, limits_.hash)) {
            return fail("Duplicate hash fields detected");
          }
          if (!tick()) return false;
        }
        if (element_.capacity() > (size_t{4} << 20)) std::string().swap(element_);
        break;
      }
      case kTypeHashZipmap:
        if (!read_string(&blob_, kMaxBlob, "a zipmap")) return false;
        if (!parse_zipmap(blob_, sink)) return false;
        break;
      case kTypeHashZiplist:
        if (!read_string(&blob_, kMaxBlob, "a ziplist")) return false;
        if (!parse_ziplist(blob_, sink)) return false;
        break;
      case kTypeHashListpack:
        if (!read_string(&blob_, kMaxBlob, "a listpack")) return false;
        if (!parse_listpack(blob_, sink)) return false;
        break;
      default:
        return fail("Not a hash type: " + std::to_string(type));
    }
    if (sink.have_field) return fail("A hash with a field and no value");
    if (blob_.capacity() > (size_t{4} << 20)) std::string().swap(blob_);
    *empty = hash.empty();
    return true;
  }

  // Pairs of elements from a listpack, ziplist or zipmap into a hash.
  struct HashPairSink {
    Decoder& d;
    Hash& hash;
    std::string field;
    bool have_field;
    bool operator()(std::string_view element) {
      if (!have_field) {
        field.assign(element);
        have_field = true;
        return true;
      }
      have_field = false;
      if (!hash.set(field, element, d.limits_.hash))
        return d.fail("Duplicate hash fields detected");
      return true;
    }
  };

  // zipmap.c's format (RDB_TYPE_HASH_ZIPMAP, Redis before 2.6): a count byte (254 or more:
  // unknown), then <len>field<len><free>value<free bytes> per pair, 0xff. A length is one byte
  // under 254, or 254 and a u32 LE. Validated as zipmapValidateIntegrity does.
  template <class Sink>
  bool parse_zipmap(std::string_view zm, Sink& sink) {
    const auto* p = reinterpret_cast<const uint8_t*>(zm.data());
    const size_t size = zm.size();
    if (size < 2) return fail("A zipmap of " + std::to_string(size) + " bytes");
    const uint64_t count = p[0];
    size_t pos = 1;
    uint64_t n = 0;
    auto read_len = [&](uint64_t* len) {
      if (pos >= size) return false;
      if (p[pos] < 254) {
        *len = p[pos++];
        return true;
      }
      if (p[pos] == 255 || size - pos < 5) return false;
      *len = le(p + pos + 1, 4);
      pos += 5;
      return true;
    };
    for (;;) {
      if (pos >= size) return fail("A zipmap without its terminator");
      if (p[pos] == 0xff) break;
      uint64_t flen, vlen;
      if (!read_len(&flen) || flen > size - pos) return fail("A zipmap field past its end");
      const std::string_view field = zm.substr(pos, flen);
      pos += flen;
      if (!read_len(&vlen) || pos >= size) return fail("A zipmap value past its end");
      const uint64_t free = p[pos++];
      if (vlen > size - pos || free > size - pos - vlen) return fail("A zipmap value past its end");
      if (!sink(field) || !sink(zm.substr(pos, vlen))) return false;
      pos += vlen + free;
      ++n;
    }
    if (pos != size - 1) return fail("Bytes after a zipmap's terminator");
    if (count < 254 && count != n) {
      return fail("A zipmap whose header counts " + std::to_string(count) + " pairs, holding " +
                  std::to_string(n));
    }
    return true;
  }

  // Reads a value of a set type; *empty when it held no member (Redis skips such keys). Validated
  // as Redis's rdbLoadObject does: no duplicate members, an intset sorted, unique and of a known
  // width. Sets past set-max-intset-entries become tables, as Redis converts them.
  bool read_set(uint8_t type, Value* value, bool* empty) {
    *value = Value::new_set();
    Set& set = value->set();
    const size_t max_intset = limits_.max_intset_entries;
    if (type == kTypeSet) {
      uint64_t n;
      if (!read_plain_length(&n, "a set length")) return false;
      // Every member takes at least one byte of the file.
      if (n > in_.remaining())
        return fail("A set of " + std::to_string(n) + " members past the end of the file");
      if (n > max_intset) set.convert_to_table(presize(n));
      for (uint64_t i = 0; i < n; ++i) {
        if (!read_string(&element_, List::kMaxElement, "a set member")) return false;
        if (!set.add(element_, max_intset)) return fail("Duplicate set members detected");
        if (!tick()) return false;
      }
    } else if (type == kTypeSetIntset) {
      if (!read_string(&blob_, kMaxBlob, "an intset")) return false;
      const auto* p = reinterpret_cast<const uint8_t*>(blob_.data());
      if (blob_.size() < 8) return fail("An intset of " + std::to_string(blob_.size()) + " bytes");
      const uint64_t width = le(p, 4);
      const uint64_t count = le(p + 4, 4);
      if (width != 2 && width != 4 && width != 8)
        return fail("An intset with encoding " + std::to_string(width));
      if (count == 0 || 8 + count * width != blob_.size())
        return fail("An intset of " + std::to_string(blob_.size()) + " bytes counting " +
                    std::to_string(count) + " members of " + std::to_string(width) + " bytes");
      int64_t prev = 0;
      for (uint64_t i = 0; i < count; ++i) {
        const int64_t v = sign_extend(le(p + 8 + i * width, static_cast<int>(width)),
                                      static_cast<int>(width * 8));
        if (i > 0 && v <= prev) return fail("An intset not sorted or with duplicates");
        prev = v;
        char buf[24];
        set.add(set_detail::format_int(v, buf), max_intset);
      }
    } else {
      return fail("Not a set type: " + std::to_string(type));
    }
    if (blob_.capacity() > (size_t{4} << 20)) std::string().swap(blob_);
    *empty = set.empty();
    return true;
  }

  // listpack.c's format: total bytes (u32 LE), count (u16 LE, 65535 = unknown), entries of
  // <encoding><data><backlen>, 0xff. Validated as lpValidateIntegrity does, deeply: every entry
  // inside the blob, every backlen right, the count right and the terminator last.
  // One decoded element of a listpack or ziplist, handed to the sink as bytes: an integer
  // formatted as Redis would, or the first len bytes of data. The sink returns false (after
  // fail()) to stop. Lists, hashes and sorted sets share these two parsers through their sinks.
  template <class Sink>
  bool emit_element(Sink& sink, bool is_int, int64_t v, std::string_view data, uint64_t len) {
    if (is_int) {
      element_.clear();
      append_int64(element_, v);
      return sink(std::string_view(element_));
    }
    if (len > List::kMaxElement) return fail("An element over 512 MB");
    return sink(data.substr(0, len));
  }

  template <class Sink>
  bool parse_listpack(std::string_view lp, Sink&& sink) {
    const auto* p = reinterpret_cast<const uint8_t*>(lp.data());
    const size_t size = lp.size();
    if (size < kListpackHeader + 1) return fail("A listpack of " + std::to_string(size) + " bytes");
    if (le(p, 4) != size)
      return fail("A listpack whose header says " + std::to_string(le(p, 4)) +
                  " bytes, in a string of " + std::to_string(size));
    const uint64_t count = le(p + 4, 2);
    const size_t end = size - 1;  // the terminator's position
    if (p[end] != kListpackEof) return fail("A listpack without its terminator");
    size_t pos = kListpackHeader;
    uint64_t n = 0;
    while (pos < end) {
      const uint8_t b = p[pos];
      size_t header = 0;
      uint64_t data_len = 0;
      bool is_int = true;
      int64_t v = 0;
      auto need = [&](size_t k) { return end - pos >= k; };
      if ((b & 0x80) == 0) {
        header = 1;
        v = b;
      } else if ((b & 0xc0) == 0x80) {
        header = 1;
        data_len = b & 0x3f;
        is_int = false;
      } else if ((b & 0xe0) == 0xc0) {
        if (!need(2)) return fail("A truncated listpack entry");
        header = 2;
        v = sign_extend((uint64_t{b & 0x1fu} << 8) | p[pos + 1], 13);
      } else if ((b & 0xf0) == 0xe0) {
        if (!need(2)) return fail("A truncated listpack entry");
        header = 2;
        data_len = (uint64_t{b & 0x0fu} << 8) | p[pos + 1];
        is_int = false;
      } else if (b == 0xf0) {
        if (!need(5)) return fail("A truncated listpack entry");
        header = 5;
        data_len = le(p + pos + 1, 4);
        is_int = false;
      } else if (b >= 0xf1 && b <= 0xf4) {
        const int bytes = b == 0xf1 ? 2 : b == 0xf2 ? 3 : b == 0xf3 ? 4 : 8;
        if (!need(1 + static_cast<size_t>(bytes))) return fail("A truncated listpack entry");
        header = 1 + bytes;
        v = sign_extend(le(p + pos + 1, bytes), 8 * bytes);
      } else {
        return fail("Invalid listpack entry encoding " + std::to_string(b));
      }
      const uint64_t enc_len = header + data_len;
      if (enc_len > end - pos) return fail("A listpack entry past the end of its listpack");
      const size_t back = enc_len <= 127        ? 1
                          : enc_len < 16383     ? 2
                          : enc_len < 2097151   ? 3
                          : enc_len < 268435455 ? 4
                                                : 5;
      if (back > end - pos - enc_len) return fail("A listpack entry past the end of its listpack");
      // lpDecodeBacklen, from the entry's last byte leftwards.
      uint64_t decoded = 0;
      {
        size_t q = pos + enc_len + back - 1;
        int shift = 0;
        for (;;) {
          decoded |= uint64_t{p[q] & 127u} << shift;
          if ((p[q] & 128) == 0) break;
          shift += 7;
          if (shift > 28 || q == pos + enc_len) {
            decoded = UINT64_MAX;
            break;
          }
          --q;
        }
      }
      if (decoded != enc_len) return fail("A listpack entry with a wrong back length");
      if (!emit_element(sink, is_int, v, lp.substr(pos + header), data_len)) {
        return false;
      }
      pos += enc_len + back;
      ++n;
    }
    if (count != kListpackCountUnknown && count != n) {
      return fail("A listpack whose header counts " + std::to_string(count) + " entries, holding " +
                  std::to_string(n));
    }
    return true;
  }

  // ziplist.c's format: total bytes (u32 LE), offset of the last entry (u32 LE), count (u16 LE),
  // entries of <prevlen><encoding><data>, 0xff. Validated as ziplistValidateIntegrity does.
  template <class Sink>
  bool parse_ziplist(std::string_view zl, Sink&& sink) {
    constexpr size_t kHeader = 10;
    const auto* p = reinterpret_cast<const uint8_t*>(zl.data());
    const size_t size = zl.size();
    if (size < kHeader + 1) return fail("A ziplist of " + std::to_string(size) + " bytes");
    if (le(p, 4) != size)
      return fail("A ziplist whose header says " + std::to_string(le(p, 4)) +
                  " bytes, in a string of " + std::to_string(size));
    const uint64_t tail = le(p + 4, 4);
    const uint64_t count = le(p + 8, 2);
    const size_t end = size - 1;
    if (p[end] != 0xff) return fail("A ziplist without its terminator");
    size_t pos = kHeader, last = kHeader;
    uint64_t prev_len = 0, n = 0;
    while (pos < end) {
      const size_t start = pos;
      uint64_t prevlen;
      if (p[pos] < 254) {
        prevlen = p[pos];
        pos += 1;
      } else {
        if (p[pos] == 255 || end - pos < 5)
          return fail("A ziplist entry with a bad previous length");
        prevlen = le(p + pos + 1, 4);
        pos += 5;
      }
      if (prevlen != prev_len) return fail("A ziplist entry whose previous length is wrong");
      if (pos >= end) return fail("A truncated ziplist entry");
      const uint8_t b = p[pos];
      size_t header = 1;
      uint64_t data_len = 0;
      bool is_int = true;
      int64_t v = 0;
      auto need = [&](size_t k) { return end - pos >= k; };
      if ((b >> 6) == 0) {
        data_len = b & 0x3f;
        is_int = false;
      } else if ((b >> 6) == 1) {
        if (!need(2)) return fail("A truncated ziplist entry");
        header = 2;
        data_len = (uint64_t{b & 0x3fu} << 8) | p[pos + 1];
        is_int = false;
      } else if ((b >> 6) == 2) {
        if (!need(5)) return fail("A truncated ziplist entry");
        header = 5;
        data_len = (uint64_t{p[pos + 1]} << 24) | (uint64_t{p[pos + 2]} << 16) |
                   (uint64_t{p[pos + 3]} << 8) | p[pos + 4];
        is_int = false;
      } else {
        int bytes = 0;
        switch (b) {
          case 0xc0:
            bytes = 2;
            break;
          case 0xd0:
            bytes = 4;
            break;
          case 0xe0:
            bytes = 8;
            break;
          case 0xf0:
            bytes = 3;
            break;
          case 0xfe:
            bytes = 1;
            break;
          default:
            if (b >= 0xf1 && b <= 0xfd) {
              v = (b & 0x0f) - 1;
            } else {
              return fail("Invalid ziplist entry encoding " + std::to_string(b));
            }
        }
        if (bytes > 0) {
          if (!need(1 + static_cast<size_t>(bytes))) return fail("A truncated ziplist entry");
          header = 1 + bytes;
          v = sign_extend(le(p + pos + 1, bytes), 8 * bytes);
        }
      }
      if (header + data_len > end - pos) return fail("A ziplist entry past the end of its ziplist");
      if (!emit_element(sink, is_int, v, zl.substr(pos + header), data_len)) {
        return false;
      }
      pos += header + data_len;
      last = start;
      prev_len = pos - start;
      ++n;
    }
    if (tail != last) return fail("A ziplist whose tail offset is wrong");
    if (count != 0xffff && count != n) {
      return fail("A ziplist whose header counts " + std::to_string(count) + " entries, holding " +
                  std::to_string(n));
    }
    return true;
  }

  // Progress between list nodes too: a single key may be hundreds of megabytes.
  std::function<bool()> on_tick;
  bool tick() { return !on_tick || on_tick(); }

  std::string element_;
  std::string blob_;
  std::string lzf_in_;

 private:
  Input& in_;
  const ValueLimits limits_;
  std::string error_;
};

class Loader {
 public:
  Loader(Input& in, Store& store, const RdbLoadOptions& options, RdbLoadResult& result)
      : in_(in), d_(in, options.limits), store_(store), options_(options), result_(result) {
    if (options_.progress) {
      d_.on_tick = [this] { return progress(); };
    }
  }

  ~Loader() {
    for (; pending_count_ > 0; --pending_count_) {
      Entry::destroy(pending_[pending_first_].entry);
      pending_first_ = (pending_first_ + 1) % kLinkAhead;
    }
  }
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  void run() {
    if (!load()) result_.error = d_.error();
    result_.bytes_read = in_.offset();
  }

 private:
  // A key read but not linked yet. Linking it (the duplicate check's lookup, then the insert)
  // reads its bucket and the entries chained there, all cache misses in a table of millions of
  // keys: perf put more than half of a load's user-space time in them (most of the rest of a
  // start is the kernel zeroing new pages). Linking each key kLinkAhead keys
  // after it is read lets those lines arrive meanwhile: its bucket is prefetched when its key is
  // read, the first entry chained there halfway.
  struct PendingKey {
    Database* db;
    Entry* entry;
    int64_t expire_at;
    uint64_t hash;
  };
  static constexpr size_t kLinkAhead = 8;

  bool link_ahead(const PendingKey& key) {
    if (pending_count_ == kLinkAhead && !link_oldest()) {
      Entry::destroy(key.entry);
      return false;
    }
    pending_[(pending_first_ + pending_count_) % kLinkAhead] = key;
    ++pending_count_;
    if (pending_count_ > kLinkAhead / 2) {
      const PendingKey& halfway =
          pending_[(pending_first_ + pending_count_ - 1 - kLinkAhead / 2) % kLinkAhead];
      halfway.db->dict().prefetch_entries(halfway.hash);
    }
    return true;
  }

  bool link_oldest() {
    const PendingKey key = pending_[pending_first_];
    pending_first_ = (pending_first_ + 1) % kLinkAhead;
    --pending_count_;
    if (key.db->peek(key.entry->key()) != nullptr) {
      const std::string text = "Duplicate key " + quoted_key(key.entry->key()) + " in database " +
                               std::to_string(key.db->index());
      Entry::destroy(key.entry);
      return d_.fail(text);
    }
    key.db->add_loaded_entry(key.entry);
    if (key.expire_at != kNoExpire) key.db->set_expire(key.entry, key.expire_at);
    result_.keys_loaded++;
    return true;
  }

  bool link_pending() {
    while (pending_count_ > 0) {
      if (!link_oldest()) return false;
    }
    return true;
  }

  bool progress() {
    if (!options_.progress || in_.offset() - last_progress_ < options_.progress_interval) {
      return true;
    }
    last_progress_ = in_.offset();
    if (!options_.progress({in_.offset(), result_.keys_loaded})) return d_.fail("Loading stopped");
    return true;
  }

  bool load() {
    char magic[9];
    if (!d_.read_fixed(magic, 9, "the header")) return false;
    if (std::memcmp(magic, "REDIS", 5) != 0)
      return d_.fail("Wrong signature trying to load DB from file");
    int version = 0;
    for (int i = 5; i < 9; ++i) {
      if (magic[i] < '0' || magic[i] > '9')
        return d_.fail("Wrong signature trying to load DB from file");
      version = version * 10 + (magic[i] - '0');
    }
    if (version < 1 || version > kVersion) {
      return d_.fail("Can't handle RDB format version " + std::to_string(version));
    }
    result_.version = version;

    int db = 0;
    int64_t expire_at = kNoExpire;
    bool has_expire = false;
    std::string key;
    for (;;) {
      uint8_t type;
      if (!d_.read_byte(&type, "an opcode")) return false;
      switch (type) {
        case kOpExpireTimeMs: {
          uint8_t buf[8];
          if (!d_.read_fixed(buf, 8, "an expire time")) return false;
          expire_at = static_cast<int64_t>(le(buf, 8));
          has_expire = true;
          continue;
        }
        case kOpExpireTime: {
          uint8_t buf[4];
          if (!d_.read_fixed(buf, 4, "an expire time")) return false;
          expire_at = sign_extend(le(buf, 4), 32) * 1000;
          has_expire = true;
          continue;
        }
        case kOpFreq: {
          uint8_t freq;
          if (!d_.read_byte(&freq, "an LFU frequency")) return false;
          continue;
        }
        case kOpIdle: {
          uint64_t idle;
          if (!d_.read_plain_length(&idle, "an LRU idle time")) return false;
          continue;
        }
        case kOpEof:
          return link_pending() && finish();
        case kOpSelectDb: {
          uint64_t index;
          if (!d_.read_plain_length(&index, "a database number")) return false;
          if (index >= static_cast<uint64_t>(store_.db_count())) {
            return d_.fail("The file selects database " + std::to_string(index) +
                           ", out of range: this server has " + std::to_string(store_.db_count()) +
                           " databases (see 'databases')");
          }
          db = static_cast<int>(index);
          continue;
        }
        case kOpResizeDb: {
          uint64_t keys, expires;
          if (!d_.read_plain_length(&keys, "a RESIZEDB size") ||
              !d_.read_plain_length(&expires, "a RESIZEDB size")) {
            return false;
          }
          // Sizing the table once saves the incremental rehashes of growing it key by key. The
          // hint is the file's word: trust it only as far as the bytes left could hold that many
          // keys (three bytes at least each, twelve with an expiry: its opcode and 8-byte time),
          // and never past 2^27; a stream of unknown size (a pipe) gets no reservation at all.
          // (reserve sizes only an empty table: link the keys read before first, as they came.)
          if (!link_pending()) return false;
          if (d_.remaining() != kUnknownSize) {
            const uint64_t most = std::min<uint64_t>(d_.remaining() / 3, uint64_t{1} << 27);
            const uint64_t most_expires = std::min<uint64_t>(d_.remaining() / 12, most);
            store_.db(db).reserve(static_cast<size_t>(std::min(keys, most)),
                                  static_cast<size_t>(std::min(expires, most_expires)));
          }
          continue;
        }
        case kOpAux: {
          std::string name, value;
          if (!d_.read_string(&name, kMaxString, "an AUX field name") ||
              !d_.read_string(&value, kMaxString, "an AUX field value")) {
            return false;
          }
          result_.aux.emplace_back(std::move(name), std::move(value));
          continue;
        }
        case kOpModuleAux:
          return d_.fail("The file holds module data (MODULE_AUX): Basalt has no modules");
        case kOpFunction:
        case kOpFunction2:
          return d_.fail("The file holds Redis functions (FUNCTION): Basalt does not store them");
        default:
          break;
      }
      if (!d_.read_string(&key, kMaxString, "a key")) return false;
      if (!is_stored_type(type)) {
        const std::string_view label = type_label(type);
        if (label.empty()) {
          return d_.fail("Can't load key " + quoted_key(key) + ": unknown RDB value type " +
                         std::to_string(type));
        }
        return d_.fail("Can't load key " + quoted_key(key) + " of type " + std::string(label) +
                       ": Basalt does not store " + std::string(type_plural(label)) + " yet");
      }
      // The duplicate check and the insert will read this key's bucket: start loading it now
      // (a table of millions of slots misses on almost every key); the key is linked
      // kLinkAhead keys later (link_ahead).
      const uint64_t hash = store_.db(db).dict().key_hash(key);
      store_.db(db).dict().prefetch_slots(hash);
      // A string goes from the read buffer into its entry (Database::add_loaded_string), so that
      // a key takes the same bytes after a restart as when it was written.
      Value value;
      bool empty = false;
      const bool is_string = type == kTypeString;
      if (is_string) {
        if (!d_.read_string(&d_.element_, kMaxString, "a string value")) return false;
      } else if (is_hash_type(type)) {
        if (!d_.read_hash(type, &value, &empty)) return false;
      } else if (is_set_type(type)) {
        if (!d_.read_set(type, &value, &empty)) return false;
      } else if (!d_.read_container(type, &value, &empty)) {
        return false;
      }
      const bool expired = has_expire && expire_at <= store_.now_ms() && !options_.keep_expired;
      has_expire = false;
      if (empty) {
        if (result_.empty_skipped++ < 10) result_.empty_skipped_keys.push_back(key);
      } else if (expired) {
        result_.expired_skipped++;
      } else {
        Entry* e = is_string ? Entry::create_string(key, d_.element_)
                             : Entry::create(key, std::move(value));
        if (!link_ahead({&store_.db(db), e, expire_at, hash})) return false;
      }
      if (is_string && d_.element_.capacity() > (size_t{4} << 20)) std::string().swap(d_.element_);
      expire_at = kNoExpire;
      if (!progress()) return false;
    }
  }

  bool finish() {
    if (result_.version < 5) return true;  // checksums came with version 5
    const uint64_t expected = in_.crc();
    uint8_t buf[8];
    if (!d_.read_fixed(buf, 8, "the checksum")) return false;
    const uint64_t stored = le(buf, 8);
    // Redis's rule: zero means the writer had rdbchecksum off, so nothing is checked.
    if (stored == 0 || !options_.verify_checksum) return true;
    if (stored != expected) {
      char text[96];
      std::snprintf(
          text, sizeof(text), "Wrong RDB checksum (RDB CRC error): expected %016llx, got %016llx",
          static_cast<unsigned long long>(expected), static_cast<unsigned long long>(stored));
      return d_.fail(text);
    }
    result_.checksum_verified = true;
    return true;
  }

  Input& in_;
  Decoder d_;
  Store& store_;
  const RdbLoadOptions& options_;
  RdbLoadResult& result_;
  uint64_t last_progress_ = 0;
  std::array<PendingKey, kLinkAhead> pending_{};
  size_t pending_first_ = 0;
  size_t pending_count_ = 0;
};

}  // namespace

std::optional<std::string> RdbLoadResult::aux_field(std::string_view name) const {
  for (const auto& [k, v] : aux) {
    if (k == name) return v;
  }
  return std::nullopt;
}

RdbLoadResult load_rdb(std::string_view bytes, Store& store, const RdbLoadOptions& options) {
  RdbLoadResult result;
  Input in(bytes);
  Loader(in, store, options, result).run();
  return result;
}

RdbLoadResult load_rdb_file(const std::string& path, Store& store, const RdbLoadOptions& options) {
  RdbLoadResult result;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    result.error = "Can't open " + path + ": " + std::strerror(errno);
    return result;
  }
  result.opened = true;
  struct stat st;
  uint64_t size = kUnknownSize;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) size = static_cast<uint64_t>(st.st_size);
  Input in(fd, size);
  Loader(in, store, options, result).run();
  ::close(fd);
  if (result.error) *result.error = path + ": " + *result.error;
  return result;
}

RestoreResult restore_value(std::string_view payload, const ValueLimits& limits,
                            bool verify_checksum) {
  RestoreResult r;
  // verifyDumpPayload: the last ten bytes are the RDB version (2 LE) and the CRC-64 (8 LE) of
  // everything before the CRC.
  if (payload.size() < 10) {
    r.status = RestoreStatus::kBadPayload;
    r.detail = "payload shorter than its footer";
    return r;
  }
  const auto* footer = reinterpret_cast<const uint8_t*>(payload.data() + payload.size() - 10);
  const uint64_t version = le(footer, 2);
  const uint64_t crc = le(footer + 2, 8);
  if (version > static_cast<uint64_t>(kVersion) ||
      (verify_checksum && crc != crc64(0, payload.data(), payload.size() - 8))) {
    r.status = RestoreStatus::kBadPayload;
    r.detail = "version or checksum";
    return r;
  }
  Input in(payload.substr(0, payload.size() - 10));
  Decoder d(in, limits);
  uint8_t type;
  if (!d.read_byte(&type, "the type")) {
    r.detail = d.error();
    return r;
  }
  if (!is_stored_type(type)) {
    const std::string_view label = type_label(type);
    if (label.empty()) {
      r.detail = "unknown RDB value type " + std::to_string(type);
      return r;
    }
    r.status = RestoreStatus::kUnsupportedType;
    r.detail = "Basalt does not store " + std::string(type_plural(label)) + " yet";
    return r;
  }
  bool empty = false;
  if (type == kTypeString) {
    std::string s;
    if (!d.read_string(&s, kMaxString, "a string value")) {
      r.detail = d.error();
      return r;
    }
    r.value = Value(s);
  } else if (is_hash_type(type)  ? !d.read_hash(type, &r.value, &empty)
             : is_set_type(type) ? !d.read_set(type, &r.value, &empty)
                                 : !d.read_container(type, &r.value, &empty)) {
    r.detail = d.error();
    r.value = Value();
    return r;
  }
  if (empty || !in.at_end()) {
    r.detail = empty ? "an empty collection" : "bytes after the value";
    r.value = Value();
    return r;
  }
  r.status = RestoreStatus::kOk;
  return r;
}

std::string_view restore_error_text(RestoreStatus status) {
  switch (status) {
    case RestoreStatus::kOk:
      return "";
    case RestoreStatus::kBadPayload:
      return "ERR DUMP payload version or checksum are wrong";
    case RestoreStatus::kBadData:
      return "ERR Bad data format";
    case RestoreStatus::kUnsupportedType:
      return "ERR Bad data format";
  }
  return "ERR Bad data format";
}

}  // namespace basalt
