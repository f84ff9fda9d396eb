// The name an upload is kept under (imports::safe_file_name): UTF-8 text that JSON answers can hold,
// whatever encoding the client sent, a URL that serving does not refuse, and a length cut on a
// character boundary.
#include <gtest/gtest.h>

#include <string>

#include "import/upload_files.hpp"
#include "store/json_check.hpp"

namespace {

using annot::host::imports::safe_file_name;

bool is_json_text(const std::string& s) {
  return annot::host::store::json::check("\"" + s + "\"") != annot::host::store::json::kind::invalid;
}

TEST(UploadNames, BytesOfAnotherEncodingBecomeUnderscores) {
  EXPECT_EQ(safe_file_name("r\xe9sum\xe9.csv"), "r_sum_.csv") << "Latin-1";
  EXPECT_EQ(safe_file_name("caf\xc3\xa9.csv"), "caf\xc3\xa9.csv") << "UTF-8 is kept";
  EXPECT_EQ(safe_file_name("\xc0\xaf.png"), "__.png") << "an overlong '/'";
  EXPECT_EQ(safe_file_name("a\xe6\x97.png"), "a__.png") << "a sequence cut short";
}

TEST(UploadNames, ALongNameIsCutOnACharacterBoundary) {
  std::string name;
  for (int i = 0; i < 51; ++i) name += "\xe5\x9b\xbe";  // 图, 3 bytes
  name += ".png";
  const std::string kept = safe_file_name(name);
  EXPECT_LE(kept.size(), 150u);
  EXPECT_GE(kept.size(), 147u);
  EXPECT_TRUE(is_json_text(kept)) << kept;
  EXPECT_EQ(kept.substr(kept.size() - 4), ".png");
}

TEST(UploadNames, DotRunsAndSeparatorsDoNotReachTheUrl) {
  EXPECT_EQ(safe_file_name("photo..v2.png"), "photo.v2.png");
  EXPECT_EQ(safe_file_name("../../etc/passwd"), "passwd");
  EXPECT_EQ(safe_file_name("....png"), "png");
  EXPECT_EQ(safe_file_name("a%2e%2e.png"), "a_2e_2e.png");
  EXPECT_EQ(safe_file_name(""), "file");
}

}  // namespace
