#pragma once
// The constants of Redis's RDB format (version 10, Redis 7.0) that the writer and the loader share.
// Layout of a file:
//   "REDIS" + 4-digit version, then opcodes and entries, then EOF (0xff) and, from version 5 on,
//   the CRC-64 of everything before it as 8 bytes little-endian (zero: not computed).
// An entry is [EXPIRETIME_MS <8 bytes LE>] [IDLE <len> | FREQ <byte>] <type byte> <key string>
// <value>. Lengths are 1, 2, 5 or 9 bytes (6-bit, 14-bit, 32-bit and 64-bit, the last two big
// endian); a "length" whose top two bits are 11 is instead a special string encoding (an integer
// of 1, 2 or 4 bytes little endian, or LZF).

#include <cstddef>
#include <cstdint>

namespace basalt::rdb {

inline constexpr int kVersion = 10;
inline constexpr const char* kRedisVersion = "7.0.15";  // what we write as redis-ver

// Length encodings (top two bits of the first byte).
inline constexpr uint8_t k6BitLen = 0;
inline constexpr uint8_t k14BitLen = 1;
inline constexpr uint8_t kEncVal = 3;
inline constexpr uint8_t k32BitLen = 0x80;
inline constexpr uint8_t k64BitLen = 0x81;
// Special string encodings, in the low six bits when the top two are kEncVal.
inline constexpr uint8_t kEncInt8 = 0;
inline constexpr uint8_t kEncInt16 = 1;
inline constexpr uint8_t kEncInt32 = 2;
inline constexpr uint8_t kEncLzf = 3;

// Value types.
inline constexpr uint8_t kTypeString = 0;
inline constexpr uint8_t kTypeList = 1;
inline constexpr uint8_t kTypeSet = 2;
inline constexpr uint8_t kTypeZset = 3;
inline constexpr uint8_t kTypeHash = 4;
inline constexpr uint8_t kTypeZset2 = 5;
inline constexpr uint8_t kTypeModule = 6;
inline constexpr uint8_t kTypeModule2 = 7;
inline constexpr uint8_t kTypeHashZipmap = 9;
inline constexpr uint8_t kTypeListZiplist = 10;
inline constexpr uint8_t kTypeSetIntset = 11;
inline constexpr uint8_t kTypeZsetZiplist = 12;
inline constexpr uint8_t kTypeHashZiplist = 13;
inline constexpr uint8_t kTypeListQuicklist = 14;
inline constexpr uint8_t kTypeStreamListpacks = 15;
inline constexpr uint8_t kTypeHashListpack = 16;
inline constexpr uint8_t kTypeZsetListpack = 17;
inline constexpr uint8_t kTypeListQuicklist2 = 18;
inline constexpr uint8_t kTypeStreamListpacks2 = 19;

// Opcodes.
inline constexpr uint8_t kOpFunction2 = 245;
inline constexpr uint8_t kOpFunction = 246;
inline constexpr uint8_t kOpModuleAux = 247;
inline constexpr uint8_t kOpIdle = 248;
inline constexpr uint8_t kOpFreq = 249;
inline constexpr uint8_t kOpAux = 250;
inline constexpr uint8_t kOpResizeDb = 251;
inline constexpr uint8_t kOpExpireTimeMs = 252;
inline constexpr uint8_t kOpExpireTime = 253;
inline constexpr uint8_t kOpSelectDb = 254;
inline constexpr uint8_t kOpEof = 255;

// Quicklist node containers (RDB_TYPE_LIST_QUICKLIST_2).
inline constexpr uint8_t kContainerPlain = 1;
inline constexpr uint8_t kContainerPacked = 2;

// list-max-listpack-size -2: a node's listpack stops growing at 8 KiB.
inline constexpr size_t kListpackNodeBytes = 8192;
// Redis 7.0's quicklist packed_threshold: an element this large gets a PLAIN node.
inline constexpr size_t kPlainThreshold = size_t{1} << 30;
// Redis skips LZF for strings of 20 bytes or less: not even "aaaa..." compresses below that.
inline constexpr size_t kMinCompressLen = 21;

// Listpack.
inline constexpr size_t kListpackHeader = 6;  // total bytes (u32 LE) + element count (u16 LE)
inline constexpr uint16_t kListpackCountUnknown = 0xffff;
inline constexpr uint8_t kListpackEof = 0xff;

}  // namespace basalt::rdb
