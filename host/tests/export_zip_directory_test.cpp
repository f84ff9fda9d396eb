// The zip sink's central directory (export/zip_directory): entries listed in the order first put,
// each path once with its last fields, whether the directory stayed in memory or spilled chunks to
// its scratch files; names kept across the arena's blocks and the index's growth; colliding hashes
// told apart by name; a scratch folder that cannot hold the spill reported.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "export/zip_directory.hpp"
#include "scratch_folder.hpp"

namespace {

namespace fs = std::filesystem;
using annot::host::exporting::zip_directory;
using annot::host::testing::temp_dir;

// What the listing must be: each path once, where it was first put, with the fields it was put
// with last.
struct expected_listing {
  struct row {
    std::string name;
    std::uint64_t offset;
    std::uint32_t crc;
    bool directory;
  };
  std::vector<row> rows;
  std::unordered_map<std::string, std::size_t> at;

  // Puts `name` into `d` and fills it from `n`, as the zip sink does; the same into the model.
  void put(zip_directory& d, const std::string& name, std::uint64_t n) {
    auto e = d.put(name);
    ASSERT_TRUE(e.ok()) << e.error().message();
    EXPECT_EQ(e.value()->name(), name);
    EXPECT_EQ(e.value()->offset, 0u);  // a path put again starts afresh too
    e.value()->offset = n * 10;
    e.value()->crc = static_cast<std::uint32_t>(n);
    e.value()->compressed = e.value()->size = n + 1;
    e.value()->directory = n % 5 == 0;
    e.value()->stored = n % 3 == 0;
    row r{name, n * 10, static_cast<std::uint32_t>(n), n % 5 == 0};
    if (auto [it, added] = at.emplace(name, rows.size()); !added)
      rows[it->second] = r;
    else
      rows.push_back(r);
  }
  void check(zip_directory& d) const {
    std::size_t i = 0;
    annot::status st = d.list([&](const zip_directory::entry& e) -> annot::status {
      if (i >= rows.size()) return annot::status(annot::errc::internal, "more entries than put");
      const row& r = rows[i];
      EXPECT_EQ(e.name(), r.name) << i;
      EXPECT_EQ(e.offset, r.offset) << r.name;
      EXPECT_EQ(e.crc, r.crc) << r.name;
      EXPECT_EQ(e.size, r.offset / 10 + 1) << r.name;
      EXPECT_EQ(e.compressed, e.size) << r.name;
      EXPECT_EQ(e.directory, r.directory) << r.name;
      EXPECT_EQ(e.stored, (r.offset / 10) % 3 == 0) << r.name;
      ++i;
      return {};
    });
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(i, rows.size());
    EXPECT_EQ(d.size(), rows.size());
  }
};

std::string label_name(std::size_t i) {
  return "labels/" + std::to_string(i) + (i % 997 == 0 ? std::string(20'000, 'x') : "") + ".txt";
}

std::size_t files_in(const fs::path& dir) {
  std::size_t n = 0;
  for (auto it = fs::directory_iterator(dir); it != fs::directory_iterator(); ++it) ++n;
  return n;
}

TEST(ZipDirectory, EntriesAreListedInOrderAndReplacedInPlaceInMemory) {
  temp_dir scratch("zip-directory-memory");
  zip_directory d(scratch.path);
  expected_listing want;
  // Enough entries for the index to grow many times and the names to fill several blocks; some names
  // long enough that a block's end cannot hold them.
  for (std::size_t i = 0; i < 60'000; ++i) want.put(d, label_name(i), i);
  // A name written again keeps its place, and takes only the new entry's fields.
  want.put(d, label_name(7), 70);
  want.put(d, label_name(59'999), 71);
  // The empty name and the longest a header holds are names like any other.
  want.put(d, "", 72);
  want.put(d, std::string(zip_directory::kMaxName, 'n'), 73);
  want.put(d, "", 74);
  want.check(d);
  EXPECT_EQ(d.spilled_chunks(), 0u);
  EXPECT_EQ(files_in(scratch.path), 0u);
}

// A directory larger than a chunk spills, and lists the same: paths written again within a chunk,
// across chunks (once or many times, the first or a later copy in the chunk still in memory), long
// names across the read-back blocks. Nothing is left in the scratch folder.
TEST(ZipDirectory, ChunksSpilledToScratchFilesListTheSame) {
  temp_dir scratch("zip-directory-spill");
  const fs::path dir = scratch.path / "made-when-needed";
  zip_directory d(dir, 1000);
  expected_listing want;
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < 12'345; ++i) {
    want.put(d, label_name(i), n++);
    if (i % 10 == 9) want.put(d, label_name(i - 5), n++);          // in the same chunk
    if (i % 1500 == 1499) want.put(d, label_name(3), n++);         // across chunks, again and again
    if (i % 2000 == 1999) want.put(d, label_name(i - 1700), n++);  // a chunk or two before
    if (i == 6000) want.put(d, std::string(zip_directory::kMaxName, 'n'), n++);
  }
  want.put(d, label_name(12'000), n++);  // the chunk still in memory
  want.put(d, label_name(0), n++);       // the very first entry
  want.put(d, std::string(zip_directory::kMaxName, 'n'), n++);
  EXPECT_GE(d.spilled_chunks(), 12u);
  EXPECT_EQ(files_in(dir), 0u);  // unnamed files
  want.check(d);
  EXPECT_EQ(d.size(), 12'346u);
}

// Names whose hashes are equal are told apart by their names, in memory and spilled.
TEST(ZipDirectory, NamesWithTheSameHashStayApart) {
  temp_dir scratch("zip-directory-collide");
  zip_directory::hash_fn few = [](std::string_view name) noexcept -> std::uint64_t {
    return name.size() % 3;
  };
  for (std::size_t chunk : {std::size_t{100'000}, std::size_t{64}}) {
    zip_directory d(scratch.path, chunk, few);
    expected_listing want;
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < 700; ++i) {
      want.put(d, "f" + std::to_string(i), n++);
      if (i % 7 == 0) want.put(d, "f" + std::to_string(i / 2), n++);
    }
    want.check(d);
    EXPECT_EQ(d.spilled_chunks() > 0, chunk == 64) << chunk;
  }
}

// A scratch folder that cannot be made: the put() that would spill says where it could not.
TEST(ZipDirectory, AScratchFolderThatCannotHoldTheSpillIsReported) {
  temp_dir scratch("zip-directory-fails");
  std::ofstream(scratch.path / "a-file") << "x";
  zip_directory d(scratch.path / "a-file" / "below", 10);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(d.put("n" + std::to_string(i)).ok());
  auto e = d.put("one-too-many");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code(), annot::errc::io_error);
  EXPECT_NE(e.error().message().find("a-file/below"), std::string::npos) << e.error().message();

  // The system's scratch folder: the message says what chooses it.
  const char* was = std::getenv("TMPDIR");
  const std::string kept = was ? was : "";
  ::setenv("TMPDIR", "/proc", 1);  // a folder where no file can be made, even by root
  zip_directory system(fs::path{}, 10);
  for (int i = 0; i < 11; ++i) e = system.put("n" + std::to_string(i));
  if (was)
    ::setenv("TMPDIR", kept.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message().find("TMPDIR"), std::string::npos) << e.error().message();
}

}  // namespace
