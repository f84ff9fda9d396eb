// export/download_sink: an export's download, packaged as Label Studio packages it. A single-file
// format's download starts at its first bytes (or at finish() when there are none); an archive's once
// its packaging is decided; a failure before the start leaves it unstarted, so it can get an answer
// of its own.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "export/download_sink.hpp"
#include "zip_reader.hpp"

namespace {

using namespace annot::host;

struct recorder {
  std::vector<std::string> starts;  // the extensions start() was called with
  std::string bytes;
  exporting::callback_writer writer{[this](std::string_view b) -> annot::status {
    bytes.append(b);
    return {};
  }};
  exporting::download_sink::starter starter() {
    return [this](std::string_view ext) -> annot::result<exporting::byte_writer*> {
      starts.emplace_back(ext);
      return &writer;
    };
  }
};

annot::export_format format(annot::export_layout layout, std::string file_name) {
  annot::export_format f;
  f.name = "X";
  f.layout = layout;
  f.file_name = std::move(file_name);
  return f;
}

TEST(ExportDownloadSink, ASingleFileStartsAtItsFirstBytesOrAtFinish) {
  {
    recorder r;
    exporting::download_sink d(format(annot::export_layout::single_file, "result.json"), r.starter());
    auto out = d.sink().open("result.json");
    ASSERT_TRUE(out.ok());
    EXPECT_FALSE(d.started());
    ASSERT_TRUE((*out)->write("[1]").ok());
    ASSERT_TRUE(d.finish().ok());
    EXPECT_TRUE(d.started());
    EXPECT_EQ(r.starts, std::vector<std::string>{".json"});
    EXPECT_EQ(r.bytes, "[1]");
  }
  {
    // No bytes at all: still a download, empty.
    recorder r;
    exporting::download_sink d(format(annot::export_layout::single_file, "result.csv"), r.starter());
    ASSERT_TRUE(d.finish().ok());
    EXPECT_EQ(r.starts, std::vector<std::string>{".csv"});
    EXPECT_EQ(r.bytes, "");
  }
  {
    // An export that fails before writing anything: nothing started, so its error can be the answer.
    recorder r;
    exporting::download_sink d(format(annot::export_layout::single_file, "result.json"), r.starter());
    ASSERT_TRUE(d.sink().open("result.json").ok());
    d.abandon();
    EXPECT_FALSE(d.started());
    EXPECT_TRUE(r.starts.empty());
  }
}

TEST(ExportDownloadSink, AnArchiveIsAZipOrItsOneFileAlone) {
  {
    recorder r;
    exporting::download_sink d(format(annot::export_layout::archive, ""), r.starter());
    for (const char* path : {"labels/a.txt", "classes.txt"}) {
      auto out = d.sink().open(path);
      ASSERT_TRUE(out.ok());
      ASSERT_TRUE((*out)->write(path).ok());
    }
    ASSERT_TRUE(d.finish().ok());
    EXPECT_EQ(r.starts, std::vector<std::string>{".zip"});
    const auto entries = annot::host::testing::read_zip(r.bytes);
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[1].first, "labels/a.txt");
    EXPECT_EQ(entries[2].second, "classes.txt");
  }
  {
    recorder r;
    exporting::download_sink d(format(annot::export_layout::archive, ""), r.starter());
    auto out = d.sink().open("mask.npy");
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE((*out)->write("NUMPY").ok());
    EXPECT_FALSE(d.started()) << "undecided until the end: a second entry would make it a zip";
    ASSERT_TRUE(d.finish().ok());
    EXPECT_EQ(r.starts, std::vector<std::string>{".npy"});
    EXPECT_EQ(r.bytes, "NUMPY");
  }
}

TEST(ExportDownloadSink, AStartThatFailsFailsTheExport) {
  exporting::download_sink d(format(annot::export_layout::single_file, "result.json"),
                             [](std::string_view) -> annot::result<exporting::byte_writer*> {
                               return annot::status(annot::errc::io_error, "disk full");
                             });
  auto out = d.sink().open("result.json");
  ASSERT_TRUE(out.ok());
  (void)(*out)->write("[]");
  const annot::status st = d.finish();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "disk full");
}

}  // namespace
