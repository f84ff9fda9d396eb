// `annot config validate FILE.xml [--task T] [--result R]` as run_config_validate(): exit codes and
// what it prints, on real files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/cli.hpp"
#include "config_test_support.hpp"

namespace {

namespace fs = std::filesystem;
using annot::host::config::run_config_validate;

class ConfigCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("annot-config-cli-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                        "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return (dir_ / name).string();
  }
  int run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    return run_config_validate(args, annot::test::core_and_probe(), out_, err_);
  }

  fs::path dir_;
  std::ostringstream out_, err_;
};

TEST_F(ConfigCli, CleanConfigExitsZero) {
  auto c = write("c.xml", "<View><Doc name=\"d\" value=\"$t\"/></View>");
  EXPECT_EQ(run({"validate", c}), 0) << err_.str();
  EXPECT_EQ(out_.str(), c + ": ok\n");
}

TEST_F(ConfigCli, ErrorsAndWarningsWithLineNumbers) {
  auto c = write("c.xml", "<View>\n  <Doc name=\"d\" value=\"$t\" shiny=\"1\"/>\n  <Choices name=\"c\" toName=\"x\"><Choice value=\"A\"/></Choices>\n</View>");
  EXPECT_EQ(run({"validate", c}), 1);
  std::string o = out_.str();
  EXPECT_NE(o.find(c + ":3: error: <Choices>, attribute toName: toName=\"x\" not found in names: ['c', 'd']"), std::string::npos) << o;
  EXPECT_NE(o.find(c + ":2: warning: <Doc>, attribute shiny: unknown attribute 'shiny' on <Doc>"), std::string::npos) << o;
  EXPECT_NE(o.find(c + ": refused"), std::string::npos) << o;
}

TEST_F(ConfigCli, WarningsOnlyExitZero) {
  auto c = write("c.xml", "<View>\n  <Doc name=\"d\" value=\"$t\" shiny=\"1\"/>\n</View>");
  EXPECT_EQ(run({"validate", c}), 0);
  EXPECT_NE(out_.str().find("accepted with warnings"), std::string::npos) << out_.str();
}

TEST_F(ConfigCli, TaskAndResults) {
  auto c = write("c.xml", "<View>\n  <Doc name=\"d\" value=\"$text\"/>\n  <Labels name=\"l\" toName=\"d\"><Label value=\"A\"/></Labels>\n</View>");
  auto t = write("t.json", R"({"data": {"text": 5}})");
  auto r = write("r.json", R"({"data": {"text": "abc"}, "annotations": [{"result": [
      {"id": "1", "from_name": "l", "to_name": "d", "type": "labels", "value": {"start": 0, "end": 9, "labels": ["B"]}}]}]})");
  EXPECT_EQ(run({"validate", c, "--task", t}), 1);
  EXPECT_NE(out_.str().find(t + ": error: data['text']=5 is of type 'int', but the object tag Doc expects the following types: ['str']"),
            std::string::npos)
      << out_.str();
  EXPECT_EQ(run({"validate", c, "--result", r}), 1);
  std::string o = out_.str();
  EXPECT_NE(o.find(r + ": annotations[0].result[0].value.labels[0]: rule break: \"B\" is not a label"), std::string::npos) << o;
  // The task data beside the annotations bounds the span: "abc" has 3 characters.
  EXPECT_NE(o.find(r + ": annotations[0].result[0].value.end: rule break: is past the end of the text (3 characters)"),
            std::string::npos)
      << o;
}

TEST_F(ConfigCli, UsageAndUnreadableFiles) {
  EXPECT_EQ(run({}), 2);
  EXPECT_NE(err_.str().find("usage: annot config validate"), std::string::npos);
  EXPECT_EQ(run({"validate"}), 2);
  EXPECT_EQ(run({"validate", "--bogus"}), 2);
  EXPECT_EQ(run({"validate", (dir_ / "missing.xml").string()}), 2);
  EXPECT_NE(err_.str().find("cannot read"), std::string::npos);
  auto c = write("c.xml", "<View/>");
  auto bad = write("bad.json", "{nope");
  EXPECT_EQ(run({"validate", c, "--result", bad}), 2);
  EXPECT_NE(err_.str().find("not valid JSON"), std::string::npos) << err_.str();
}

}  // namespace
