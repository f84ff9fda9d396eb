// rle_pack: decoder and encoder of the thi.ng rle-pack bitstream used by Label Studio's brushes.
#include "rle_pack.hpp"

#include <algorithm>
#include <stdexcept>

namespace annot::plugins::image {
namespace {

// Reads big-endian bit fields; reports running past the end instead of reading garbage.
class bit_reader {
 public:
  explicit bit_reader(std::span<const std::uint8_t> data) noexcept : data_(data), size_(data.size() * 8) {}

  std::uint64_t position() const noexcept { return pos_; }
  std::uint64_t remaining() const noexcept { return size_ - pos_; }

  // `bits` <= 32; the caller checked remaining().
  std::uint32_t read(unsigned bits) noexcept {
    std::uint32_t v = 0;
    for (unsigned i = 0; i < bits; ++i, ++pos_) {
      unsigned byte = data_[static_cast<std::size_t>(pos_ >> 3)];
      v = (v << 1) | ((byte >> (7 - (pos_ & 7))) & 1u);
    }
    return v;
  }
  void skip(std::uint64_t bits) noexcept { pos_ += bits; }

 private:
  std::span<const std::uint8_t> data_;
  std::uint64_t size_;
  std::uint64_t pos_ = 0;
};

class bit_writer {
 public:
  void write(std::uint32_t value, unsigned bits) {
    for (unsigned i = bits; i-- > 0;) {
      if ((pos_ & 7) == 0) out_.push_back(0);
      if ((value >> i) & 1u) out_.back() = static_cast<std::uint8_t>(out_.back() | (0x80u >> (pos_ & 7)));
      ++pos_;
    }
  }
  std::vector<std::uint8_t> take() { return std::move(out_); }

 private:
  std::vector<std::uint8_t> out_;
  std::uint64_t pos_ = 0;
};

std::string at_bit(std::uint64_t bit) { return " (at bit " + std::to_string(bit) + ")"; }

}  // namespace

rle_decoded rle_decode(std::span<const std::uint8_t> packed, std::vector<std::uint8_t>* out) {
  rle_decoded r;
  bit_reader in(packed);
  constexpr unsigned header_bits = 32 + 5 + 4 * 4;
  if (in.remaining() < header_bits) {
    r.error = "is " + std::to_string(packed.size()) + " bytes long, shorter than the 7-byte rle-pack header";
    return r;
  }
  r.header.count = in.read(32);
  r.header.word_size = in.read(5) + 1;
  for (auto& s : r.header.run_sizes) s = in.read(4) + 1;
  if (out) {
    if (r.header.word_size > 8) {
      r.error = "uses " + std::to_string(r.header.word_size) + "-bit words, which do not fit in bytes";
      return r;
    }
    out->clear();
    out->reserve(r.header.count);
  }

  const std::uint64_t n = r.header.count;
  const unsigned word = r.header.word_size;
  while (r.words < n) {
    const std::uint64_t chunk_at = in.position();
    if (in.remaining() < 3) {
      r.error = "ends after " + std::to_string(r.words) + " of the " + std::to_string(n) + " words it declares" +
                at_bit(chunk_at);
      return r;
    }
    const bool repeat = in.read(1) != 0;
    const unsigned size = r.header.run_sizes[in.read(2)];
    if (in.remaining() < size) {
      r.error = "ends inside a run length" + at_bit(chunk_at);
      return r;
    }
    const std::uint64_t run = std::uint64_t{in.read(size)} + 1;
    if (run > n - r.words) {
      r.error = "has a run of " + std::to_string(run) + " words at word " + std::to_string(r.words) +
                " that goes past the " + std::to_string(n) + " words it declares" + at_bit(chunk_at);
      return r;
    }
    const std::uint64_t payload = repeat ? word : run * word;
    if (in.remaining() < payload) {
      r.error = "ends inside a " + std::string(repeat ? "repeat" : "literal") + " chunk of " + std::to_string(run) +
                " words" + at_bit(chunk_at);
      return r;
    }
    if (!out) {
      in.skip(payload);
    } else if (repeat) {
      auto v = static_cast<std::uint8_t>(in.read(word));
      out->insert(out->end(), static_cast<std::size_t>(run), v);
    } else {
      for (std::uint64_t i = 0; i < run; ++i) out->push_back(static_cast<std::uint8_t>(in.read(word)));
    }
    r.words += run;
    ++r.chunks;
  }
  r.ok = true;
  return r;
}

rle_reader::rle_reader(std::span<const std::uint8_t> packed) noexcept : data_(packed) {
  if (data_.size() * 8 < 32 + 5 + 4 * 4) return;
  left_ = bits(32);
  word_ = bits(5) + 1;
  for (auto& s : run_sizes_) s = bits(4) + 1;
  if (word_ > 8) left_ = 0;
}

std::uint32_t rle_reader::bits(unsigned n) noexcept {
  std::uint32_t v = 0;
  const std::uint64_t end = data_.size() * 8;
  for (unsigned i = 0; i < n; ++i, ++pos_) {
    const unsigned bit =
        pos_ < end ? (data_[static_cast<std::size_t>(pos_ >> 3)] >> (7 - (pos_ & 7))) & 1u : 0u;
    v = (v << 1) | bit;
  }
  return v;
}

std::size_t rle_reader::read(std::span<std::uint8_t> out) noexcept {
  const std::uint64_t end = data_.size() * 8;
  std::size_t done = 0;
  while (done < out.size() && left_ > 0) {
    if (in_chunk_ == 0) {
      if (end - pos_ < 3) break;
      repeat_ = bits(1) != 0;
      const unsigned size = run_sizes_[bits(2)];
      in_chunk_ = std::min<std::uint64_t>(std::uint64_t{bits(size)} + 1, left_);
      if (repeat_) value_ = static_cast<std::uint8_t>(bits(word_));
      if (pos_ > end) break;  // a stream rle_decode refused
    }
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(in_chunk_, out.size() - done));
    if (repeat_) {
      std::fill_n(out.data() + done, n, value_);
    } else {
      for (std::size_t i = 0; i < n; ++i) out[done + i] = static_cast<std::uint8_t>(bits(word_));
    }
    done += n;
    in_chunk_ -= n;
    left_ -= n;
  }
  return done;
}

std::vector<std::uint8_t> rle_encode(std::span<const std::uint8_t> words, unsigned word_size,
                                     std::array<unsigned, 4> run_sizes) {
  if (word_size < 1 || word_size > 8) throw std::invalid_argument("rle_encode: word size must be 1..8");
  for (std::size_t i = 0; i < run_sizes.size(); ++i) {
    if (run_sizes[i] < 1 || run_sizes[i] > 16 || (i > 0 && run_sizes[i] < run_sizes[i - 1]))
      throw std::invalid_argument("rle_encode: run sizes must be 1..16 and ascending");
  }
  if (words.size() > 0xFFFFFFFFu) throw std::invalid_argument("rle_encode: more than 2^32 words");
  if (word_size < 8)
    for (std::uint8_t v : words)
      if (v >> word_size) throw std::invalid_argument("rle_encode: a word does not fit in the word size");

  bit_writer w;
  w.write(static_cast<std::uint32_t>(words.size()), 32);
  w.write(word_size - 1, 5);
  for (unsigned s : run_sizes) w.write(s - 1, 4);

  const std::size_t max_run = std::size_t{1} << run_sizes[3];
  // The run-length field: the smallest size that holds run - 1.
  auto write_run = [&](std::size_t run) {
    const auto v = static_cast<std::uint32_t>(run - 1);
    unsigned idx = 0;
    while (idx < 3 && (v >> run_sizes[idx]) != 0) ++idx;
    w.write(idx, 2);
    w.write(v, run_sizes[idx]);
  };
  auto literal = [&](std::size_t from, std::size_t to) {
    while (from < to) {
      std::size_t run = std::min(to - from, max_run);
      w.write(0, 1);
      write_run(run);
      for (std::size_t i = from; i < from + run; ++i) w.write(words[i], word_size);
      from += run;
    }
  };

  std::size_t i = 0, lit_from = 0;
  while (i < words.size()) {
    std::size_t j = i + 1;
    while (j < words.size() && words[j] == words[i] && j - i < max_run) ++j;
    if (j - i >= 2) {
      literal(lit_from, i);
      w.write(1, 1);
      write_run(j - i);
      w.write(words[i], word_size);
      lit_from = j;
    }
    i = j;
  }
  literal(lit_from, words.size());
  return w.take();
}

}  // namespace annot::plugins::image
