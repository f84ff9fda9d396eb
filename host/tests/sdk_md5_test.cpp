// The SDK's MD5 (annot/md5.hpp) against OpenSSL's, the independent reference: every length across the
// padding cases, fed whole and in pieces of every awkward size, and digests taken midway.
#include <openssl/evp.h>

#include <annot/md5.hpp>
#include <cstdio>
#include <string>

namespace {

std::string openssl_md5(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr), 1);
  std::string hex;
  for (unsigned i = 0; i < size; ++i) {
    char two[3];
    std::snprintf(two, sizeof two, "%02x", digest[i]);
    hex += two;
  }
  return hex;
}

std::string bytes_of_length(std::size_t n) {
  std::string data;
  for (std::size_t i = 0; i < n; ++i) data.push_back(static_cast<char>((i * 7 + 3) % 256));
  return data;
}

// Every length from 0 to 300 bytes crosses the padding cases (tail under 56 bytes, 56-63, whole blocks).
TEST(SdkMd5, MatchesOpenSslAtEveryLengthAcrossBlockBoundaries) {
  for (std::size_t n = 0; n <= 300; ++n) {
    const std::string data = bytes_of_length(n);
    EXPECT_EQ(annot::md5::hex_of(data), openssl_md5(data)) << n << " bytes";
  }
  EXPECT_EQ(annot::md5::hex_of(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(annot::md5::hex_of("The quick brown fox jumps over the lazy dog"),
            "9e107d9d372bb6826bd81d3542a419d6");
}

TEST(SdkMd5, PiecesOfAnySizeGiveTheDigestOfTheWhole) {
  const std::string data = bytes_of_length(1000);
  const std::string expected = openssl_md5(data);
  for (std::size_t piece : {1, 3, 55, 56, 63, 64, 65, 127, 128, 129, 999}) {
    annot::md5 m;
    for (std::size_t at = 0; at < data.size(); at += piece)
      m.update(std::string_view(data).substr(at, piece));
    EXPECT_EQ(m.hex(), expected) << "pieces of " << piece;
  }
}

TEST(SdkMd5, DigestLeavesTheStateToFeedOn) {
  const std::string data = bytes_of_length(200);
  annot::md5 m;
  m.update(std::string_view(data).substr(0, 70));
  EXPECT_EQ(m.hex(), openssl_md5(std::string_view(data).substr(0, 70)));
  const annot::md5 prefix = m;
  m.update(std::string_view(data).substr(70));
  EXPECT_EQ(m.hex(), openssl_md5(data));
  EXPECT_EQ(prefix.hex(), openssl_md5(std::string_view(data).substr(0, 70)));
  const auto raw = m.digest();
  char hex[32];
  m.hex_into(hex);
  for (int j = 0; j < 16; ++j) {
    char two[3];
    std::snprintf(two, sizeof two, "%02x", raw[j]);
    EXPECT_EQ(std::string(hex + 2 * j, 2), two);
  }
}

}  // namespace
