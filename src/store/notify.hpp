#pragma once
// Keyspace notifications (Redis's notify.c): the event classes notify-keyspace-events selects, as
// bits in Redis's own order. A write names its class and event where it happens
// (Database::notify); the engine turns the enabled ones into Pub/Sub messages on
// __keyspace@<db>__:<key> and __keyevent@<db>__:<event>.

#include <cstdint>
#include <string_view>

namespace basalt {

enum NotifyClass : uint32_t {
  kNotifyKeyspace = 1u << 0,  // K
  kNotifyKeyevent = 1u << 1,  // E
  kNotifyGeneric = 1u << 2,   // g: DEL, EXPIRE, RENAME, ...
  kNotifyString = 1u << 3,    // $
  kNotifyList = 1u << 4,      // l
  kNotifySet = 1u << 5,       // s
  kNotifyHash = 1u << 6,      // h
  kNotifyZset = 1u << 7,      // z
  kNotifyExpired = 1u << 8,   // x
  kNotifyEvicted = 1u << 9,   // e
  kNotifyStream = 1u << 10,   // t (Basalt has no streams: never sent)
  kNotifyKeyMiss = 1u << 11,  // m: a read found no key
  kNotifyModule = 1u << 13,   // d (no modules: never sent)
  kNotifyNew = 1u << 14,      // n: a key was created
};

// The bits of a notify-keyspace-events value ("KEA", "Elg", ...: characters Redis accepts, which
// config validation has checked). Without K or E nothing is sent, whatever the classes.
uint32_t notify_flags_from(std::string_view classes);

}  // namespace basalt
