#pragma once
// LZF, the compression of RDB strings and quicklist nodes, byte-compatible with Redis's liblzf
// (the format, not its code: the compressor here is a plain greedy LZ77 of our own). A stream is
// a sequence of
//   000LLLLL <L+1 literal bytes>                  a literal run of 1..32 bytes
//   LLLooooo oooooooo                             a back-reference, L in 1..6: L+2 bytes
//   111ooooo LLLLLLLL oooooooo                    a back-reference of L+9 bytes
// where the 13-bit o is the distance back minus one (at most 8192 bytes back).

#include <cstddef>
#include <cstdint>
#include <optional>

namespace basalt {

// The largest back-reference is 3 bytes for 264 output bytes: no stream expands more than this
// much, so a claimed uncompressed size above compressed size times this is a lie.
inline constexpr size_t kLzfMaxExpansion = 88;

// Compresses into out; returns the compressed size, or 0 when it does not fit in out_cap (the
// caller then stores the bytes raw, as Redis does). Empty input gives 0.
size_t lzf_compress(const void* in, size_t in_len, void* out, size_t out_cap);

// Decompresses exactly into out; nullopt when the stream is malformed (a literal run or a
// back-reference past either end) or would write more than out_cap. Every read and write is
// bounds-checked: the input is file content.
std::optional<size_t> lzf_decompress(const void* in, size_t in_len, void* out, size_t out_cap);

}  // namespace basalt
