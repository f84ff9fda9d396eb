// MD5, derived file names and the resolution table of spec §1.6.
#include "export_support/paths.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>

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

std::string md5_hex(std::string_view data) {
  static const std::uint32_t k[64] = {
      0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
      0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
      0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
      0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
      0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
      0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
      0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
      0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
  static const int r[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9,  14, 20, 5, 9,
                            14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                            4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
  std::uint32_t h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476;
  std::string msg(data);
  std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  msg.push_back(static_cast<char>(0x80));
  while (msg.size() % 64 != 56) msg.push_back('\0');
  for (int i = 0; i < 8; ++i) msg.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
  for (std::size_t off = 0; off < msg.size(); off += 64) {
    std::uint32_t w[16];
    for (int i = 0; i < 16; ++i) {
      const auto* p = reinterpret_cast<const unsigned char*>(msg.data() + off + 4 * i);
      w[i] = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
    }
    std::uint32_t a = h0, b = h1, c = h2, d = h3;
    for (int i = 0; i < 64; ++i) {
      std::uint32_t f;
      int g;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) % 16;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) % 16;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) % 16;
      }
      std::uint32_t t = d;
      d = c;
      c = b;
      b = b + rotl(a + f + k[i] + w[g], r[i]);
      a = t;
    }
    h0 += a;
    h1 += b;
    h2 += c;
    h3 += d;
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (std::uint32_t h : {h0, h1, h2, h3})
    for (int i = 0; i < 4; ++i) {
      unsigned byte = (h >> (8 * i)) & 0xFF;
      out.push_back(hex[byte >> 4]);
      out.push_back(hex[byte & 0xF]);
    }
  return out;
}

std::string url_basename(std::string_view value) {
  std::string_view path = value;
  if (std::size_t scheme = path.find("://"); scheme != std::string_view::npos) {
    path.remove_prefix(scheme + 3);
    std::size_t slash = path.find('/');
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  if (std::size_t q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  if (std::size_t h = path.find('#'); h != std::string_view::npos) path = path.substr(0, h);
  std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

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

std::string relative_path(std::string_view target, std::string_view base) {
  return fs::path(target).lexically_normal().lexically_relative(fs::path(base).lexically_normal()).string();
}

resolved_image resolve_image(std::string_view value, const path_roots& roots) {
  resolved_image out;
  const std::string v(value);
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
    out.coco_file_name = v;
    out.base_name = url_basename(v);
    return out;
  };

  if (!v.empty() && v.find("://") == std::string::npos && is_file(v)) {
    out.source = image_source::local_path;
    out.coco_file_name = v;
    out.base_name = base_of_path(v);
    out.local_file = fs::absolute(v).lexically_normal().string();
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
                             ? "images/" + md5_hex(value).substr(0, 8) + "__" + out.base_name
                             : local_name(out.local_file);
    return out;
  }
  for (std::string_view cloud : {"s3://", "gs://", "azure-blob://", "azure-blob:"})
    if (starts_with(value, cloud)) return unresolved();
  out.source = image_source::derived;
  out.base_name = md5_hex(value).substr(0, 8) + "__" + url_basename(value);
  out.coco_file_name = "images/" + out.base_name;
  return out;
}

}  // namespace annot::plugins::export_support
