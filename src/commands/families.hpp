#pragma once
// One registration function per command family, each in its own file; registry.cpp calls them.

namespace basalt {

class CommandTable;

void register_strings(CommandTable& table);       // string_family.cpp
void register_lists(CommandTable& table);         // list_family.cpp
void register_hashes(CommandTable& table);        // hash_family.cpp
void register_sets(CommandTable& table);          // set_family.cpp
void register_sort(CommandTable& table);          // sort_family.cpp (SORT, SORT_RO)
void register_zsets(CommandTable& table);         // zset_family.cpp
void register_keys(CommandTable& table);          // generic_family.cpp (keyspace and expiry)
void register_connection(CommandTable& table);    // connection_family.cpp
void register_server(CommandTable& table);        // server_family.cpp
void register_debug(CommandTable& table);         // debug_family.cpp
void register_transactions(CommandTable& table);  // transaction_family.cpp
void register_persistence(CommandTable& table);   // persistence_family.cpp
void register_bitmaps(CommandTable& table);       // bitmap_family.cpp
void register_hyperloglog(CommandTable& table);   // hll_family.cpp
void register_pubsub(CommandTable& table);        // pubsub_family.cpp

}  // namespace basalt
