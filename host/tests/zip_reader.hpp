// A minimal zip reader for the export tests: the central directory (Zip64 too), then each entry
// inflated (or stored) and CRC-checked through gtest expectations.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace annot::host::testing {

inline std::uint32_t zip_rd32(const std::string& s, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 2])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 3])) << 24;
}
inline std::uint16_t zip_rd16(const std::string& s, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(s[at]) | static_cast<unsigned char>(s[at + 1]) << 8);
}

// name -> content ("" for folders, whose names end in '/'), in central-directory order.
inline std::vector<std::pair<std::string, std::string>> read_zip(const std::string& zip) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t eocd = zip.rfind(std::string("PK\x05\x06", 4));
  EXPECT_NE(eocd, std::string::npos);
  if (eocd == std::string::npos) return out;
  std::uint64_t count = zip_rd16(zip, eocd + 10);
  std::uint64_t cd = zip_rd32(zip, eocd + 16);
  if (count == 0xFFFF) {  // Zip64
    std::size_t loc = eocd - 20;
    EXPECT_EQ(zip_rd32(zip, loc), 0x07064b50u);
    std::size_t z64 = zip_rd32(zip, loc + 8);
    EXPECT_EQ(zip_rd32(zip, z64), 0x06064b50u);
    count = zip_rd32(zip, z64 + 32);
    cd = zip_rd32(zip, z64 + 48);
  }
  std::size_t at = cd;
  for (std::uint64_t i = 0; i < count; ++i) {
    EXPECT_EQ(zip_rd32(zip, at), 0x02014b50u);
    std::uint16_t method = zip_rd16(zip, at + 10);
    std::uint32_t crc = zip_rd32(zip, at + 16), csize = zip_rd32(zip, at + 20), usize = zip_rd32(zip, at + 24);
    std::uint16_t nlen = zip_rd16(zip, at + 28), xlen = zip_rd16(zip, at + 30), clen = zip_rd16(zip, at + 32);
    std::uint32_t local = zip_rd32(zip, at + 42);
    std::string name = zip.substr(at + 46, nlen);
    at += 46 + nlen + xlen + clen;
    EXPECT_EQ(zip_rd32(zip, local), 0x04034b50u) << name;
    std::size_t data = local + 30 + zip_rd16(zip, local + 26) + zip_rd16(zip, local + 28);
    std::string content;
    if (method == 8) {
      content.resize(usize);
      z_stream z{};
      inflateInit2(&z, -MAX_WBITS);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zip.data() + data));
      z.avail_in = csize;
      z.next_out = reinterpret_cast<Bytef*>(content.data());
      z.avail_out = usize;
      EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END) << name;
      inflateEnd(&z);
    } else {
      content = zip.substr(data, csize);
    }
    EXPECT_EQ(static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(content.data()),
                                               static_cast<uInt>(content.size()))),
              crc)
        << name;
    out.emplace_back(std::move(name), std::move(content));
  }
  return out;
}

}  // namespace annot::host::testing
