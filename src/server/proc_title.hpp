#pragma once
// The process title that ps, top and /proc/<pid>/cmdline show, as Redis sets it from
// proc-title-template ("/usr/bin/basalt-server 127.0.0.1:6379"). Linux has no setproctitle(3): the
// title is written over the memory that held the command line, and the environment after it,
// once both have been copied elsewhere (what Redis's setproctitle.c does too).

#include <string>
#include <string_view>

namespace basalt {

// At the top of main, before anything keeps pointers into argv or the environment: copies both
// out of the way (argv[i] and environ then point at the copies) and remembers the area they
// occupied. Once only.
void init_proc_title(int argc, char** argv);

// The executable as started (argv[0]), Redis's {title}; empty before init_proc_title.
const std::string& proc_title_program();

// Shows `title`, cut to the area's size; false when init_proc_title found no area.
bool set_proc_title(std::string_view title);

}  // namespace basalt
