// The zip sink's central directory (export/zip_directory): entries listed in the order first put,
// found by name, replaced in place, names kept across the arena's blocks and the index's growth.
#include <gtest/gtest.h>

#include <string>
#include <unordered_map>

#include "export/zip_directory.hpp"

namespace {

using annot::host::exporting::zip_directory;

TEST(ZipDirectory, EntriesAreListedInOrderFoundByNameAndReplacedInPlace) {
  zip_directory d;
  EXPECT_EQ(d.find("labels/"), zip_directory::npos);
  // Enough entries for the index to grow many times and the names to fill several blocks; some names
  // long enough that a block's end cannot hold them.
  std::unordered_map<std::string, std::size_t> want;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < 60'000; ++i) {
    std::string name =
        "labels/" + std::to_string(i) + (i % 997 == 0 ? std::string(20'000, 'x') : "") + ".txt";
    std::size_t at = d.put(name);
    ASSERT_EQ(at, i);
    d[at].offset = i * 10;
    d[at].crc = static_cast<std::uint32_t>(i);
    d[at].compressed = d[at].size = i + 1;
    names.push_back(name);
  }
  // A name written again keeps its place, and takes only the new entry's fields.
  std::size_t again = d.put(names[7]);
  EXPECT_EQ(again, 7u);
  EXPECT_EQ(d[7].offset, 0u);
  EXPECT_EQ(d[7].crc, 0u);
  EXPECT_EQ(d[7].size, 0u);
  EXPECT_FALSE(d[7].directory);
  d[7].offset = 70;
  d[7].crc = 7;
  d[7].size = d[7].compressed = 8;
  ASSERT_EQ(d.size(), names.size());

  std::size_t i = 0;
  for (const zip_directory::entry& e : d) {
    ASSERT_EQ(e.name(), names[i]) << i;
    ASSERT_EQ(e.offset, i * 10) << i;
    ASSERT_EQ(e.crc, i) << i;
    ASSERT_EQ(e.size, i + 1) << i;
    ASSERT_EQ(d.find(names[i]), i);
    ++i;
  }
  EXPECT_EQ(d.find("labels/60000.txt"), zip_directory::npos);
  EXPECT_EQ(d.find("labels/1.tx"), zip_directory::npos);
  EXPECT_EQ(d.find(""), zip_directory::npos);
  // The empty name and the longest a header holds are names like any other.
  EXPECT_EQ(d.put(""), names.size());
  const std::string longest(zip_directory::kMaxName, 'n');
  EXPECT_EQ(d.put(longest), names.size() + 1);
  EXPECT_EQ(d.find(""), names.size());
  EXPECT_EQ(d[names.size() + 1].name(), longest);
}

}  // namespace
