#include "commands/engine.hpp"
#include "commands/families.hpp"

namespace basalt {

// The one place every family is registered: no static self-registration, so the table's contents
// never depend on link order.
void register_all_commands(CommandTable& table) {
  register_strings(table);
  register_lists(table);
  register_hashes(table);
  register_sets(table);
  register_sort(table);
  register_zsets(table);
  register_keys(table);
  register_connection(table);
  register_server(table);
  register_debug(table);
  register_transactions(table);
  register_persistence(table);
  register_bitmaps(table);
  register_hyperloglog(table);
  register_pubsub(table);
}

}  // namespace basalt
