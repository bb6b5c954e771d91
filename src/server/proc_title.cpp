#include "server/proc_title.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace basalt {

namespace {

char* g_area = nullptr;  // where the command line and the environment were
size_t g_area_size = 0;
std::string g_program;
// The copies argv and environ point at from then on, for the process's lifetime: held here, and
// never destroyed (exit runs static destructors before a leak checker looks), so that they stay
// reachable.
std::vector<char*>& g_copies = *new std::vector<char*>;
std::vector<char*>& g_environ = *new std::vector<char*>;

char* copy(const char* s) {
  char* c = strdup(s);
  g_copies.push_back(c);
  return c;
}

}  // namespace

void init_proc_title(int argc, char** argv) {
  if (g_area != nullptr || argc < 1 || argv == nullptr || argv[0] == nullptr) return;
  g_program = argv[0];
  // The kernel lays the arguments and then the environment out end to end; the area is as far
  // as that holds (a string moved by someone else ends it).
  char* const begin = argv[0];
  char* end = begin + std::strlen(begin) + 1;
  for (int i = 1; i < argc && argv[i] == end; ++i) end += std::strlen(argv[i]) + 1;
  if (environ != nullptr) {
    for (size_t i = 0; environ[i] != nullptr && environ[i] == end; ++i) {
      end += std::strlen(environ[i]) + 1;
    }
    for (size_t i = 0; environ[i] != nullptr; ++i) g_environ.push_back(copy(environ[i]));
    g_environ.push_back(nullptr);
    environ = g_environ.data();
  }
  for (int i = 0; i < argc; ++i) argv[i] = copy(argv[i]);
  g_area = begin;
  g_area_size = static_cast<size_t>(end - begin);
}

const std::string& proc_title_program() { return g_program; }

bool set_proc_title(std::string_view title) {
  if (g_area == nullptr || g_area_size < 2) return false;
  // The rest is zeroed: /proc/<pid>/cmdline then ends the title where it ends.
  const size_t n = std::min(title.size(), g_area_size - 1);
  std::memcpy(g_area, title.data(), n);
  std::memset(g_area + n, 0, g_area_size - n);
  return true;
}

}  // namespace basalt
