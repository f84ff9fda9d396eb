// rle_pack: the bit-packed run-length format of Label Studio's brush masks (thi.ng `rle-pack`).
//
// Layout (all fields big-endian bit strings, MSB first):
//   32 bits  N, the number of words the stream decodes to
//    5 bits  word size - 1 (Label Studio's brushes use 8-bit words: RGBA bytes)
//   4x4 bits the four run-length field sizes - 1 (the default encoder uses 3, 4, 8, 16)
// then chunks until N words were produced:
//    1 bit   1 = repeat (one word, repeated), 0 = literal (that many words follow)
//    2 bits  index of the run-length field size to read next
//    size    run length - 1
//    words   one word (repeat) or `run length` words (literal)
// Trailing bits after the last chunk (byte padding) are ignored.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace annot::plugins::image {

struct rle_header {
  std::uint32_t count = 0;       // words the stream decodes to
  unsigned word_size = 0;        // bits per word, 1..32
  std::array<unsigned, 4> run_sizes{};  // bits of each run-length field, 1..16
};

struct rle_decoded {
  bool ok = false;
  // Why the stream is not decodable; empty when ok.
  std::string error;
  rle_header header;
  // Words decoded (== header.count when ok).
  std::uint64_t words = 0;
  std::size_t chunks = 0;
};

// Decodes `packed`. With `out`, the words are written to it (word_size must be 8 or less: each word
// becomes one byte); without, the stream is only walked and counted, which needs no memory however
// large the mask. Never throws for bad input: a truncated stream, a run past the declared length or
// a header that makes no sense gives ok = false and an error naming the bit offset.
rle_decoded rle_decode(std::span<const std::uint8_t> packed, std::vector<std::uint8_t>* out = nullptr);

// Decodes a stream a few words at a time, so that a mask of any size can be turned into rows without
// holding it whole (a 185 KB stream may declare 30000x30000 RGBA pixels: 3.6 GB decoded at once).
// The stream must be one rle_decode(packed) accepted with a word size of 8 bits or less; on any other
// the reader stops where the stream stops making sense (read() returns fewer words). Keeps a view of
// `packed`, which must outlive it. Not thread-safe; cheap to construct.
class rle_reader {
 public:
  explicit rle_reader(std::span<const std::uint8_t> packed) noexcept;
  // Writes the next words into `out` (one byte each) and returns how many: out.size(), or fewer at the
  // end of the stream.
  std::size_t read(std::span<std::uint8_t> out) noexcept;

 private:
  std::uint32_t bits(unsigned n) noexcept;  // next n <= 32 bits; 0 past the end (the stream was checked)

  std::span<const std::uint8_t> data_;
  std::uint64_t pos_ = 0;       // in bits
  std::uint64_t left_ = 0;      // words of the stream not yet returned
  std::uint64_t in_chunk_ = 0;  // words of the current chunk not yet returned
  bool repeat_ = false;
  std::uint8_t value_ = 0;  // the repeated word
  unsigned word_ = 8;
  std::array<unsigned, 4> run_sizes_{};
};

// Encodes `words` (each below 2^word_size) the way thi.ng's encoder does: runs of two or more equal
// words become repeat chunks, everything else is grouped into literal chunks; run lengths use the
// smallest of `run_sizes` that holds them. Throws std::invalid_argument for a word size outside
// 1..8 or run sizes outside 1..16 or not ascending.
std::vector<std::uint8_t> rle_encode(std::span<const std::uint8_t> words, unsigned word_size = 8,
                                     std::array<unsigned, 4> run_sizes = {3, 4, 8, 16});

}  // namespace annot::plugins::image
