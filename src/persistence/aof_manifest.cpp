#include "persistence/aof_manifest.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/strings.hpp"
#include "persistence/file_io.hpp"

namespace basalt {

namespace {

// Redis reads the manifest with fgets into a buffer of this many bytes plus one.
constexpr size_t kManifestMaxLine = 1024;

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// atoll as glibc has it: leading blanks, a sign, digits, saturating on overflow, 0 for none.
int64_t c_atoll(std::string_view s) {
  const std::string copy(s.substr(0, s.find('\0')));
  return std::strtoll(copy.c_str(), nullptr, 10);
}

// sdstrim(s, " \t\r\n").
std::string_view trim(std::string_view s) {
  auto strip = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && strip(s.front())) s.remove_prefix(1);
  while (!s.empty() && strip(s.back())) s.remove_suffix(1);
  return s;
}

bool is_regular_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::string AofNames::aof_dir() const { return join_path(dir, dirname); }
std::string AofNames::path_of(std::string_view file_name) const {
  return join_path(aof_dir(), file_name);
}
std::string AofNames::manifest_name() const { return filename + ".manifest"; }
std::string AofNames::manifest_path() const { return path_of(manifest_name()); }
std::string AofNames::legacy_path() const { return join_path(dir, filename); }

std::string AofManifestError::to_string(std::string_view where) const {
  std::string text(where);
  text += ": ";
  text += reason;
  if (line > 0) {
    text += " (line ";
    text += std::to_string(line);
    text += ": '";
    text += line_text;
    text += "')";
  }
  return text;
}

std::optional<AofManifestError> AofManifest::parse(std::string_view text, AofManifest* out) {
  *out = AofManifest();
  AofManifest am;
  int64_t max_seq = 0;
  int line_number = 0;
  size_t pos = 0;
  while (true) {
    if (pos >= text.size()) {
      if (line_number == 0) return AofManifestError{"Found an empty AOF manifest", 0, ""};
      break;
    }
    // One fgets: through the next '\n', or kManifestMaxLine bytes, or the end.
    const size_t limit = std::min(text.size(), pos + kManifestMaxLine);
    const size_t newline = text.substr(pos, limit - pos).find('\n');
    const size_t end = newline == std::string_view::npos ? limit : pos + newline + 1;
    std::string_view chunk = text.substr(pos, end - pos);
    pos = end;
    ++line_number;
    if (chunk.front() == '#') continue;
    // Redis handles the buffer as a C string: a NUL ends it.
    chunk = chunk.substr(0, chunk.find('\0'));
    const std::string_view line = trim(chunk);
    auto error = [&](const char* reason) {
      return AofManifestError{reason, line_number, std::string(line)};
    };
    if (chunk.find('\n') == std::string_view::npos)
      return error("The AOF manifest file contains too long line");
    if (line.empty()) return error("Invalid AOF manifest file format");
    auto words = split_args(line);
    // Fewer than six words or an odd count is malformed; more pairs are for future keys.
    if (!words || words->size() < 6 || words->size() % 2 != 0)
      return error("Invalid AOF manifest file format");
    std::optional<std::string> name;
    int64_t seq = 0;
    char type = '\0';
    for (size_t i = 0; i < words->size(); i += 2) {
      const std::string& key = (*words)[i];
      const std::string& value = (*words)[i + 1];
      if (iequal(key, "file")) {
        name = value.substr(0, value.find('\0'));
        if (name->find('/') != std::string::npos || name->find('\\') != std::string::npos)
          return error("File can't be a path, just a filename");
      } else if (iequal(key, "seq")) {
        seq = c_atoll(value);
      } else if (iequal(key, "type")) {
        type = value.empty() ? '\0' : value[0];
      }
    }
    if (!name || seq == 0 || type == '\0') return error("Invalid AOF manifest file format");
    AofFileInfo info{std::move(*name), seq, static_cast<AofFileType>(type)};
    if (type == 'b') {
      if (am.base) return error("Found duplicate base file information");
      am.base_seq = seq;
      am.base = std::move(info);
    } else if (type == 'h') {
      am.history.push_back(std::move(info));
    } else if (type == 'i') {
      if (seq <= max_seq) return error("Found a non-monotonic sequence number");
      am.incr_seq = seq;
      max_seq = seq;
      am.incrs.push_back(std::move(info));
    } else {
      return error("Unknown AOF file type");
    }
  }
  *out = std::move(am);
  return std::nullopt;
}

std::string AofManifest::serialize() const {
  std::string out;
  auto line = [&out](const AofFileInfo& info) {
    out += "file ";
    out += quote_arg(info.name);
    out += " seq ";
    out += std::to_string(info.seq);
    out += " type ";
    out += static_cast<char>(info.type);
    out += '\n';
  };
  if (base) line(*base);
  for (const auto& info : history) line(info);
  for (const auto& info : incrs) line(info);
  return out;
}

const std::string& AofManifest::add_new_base(std::string_view filename, bool rdb) {
  if (base) {
    base->type = AofFileType::kHistory;
    history.insert(history.begin(), std::move(*base));
  }
  ++base_seq;
  std::string name(filename);
  name += "." + std::to_string(base_seq) + ".base" + (rdb ? ".rdb" : ".aof");
  base = AofFileInfo{std::move(name), base_seq, AofFileType::kBase};
  return base->name;
}

const std::string& AofManifest::add_new_incr(std::string_view filename) {
  ++incr_seq;
  std::string name(filename);
  name += "." + std::to_string(incr_seq) + ".incr.aof";
  incrs.push_back(AofFileInfo{std::move(name), incr_seq, AofFileType::kIncr});
  return incrs.back().name;
}

const std::string& AofManifest::last_incr_or_new(std::string_view filename) {
  if (incrs.empty()) return add_new_incr(filename);
  return incrs.back().name;
}

void AofManifest::mark_incrs_before_as_history(int64_t first_kept_seq) {
  std::vector<AofFileInfo> kept;
  // Redis adds each at the head of the history while walking the incrs from the tail, so the
  // history keeps their order.
  std::vector<AofFileInfo> moved;
  for (auto& info : incrs) {
    if (info.seq < first_kept_seq) {
      info.type = AofFileType::kHistory;
      moved.push_back(std::move(info));
    } else {
      kept.push_back(std::move(info));
    }
  }
  history.insert(history.begin(), std::make_move_iterator(moved.begin()),
                 std::make_move_iterator(moved.end()));
  incrs = std::move(kept);
}

std::optional<std::string> load_aof_manifest(const AofNames& names, AofManifest* out, bool* found) {
  *out = AofManifest();
  *found = false;
  if (!is_directory(names.aof_dir())) return std::nullopt;
  const std::string path = names.manifest_path();
  if (!is_regular_file(path)) return std::nullopt;
  std::string error;
  auto text = read_file(path, &error);
  if (!text) return "can't open the AOF manifest file for reading: " + error;
  if (auto parse_error = AofManifest::parse(*text, out)) return parse_error->to_string(path);
  *found = true;
  return std::nullopt;
}

std::optional<std::string> persist_aof_manifest(const AofNames& names,
                                                const AofManifest& manifest) {
  return write_file_atomically(names.manifest_path(), manifest.serialize());
}

std::string_view aof_file_format_name(AofFileFormat format) {
  switch (format) {
    case AofFileFormat::kEmpty:
      return "empty";
    case AofFileFormat::kRdb:
      return "RDB";
    case AofFileFormat::kCommands:
      return "RESP";
  }
  return "unknown";
}

std::optional<AofFileFormat> detect_aof_file_format(const std::string& path, std::string* error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = system_error("can't open", path);
    return std::nullopt;
  }
  char head[5];
  size_t got = 0;
  while (got < sizeof(head)) {
    const ssize_t n = ::read(fd, head + got, sizeof(head) - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = system_error("can't read", path);
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got == 0) return AofFileFormat::kEmpty;
  if (got == sizeof(head) && std::memcmp(head, "REDIS", 5) == 0) return AofFileFormat::kRdb;
  return AofFileFormat::kCommands;
}

namespace {

// aofUpgradePrepare: the manifest first (naming the old file as base 1), then the move. A crash
// between the two leaves a manifest naming a file not yet in the directory, which the next start
// recognises and finishes.
std::optional<std::string> upgrade_legacy(const AofNames& names, AofManifest* manifest) {
  if (::mkdir(names.aof_dir().c_str(), 0755) != 0 && errno != EEXIST)
    return system_error("Can't open or create append-only dir", names.aof_dir());
  manifest->base = AofFileInfo{names.filename, 1, AofFileType::kBase};
  manifest->base_seq = 1;
  if (auto error = persist_aof_manifest(names, *manifest)) return error;
  if (auto error = rename_durably(names.legacy_path(), names.path_of(names.filename)))
    return "Error trying to move the old AOF file into the AOF directory: " + *error;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> prepare_aof_load(const AofNames& names, AofLoadPlan* plan) {
  *plan = AofLoadPlan();
  bool found = false;
  if (auto error = load_aof_manifest(names, &plan->manifest, &found)) return error;
  AofManifest& am = plan->manifest;
  if (is_regular_file(names.legacy_path())) {
    const bool upgrade = !is_directory(names.aof_dir()) || (!am.base && am.incrs.empty()) ||
                         (am.base && am.incrs.empty() && am.base->name == names.filename &&
                          !is_regular_file(names.path_of(names.filename)));
    if (upgrade) {
      if (auto error = upgrade_legacy(names, &am)) return error;
      plan->upgraded = true;
    }
  }
  if (am.empty()) return std::nullopt;

  auto add = [&](const AofFileInfo& info) -> std::optional<std::string> {
    AofPlannedFile file;
    file.name = info.name;
    file.path = names.path_of(info.name);
    file.type = info.type;
    struct stat st;
    if (::stat(file.path.c_str(), &st) != 0)
      return "Unable to obtain the AOF file " + info.name +
             " length. stat: " + std::strerror(errno);
    if (!S_ISREG(st.st_mode)) return "The AOF file " + info.name + " is not a regular file";
    file.size = static_cast<uint64_t>(st.st_size);
    std::string error;
    auto format = detect_aof_file_format(file.path, &error);
    if (!format) return error;
    file.format = *format;
    if (info.type == AofFileType::kIncr && file.format == AofFileFormat::kRdb)
      return "The AOF incr file " + info.name +
             " is in RDB format: only a base file may hold an RDB";
    plan->total_size += file.size;
    plan->files.push_back(std::move(file));
    return std::nullopt;
  };
  if (am.base) {
    if (auto error = add(*am.base)) return error;
    plan->base_size = plan->files.back().size;
  }
  for (const auto& info : am.incrs) {
    if (auto error = add(info)) return error;
  }
  plan->state = plan->total_size == 0 ? AofLoadPlan::State::kEmpty : AofLoadPlan::State::kLoad;
  return std::nullopt;
}

}  // namespace basalt
