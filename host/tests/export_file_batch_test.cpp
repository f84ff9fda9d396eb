// Small files created in batches through io_uring (export/file_batch.hpp): every file holds its
// bytes across batch boundaries and folders, a path queued twice ends with its later content, and a
// file that cannot be created is reported by name. The folder sink's tests run the same batches
// through the sink's lanes (export_sinks_test.cpp).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "export/file_batch.hpp"
#include "scratch_folder.hpp"

namespace {

namespace fs = std::filesystem;
using annot::host::exporting::file_batch;
using annot::host::testing::slurp;
using annot::host::testing::temp_dir;

TEST(ExportFileBatch, FilesHoldTheirBytesAcrossBatchesAndFolders) {
  // io_uring may be refused (a container's seccomp filter, io_uring_disabled): the folder sink then
  // writes with plain calls, and there is no batch to test.
  auto batch = file_batch::create();
  if (!batch)
    GTEST_SKIP() << "io_uring cannot be used on this system (the folder sink writes files with plain calls)";
  temp_dir dir("file-batch");
  fs::create_directories(dir.path / "a");
  fs::create_directories(dir.path / "b");
  // The bytes must live until flush(): held here for the whole test.
  std::vector<std::string> paths, contents;
  const int n = 3 * static_cast<int>(file_batch::kFiles) + 5;
  for (int i = 0; i < n; ++i) {
    paths.push_back((dir.path / (i % 50 < 40 ? "a" : "b") / (std::to_string(i) + ".txt")).string());
    contents.push_back(i % 7 == 0 ? std::string()
                                  : "label " + std::to_string(i) + std::string(i % 300, 'x') + "\n");
  }
  for (int i = 0; i < n; ++i) ASSERT_TRUE(batch->add(paths[i], contents[i]).ok());
  ASSERT_TRUE(batch->flush().ok());
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(fs::is_regular_file(paths[i])) << paths[i];
    EXPECT_EQ(slurp(paths[i]), contents[i]) << paths[i];
  }
  EXPECT_EQ(fs::status(paths[1]).permissions() & fs::perms::owner_write, fs::perms::owner_write);
}

// A path queued twice in one batch, and a file that existed before with longer content: the later
// bytes only.
TEST(ExportFileBatch, APathWrittenTwiceKeepsItsLaterContent) {
  auto batch = file_batch::create();
  if (!batch) GTEST_SKIP() << "io_uring cannot be used on this system";
  temp_dir dir("file-batch-twice");
  const std::string same = (dir.path / "same.txt").string();
  const std::string old = (dir.path / "old.txt").string();
  std::ofstream(old) << "a much longer content that was there before the export";
  const std::string first = "first version", second = "second", third = "3";
  ASSERT_TRUE(batch->add(same, first).ok());
  ASSERT_TRUE(batch->add(old, third).ok());
  ASSERT_TRUE(batch->add(same, second).ok());
  ASSERT_TRUE(batch->flush().ok());
  EXPECT_EQ(slurp(same), "second");
  EXPECT_EQ(slurp(old), "3");
}

// A file that cannot be created (its path is a folder) fails the flush with its path; the other
// files of the batch are still written.
TEST(ExportFileBatch, AFileThatCannotBeCreatedIsReportedByName) {
  auto batch = file_batch::create();
  if (!batch) GTEST_SKIP() << "io_uring cannot be used on this system";
  temp_dir dir("file-batch-error");
  fs::create_directories(dir.path / "taken");
  const std::string taken = (dir.path / "taken").string(), fine = (dir.path / "fine.txt").string();
  ASSERT_TRUE(batch->add(taken, "lost").ok());
  ASSERT_TRUE(batch->add(fine, "kept").ok());
  const annot::status st = batch->flush();
  EXPECT_EQ(st.code(), annot::errc::io_error);
  EXPECT_NE(st.message().find(taken), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("Is a directory"), std::string::npos) << st.message();
  EXPECT_EQ(slurp(fine), "kept");
  // A missing folder is reported when the file is added.
  const annot::status missing = batch->add((dir.path / "nowhere" / "x.txt").string(), "x");
  EXPECT_EQ(missing.code(), annot::errc::io_error);
  EXPECT_NE(missing.message().find("nowhere"), std::string::npos) << missing.message();
  // The batch goes on after an error.
  const std::string later = (dir.path / "later.txt").string();
  ASSERT_TRUE(batch->add(later, "later").ok());
  ASSERT_TRUE(batch->flush().ok());
  EXPECT_EQ(slurp(later), "later");
}

// The lanes' choice between a batch and plain calls: measured once per process, from what a system
// call costs (a few rounds of getppid).
TEST(ExportWriteMethod, DecidedOncePerProcessFromTheCostOfASystemCall) {
  const double ns = annot::host::exporting::system_call_ns();
  EXPECT_GT(ns, 1.0);
  EXPECT_LT(ns, 1e6) << "a system call measured at over a millisecond";
  const bool first = annot::host::exporting::batch_pays_off();
  EXPECT_EQ(annot::host::exporting::batch_pays_off(), first);
}

}  // namespace
