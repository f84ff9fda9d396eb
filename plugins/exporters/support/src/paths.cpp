// MD5, derived file names and the resolution table of spec §1.6.
#include "export_support/paths.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <utility>

namespace annot::plugins::export_support {
namespace {

namespace fs = std::filesystem;

std::uint32_t rotl(std::uint32_t x, int c) { return (x << c) | (x >> (32 - c)); }

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

namespace {

// One of MD5's 64 steps (RFC 1321 §3.4) with its constants known at compile time, so that the 64 steps
// unroll into straight code: every derived image name hashes its URL, and the loop with a switch per
// step cost ~6% of a COCO export. The four state words take turns as a, b, c, d: step i updates the
// word at (64 - i) % 4.
template <int i>
inline void md5_step(std::uint32_t (&s)[4], const std::uint32_t (&w)[16]) {
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
  constexpr int g = round == 0 ? i : round == 1 ? (5 * i + 1) % 16 : round == 2 ? (3 * i + 5) % 16 : (7 * i) % 16;
  constexpr int a = (64 - i) % 4, b = (65 - i) % 4, c = (66 - i) % 4, d = (67 - i) % 4;
  std::uint32_t f;
  if constexpr (round == 0) f = (s[b] & s[c]) | (~s[b] & s[d]);
  else if constexpr (round == 1) f = (s[d] & s[b]) | (~s[d] & s[c]);
  else if constexpr (round == 2) f = s[b] ^ s[c] ^ s[d];
  else f = s[c] ^ (s[b] | ~s[d]);
  s[a] = s[b] + rotl(s[a] + f + k[i] + w[g], r[round * 4 + i % 4]);
}

template <std::size_t... I>
void md5_block(std::uint32_t (&h)[4], const unsigned char* block, std::index_sequence<I...>) {
  std::uint32_t w[16];
  for (int j = 0; j < 16; ++j) {
    const unsigned char* p = block + 4 * j;
    w[j] = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
  }
  std::uint32_t s[4] = {h[0], h[1], h[2], h[3]};
  (md5_step<static_cast<int>(I)>(s, w), ...);
  for (int j = 0; j < 4; ++j) h[j] += s[j];
}

// The 32 hex digits of data's MD5 written to out.
void md5_hex_into(std::string_view data, char (&out)[32]) {
  std::uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t whole = data.size() / 64 * 64;
  for (std::size_t off = 0; off < whole; off += 64) md5_block(h, bytes + off, std::make_index_sequence<64>{});
  // The tail, the 0x80 byte, zeros to 56 mod 64 and the bit length: one block or two.
  unsigned char tail[128] = {};
  const std::size_t rest = data.size() - whole;
  if (rest) std::memcpy(tail, bytes + whole, rest);
  tail[rest] = 0x80;
  const std::size_t tail_size = rest < 56 ? 64 : 128;
  const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  for (int i = 0; i < 8; ++i) tail[tail_size - 8 + i] = static_cast<unsigned char>(bits >> (8 * i));
  for (std::size_t off = 0; off < tail_size; off += 64) md5_block(h, tail + off, std::make_index_sequence<64>{});
  static constexpr char hex[] = "0123456789abcdef";
  for (int j = 0; j < 16; ++j) {
    const unsigned byte = (h[j / 4] >> (8 * (j % 4))) & 0xFF;
    out[2 * j] = hex[byte >> 4];
    out[2 * j + 1] = hex[byte & 0xF];
  }
}

// A URL's file name as url_basename gives it, a view into value.
std::string_view url_basename_view(std::string_view value) {
  std::string_view path = value;
  if (std::size_t scheme = path.find("://"); scheme != std::string_view::npos) {
    path.remove_prefix(scheme + 3);
    std::size_t slash = path.find('/');
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  if (std::size_t q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  if (std::size_t h = path.find('#'); h != std::string_view::npos) path = path.substr(0, h);
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// "<first 8 hex digits of md5(value)>__<name>", the name upstream gives a downloaded file.
std::string hashed_name(std::string_view value, std::string_view name) {
  char hex[32];
  md5_hex_into(value, hex);
  std::string out;
  out.reserve(10 + name.size());
  out.append(hex, 8).append("__").append(name);
  return out;
}

}  // namespace

std::string md5_hex(std::string_view data) {
  char hex[32];
  md5_hex_into(data, hex);
  return std::string(hex, sizeof hex);
}

std::string url_basename(std::string_view value) { return std::string(url_basename_view(value)); }

std::string strip_extension(std::string_view name) {
  std::size_t slash = name.rfind('/');
  std::size_t start = slash == std::string_view::npos ? 0 : slash + 1;
  // Leading dots of the file name do not start an extension (".hidden").
  std::size_t first = start;
  while (first < name.size() && name[first] == '.') ++first;
  std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot < first) return std::string(name);
  return std::string(name.substr(0, dot));
}

bool fit_entry_segment(std::string& name) {
  bool changed = false;
  for (char& c : name)
    if (c == '\\' || c == '/' || c == '\0') {
      c = '_';
      changed = true;
    }
  if (name.empty() || name == "." || name == "..") {
    name.assign(std::max<std::size_t>(name.size(), 1), '_');
    changed = true;
  }
  return changed;
}

std::string relative_path(std::string_view target, std::string_view base) {
  return fs::path(target).lexically_normal().lexically_relative(fs::path(base).lexically_normal()).string();
}

resolved_image resolve_image(std::string_view value, const path_roots& roots) {
  resolved_image out;
  auto base_of_path = [](std::string_view p) {
    std::size_t slash = p.rfind('/');
    return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
  };
  auto local_name = [&](const std::string& file) {
    if (roots.output_dir.empty()) return fs::absolute(file).lexically_normal().string();
    return relative_path(fs::absolute(file).lexically_normal().string(), roots.output_dir);
  };
  auto unresolved = [&]() {
    out.source = image_source::unresolved;
    out.coco_file_name = value;
    out.base_name = url_basename(value);
    return out;
  };

  if (!value.empty() && value.find("://") == std::string_view::npos && is_file(fs::path(value))) {
    out.source = image_source::local_path;
    out.coco_file_name = value;
    out.base_name = base_of_path(value);
    out.local_file = fs::absolute(fs::path(value)).lexically_normal().string();
    return out;
  }
  std::string_view upload = value;
  bool is_upload = false;
  if (starts_with(upload, "/data/upload/")) {
    upload.remove_prefix(13);
    is_upload = true;
  } else if (starts_with(upload, "upload/")) {
    upload.remove_prefix(7);
    is_upload = true;
  } else if (starts_with(upload, "/upload/")) {
    upload.remove_prefix(8);
    is_upload = true;
  }
  if (is_upload) {
    std::size_t slash = upload.find('/');
    if (roots.upload_dir.empty() || slash == std::string_view::npos) return unresolved();
    fs::path file = fs::path(roots.upload_dir) / std::string(upload.substr(0, slash)) /
                    base_of_path(upload.substr(slash + 1));
    if (!is_file(file)) return unresolved();
    out.source = image_source::upload;
    out.local_file = fs::absolute(file).lexically_normal().string();
    out.coco_file_name = local_name(out.local_file);
    out.base_name = base_of_path(out.local_file);
    return out;
  }
  if (starts_with(value, "/data/local-files/")) {
    std::size_t d = value.find("?d=");
    if (d == std::string_view::npos) return unresolved();
    std::string rel(value.substr(d + 3));
    fs::path file = fs::path(roots.local_files_root.empty() ? "/" : roots.local_files_root) / rel;
    if (!is_file(file)) return unresolved();
    out.source = image_source::local_files;
    out.local_file = fs::absolute(file).lexically_normal().string();
    out.base_name = base_of_path(out.local_file);
    out.coco_file_name = roots.download_resources
                             ? "images/" + hashed_name(value, out.base_name)
                             : local_name(out.local_file);
    return out;
  }
  for (std::string_view cloud : {"s3://", "gs://", "azure-blob://", "azure-blob:"})
    if (starts_with(value, cloud)) return unresolved();
  out.source = image_source::derived;
  out.base_name = hashed_name(value, url_basename_view(value));
  out.coco_file_name.reserve(7 + out.base_name.size());
  out.coco_file_name.append("images/").append(out.base_name);
  return out;
}

}  // namespace annot::plugins::export_support
