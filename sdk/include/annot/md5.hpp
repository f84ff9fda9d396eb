/* MD5 (RFC 1321), header-only: the checksums and hashed names Label Studio's formats carry (an
 * export's "md5", the "<md5[:8]>__<name>" of a downloaded image). Not for security.
 * Since: SDK 1.6 */
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace annot {

/** A digest fed piece by piece: the digest of the concatenation of every update().
 *  A plain value without allocation: copy it to digest a common prefix once.
 *  Threading: one thread at a time per object. Since: SDK 1.6 */
class md5 {
 public:
  /** Appends bytes to what is digested. */
  void update(std::string_view bytes) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t n = bytes.size();
    length_ += n;
    absorb(p, n);
  }
  /** The 16 bytes of the digest of everything fed so far; the object is left as it was, so more may
   *  be fed and digested again. */
  std::array<unsigned char, 16> digest() const noexcept {
    md5 end = *this;
    // The 0x80 byte, zeros up to 56 mod 64, then the length in bits (little-endian).
    unsigned char tail[72] = {0x80};
    const std::size_t pad = fill_ < 56 ? 56 - fill_ : 120 - fill_;
    const std::uint64_t bits = length_ * 8;
    for (int i = 0; i < 8; ++i) tail[pad + i] = static_cast<unsigned char>(bits >> (8 * i));
    end.absorb(tail, pad + 8);
    std::array<unsigned char, 16> out{};
    for (int j = 0; j < 16; ++j) out[j] = static_cast<unsigned char>(end.h_[j / 4] >> (8 * (j % 4)));
    return out;
  }
  /** The digest as 32 lowercase hex digits, written to `out` (no terminating zero). */
  void hex_into(char (&out)[32]) const noexcept {
    static constexpr char digits[] = "0123456789abcdef";
    const std::array<unsigned char, 16> d = digest();
    for (int j = 0; j < 16; ++j) {
      out[2 * j] = digits[d[j] >> 4];
      out[2 * j + 1] = digits[d[j] & 0xF];
    }
  }
  /** The digest as 32 lowercase hex digits. */
  std::string hex() const {
    char out[32];
    hex_into(out);
    return std::string(out, sizeof out);
  }
  /** The hex digest of one piece of bytes. */
  static std::string hex_of(std::string_view bytes) {
    md5 m;
    m.update(bytes);
    return m.hex();
  }

 private:
  // Whole blocks go through compress() from where they lie; a partial one waits in block_.
  void absorb(const unsigned char* p, std::size_t n) noexcept {
    if (fill_ > 0) {
      const std::size_t take = n < 64 - fill_ ? n : 64 - fill_;
      std::memcpy(block_ + fill_, p, take);
      fill_ += take;
      p += take;
      n -= take;
      if (fill_ < 64) return;
      compress(block_, std::make_index_sequence<64>{});
      fill_ = 0;
    }
    for (; n >= 64; p += 64, n -= 64) compress(p, std::make_index_sequence<64>{});
    if (n > 0) std::memcpy(block_, p, n);
    fill_ = n;
  }

  static std::uint32_t rotl(std::uint32_t x, int c) noexcept { return (x << c) | (x >> (32 - c)); }

  // One of the 64 steps (RFC 1321 §3.4) with its constants known at compile time, so that the steps
  // unroll into straight code: COCO and YOLO hash the URL of every image, and a loop with a switch per
  // step cost ~6% of a COCO export. The four state words take turns as a, b, c, d: step i updates the
  // word at (64 - i) % 4.
  template <int i>
  static void step(std::uint32_t (&s)[4], const std::uint32_t (&w)[16]) noexcept {
    static constexpr std::uint32_t k[64] = {
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
    static constexpr int r[16] = {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21};
    constexpr int round = i / 16;
    constexpr int g = round == 0   ? i
                      : round == 1 ? (5 * i + 1) % 16
                      : round == 2 ? (3 * i + 5) % 16
                                   : (7 * i) % 16;
    constexpr int a = (64 - i) % 4, b = (65 - i) % 4, c = (66 - i) % 4, d = (67 - i) % 4;
    std::uint32_t f;
    if constexpr (round == 0)
      f = (s[b] & s[c]) | (~s[b] & s[d]);
    else if constexpr (round == 1)
      f = (s[d] & s[b]) | (~s[d] & s[c]);
    else if constexpr (round == 2)
      f = s[b] ^ s[c] ^ s[d];
    else
      f = s[c] ^ (s[b] | ~s[d]);
    s[a] = s[b] + rotl(s[a] + f + k[i] + w[g], r[round * 4 + i % 4]);
  }

  template <std::size_t... I>
  void compress(const unsigned char* block, std::index_sequence<I...>) noexcept {
    std::uint32_t w[16];
    for (int j = 0; j < 16; ++j) {
      const unsigned char* p = block + 4 * j;
      w[j] = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
    }
    std::uint32_t s[4] = {h_[0], h_[1], h_[2], h_[3]};
    (step<static_cast<int>(I)>(s, w), ...);
    for (int j = 0; j < 4; ++j) h_[j] += s[j];
  }

  std::uint32_t h_[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  std::uint64_t length_ = 0;  // bytes fed
  std::size_t fill_ = 0;      // bytes waiting in block_
  unsigned char block_[64] = {};
};

}  // namespace annot
