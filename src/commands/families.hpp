#pragma once
// One registration function per command family, each in its own file; registry.cpp calls them.

namespace basalt {

class CommandTable;

void register_strings(CommandTable& table);       // strings.cpp
void register_lists(CommandTable& table);         // lists.cpp
void register_keys(CommandTable& table);          // keys.cpp (keyspace and expiry)
void register_connection(CommandTable& table);    // connection.cpp
void register_server(CommandTable& table);        // server.cpp
void register_transactions(CommandTable& table);  // transactions.cpp

}  // namespace basalt
