// rle_of_runs: Label Studio's brush mask RLE (thi.ng rle-pack, plugins/image/rle_pack.hpp) of a mask
// given as runs of equal words, for tests that need masks without the image plugin's encoder.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace annot::plugins::export_support::testing {

// The RLE of runs (value, count) of 8-bit words, written as repeats of up to 65536 words, as the
// editor's encoder writes long runs: a few bytes for an image of any size, without building its words.
inline std::vector<std::uint8_t> rle_of_runs(
    const std::vector<std::pair<std::uint8_t, std::uint64_t>>& runs) {
  std::vector<std::uint8_t> out;
  std::uint64_t bit = 0;
  auto put = [&](std::uint64_t v, unsigned n) {
    for (unsigned i = n; i-- > 0; ++bit) {
      if ((bit & 7) == 0) out.push_back(0);
      if ((v >> i) & 1u) out.back() = static_cast<std::uint8_t>(out.back() | (0x80u >> (bit & 7)));
    }
  };
  std::uint64_t total = 0;
  for (const auto& r : runs) total += r.second;
  put(total, 32);
  put(7, 5);  // 8-bit words
  for (unsigned s : {3u, 4u, 8u, 16u}) put(s - 1, 4);
  for (auto [value, count] : runs) {
    while (count) {
      const std::uint64_t n = std::min<std::uint64_t>(count, 65536);
      put(1, 1);  // repeat
      put(3, 2);  // the 16-bit run field
      put(n - 1, 16);
      put(value, 8);
      count -= n;
    }
  }
  return out;
}

}  // namespace annot::plugins::export_support::testing
