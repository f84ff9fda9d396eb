// Export pipeline: the streamed zip writer (read back with a reader written here and zlib), the
// store cursor's task JSON, the formats listing per config, and the export API over real HTTP.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "annot_cli.hpp"
#include "export/one_file_or_zip_sink.hpp"
#include "export/runner.hpp"
#include "export/sinks.hpp"
#include "export/store_cursor.hpp"
#include "rle_runs.hpp"
#include "task_api_test_support.hpp"
#include "test_host.hpp"
#include "zip_reader.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace annot::host;

using annot::host::testing::read_zip;

// OpenSSL's one-shot digest, apart from the host's streamed one.
std::string md5_hex(std::string_view bytes) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EXPECT_EQ(EVP_Digest(bytes.data(), bytes.size(), d, &n, EVP_md5(), nullptr), 1);
  std::string hex;
  char two[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(two, sizeof two, "%02x", d[i]);
    hex += two;
  }
  return hex;
}

TEST(ExportZip, EntriesFoldersAndReplacedPaths) {
  std::string bytes;
  exporting::callback_writer w([&](std::string_view b) -> annot::status {
    bytes.append(b);
    return {};
  });
  exporting::zip_sink zip(w);
  ASSERT_TRUE(zip.add_directory("images").ok());
  auto s = zip.open("labels/a.txt");
  ASSERT_TRUE(s.ok());
  std::string big(300000, 'x');
  for (std::size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE((*s)->write(big).ok());
  auto s2 = zip.open("result.json");
  ASSERT_TRUE((*s2)->write("{}").ok());
  // Written again: only the last copy is listed.
  auto s3 = zip.open("labels/a.txt");
  ASSERT_TRUE((*s3)->write("second").ok());
  EXPECT_EQ(zip.open("../escape").error().code(), annot::errc::invalid_argument);
  EXPECT_EQ(zip.open("/abs").error().code(), annot::errc::invalid_argument);
  ASSERT_TRUE(zip.finish().ok());
  auto entries = read_zip(bytes);
  std::map<std::string, std::string> m(entries.begin(), entries.end());
  EXPECT_EQ(entries.size(), 4u);
  EXPECT_TRUE(m.count("images/"));
  EXPECT_TRUE(m.count("labels/"));
  EXPECT_EQ(m["labels/a.txt"], "second");
  EXPECT_EQ(m["result.json"], "{}");
}

// Label Studio's packaging (spec §1.1): exactly one file is downloaded as that file, with its extension; a
// second entry, a folder, a file in a folder, nothing at all, or a file too large to hold make a zip.
TEST(ExportOneFileOrZip, OneFileAsItIsAnythingElseZipped) {
  struct download {
    std::string extension, bytes;
    int starts = 0;
  };
  auto run = [](const std::function<void(exporting::one_file_or_zip_sink&)>& write) {
    auto d = std::make_shared<download>();
    auto w = std::make_shared<exporting::callback_writer>([d](std::string_view b) -> annot::status {
      d->bytes.append(b);
      return {};
    });
    exporting::one_file_or_zip_sink sink(
        [d, w](std::string_view ext) -> annot::result<exporting::byte_writer*> {
          ++d->starts;
          d->extension = ext;
          return w.get();
        });
    write(sink);
    EXPECT_FALSE(d->starts > 1);
    EXPECT_TRUE(sink.finish().ok());
    EXPECT_TRUE(sink.started());
    EXPECT_EQ(d->starts, 1);
    return *d;
  };
  auto one = run([](auto& sink) {
    auto s = sink.open("task-1-annotation-2-by-3-tag-Cat-0.npy");
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->write("\x93NUMPY").ok());
    ASSERT_TRUE((*s)->write("...").ok());
    EXPECT_FALSE(sink.started()) << "undecided while one file is held";
  });
  EXPECT_EQ(one.extension, ".npy");
  EXPECT_EQ(one.bytes, "\x93NUMPY...");

  auto two = run([](auto& sink) {
    ASSERT_TRUE((*sink.open("a.png"))->write("A").ok());
    ASSERT_TRUE((*sink.open("b.png"))->write("B").ok());
  });
  EXPECT_EQ(two.extension, ".zip");
  auto entries = read_zip(two.bytes);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0], (std::pair<std::string, std::string>{"a.png", "A"}));

  // One name written twice (two masks that map to one file name): the later bytes, still one file.
  auto rewritten = run([](auto& sink) {
    ASSERT_TRUE((*sink.open("m.npy"))->write("first").ok());
    ASSERT_TRUE((*sink.open("m.npy"))->write("second").ok());
  });
  EXPECT_EQ(rewritten.extension, ".npy");
  EXPECT_EQ(rewritten.bytes, "second");

  auto folder = run([](auto& sink) {
    ASSERT_TRUE(sink.add_directory("images").ok());
    EXPECT_TRUE(sink.started()) << "a folder decides at once: the zip streams from its first byte";
    ASSERT_TRUE((*sink.open("result.json"))->write("{}").ok());
  });
  EXPECT_EQ(folder.extension, ".zip");
  EXPECT_EQ(read_zip(folder.bytes).size(), 2u);

  auto nested = run([](auto& sink) { ASSERT_TRUE((*sink.open("labels/a.txt"))->write("x").ok()); });
  EXPECT_EQ(nested.extension, ".zip");

  auto nothing = run([](auto&) {});
  EXPECT_EQ(nothing.extension, ".zip");
  EXPECT_TRUE(read_zip(nothing.bytes).empty());

  auto hidden = run([](auto& sink) { ASSERT_TRUE((*sink.open(".hidden"))->write("h").ok()); });
  EXPECT_EQ(hidden.extension, "") << "Python's splitext: a leading dot starts no extension";

  const std::string chunk(1 << 20, 'z');
  auto large = run([&](auto& sink) {
    auto s = sink.open("big.npy");
    for (std::size_t i = 0; i <= exporting::one_file_or_zip_sink::kHoldLimit / chunk.size(); ++i)
      ASSERT_TRUE((*s)->write(chunk).ok());
    EXPECT_TRUE(sink.started()) << "too large to hold: zipped as it comes";
  });
  EXPECT_EQ(large.extension, ".zip");
  auto big = read_zip(large.bytes);
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0].second.size(),
            (exporting::one_file_or_zip_sink::kHoldLimit / chunk.size() + 1) * chunk.size());
}

TEST(ExportZip, ManyEntriesUseZip64EndRecords) {
  std::string bytes;
  exporting::callback_writer w([&](std::string_view b) -> annot::status {
    bytes.append(b);
    return {};
  });
  exporting::zip_sink zip(w);
  for (int i = 0; i < 70000; ++i) {
    auto s = zip.open("l/" + std::to_string(i) + ".txt");
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->write(std::to_string(i)).ok());
  }
  ASSERT_TRUE(zip.finish().ok());
  auto entries = read_zip(bytes);
  ASSERT_EQ(entries.size(), 70001u);
  EXPECT_EQ(entries.back().first, "l/69999.txt");
  EXPECT_EQ(entries.back().second, "69999");
}

// The zip gathers small writes (headers, small entries) into ~256 KiB blocks, so a failing client is
// seen at the first block written: from then on every write and finish() report it, and nothing more
// is sent.
TEST(ExportZip, WriteErrorsStopTheArchive) {
  int writes = 0;
  exporting::callback_writer w([&](std::string_view) -> annot::status {
    ++writes;
    return annot::status(annot::errc::io_error, "client gone");
  });
  exporting::zip_sink zip(w);
  auto s = zip.open("a.txt");
  ASSERT_TRUE(s.ok()) << "the header is only buffered";
  std::string noise(1 << 20, '\0');  // incompressible, so the compressed entry outgrows the buffer
  std::uint32_t x = 12345;
  for (char& c : noise) c = static_cast<char>((x = x * 1103515245u + 12345u) >> 24);
  annot::status first = (*s)->write(noise);
  for (int i = 0; first.ok() && i < 8; ++i) first = (*s)->write(noise);
  EXPECT_EQ(first.code(), annot::errc::io_error);
  EXPECT_FALSE(zip.open("b.txt").ok());
  EXPECT_EQ(zip.finish().code(), annot::errc::io_error);
  EXPECT_EQ(writes, 1) << "nothing is sent after the first failure";
}

// ---- the assembled host -------------------------------------------------------------------------

const char* text_config =
    R"(<View><Text name="text" value="$text"/><Labels name="label" toName="text"><Label value="PER"/><Label value="LOC"/></Labels><Choices name="sentiment" toName="text"><Choice value="pos"/><Choice value="neg"/></Choices></View>)";
const char* image_config =
    R"(<View><Image name="image" value="$image"/><RectangleLabels name="box" toName="image"><Label value="Car"/></RectangleLabels></View>)";
const char* repeater_config =
    R"(<View><Repeater on="$images" indexFlag="{{idx}}"><Image name="page_{{idx}}" value="$images[{{idx}}].url"/><RectangleLabels name="labels_{{idx}}" toName="page_{{idx}}"><Label value="Title"/></RectangleLabels></Repeater></View>)";

class export_host : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = &host_.start();
    port_ = host_.port();
    root_ = host_.root();
    auto u = app_->db().run<store::user>(
        [&](store::write_context& w) { return w.create_user({.email = "exporter@example.com"}); });
    ASSERT_TRUE(u) << u.error().message();
    user_id_ = u->id;
    token_ = *app_->db().read()->legacy_token(u->id);
  }
  // `annot export PID <args>` on the host's data folder (stopped first): exit status and output.
  std::pair<int, std::string> cli_export(std::int64_t pid, const std::string& args,
                                         const std::string& env = "") {
    auto r = annot::host::testing::run_annot("export " + std::to_string(pid) + " --quiet --data-dir " +
                                                 (root_ / "data").string() + " --plugins-dir " +
                                                 ANNOT_TEST_PLUGINS_DIR + " " + args,
                                             env);
    return {r.code, r.out};
  }
  static std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::int64_t make_project(const std::string& config) {
    auto p = app_->db().run<store::project>([&](store::write_context& w) {
      store::project_fields f;
      f.title = "export test";
      f.label_config = config;
      return w.create_project({f, user_id_});
    });
    EXPECT_TRUE(p) << p.error().message();
    return p ? p->id : 0;
  }

  std::int64_t add_task(std::int64_t pid, const std::string& data) {
    auto t = app_->db().run<store::task>([&](store::write_context& w) {
      store::new_task n;
      n.project_id = pid;
      n.data = data;
      return w.create_task(n);
    });
    EXPECT_TRUE(t) << t.error().message();
    return t ? t->id : 0;
  }

  std::int64_t annotate(std::int64_t task, const std::string& result, bool cancelled = false) {
    auto a = app_->db().run<store::annotation>([&](store::write_context& w) {
      store::new_annotation n;
      n.task_id = task;
      n.result = result;
      n.completed_by = user_id_;
      n.was_cancelled = cancelled;
      n.lead_time = 2.5;
      return w.create_annotation(n);
    });
    EXPECT_TRUE(a) << a.error().message();
    return a ? a->id : 0;
  }

  annot::test::http_response get(const std::string& target, bool with_auth = true) {
    annot::test::http_client c(port_, "127.0.0.1", std::chrono::seconds(60));
    annot::test::header_list h;
    if (with_auth) h.emplace_back("Authorization", "Token " + token_);
    return c.request("GET", target, {}, h);
  }

  annot::test::http_response send(const char* method, const std::string& target,
                                  const std::string& body = {}) {
    annot::test::http_client c(port_, "127.0.0.1", std::chrono::seconds(60));
    return c.request(method, target, body,
                     {{"Authorization", "Token " + token_}, {"Content-Type", "application/json"}});
  }
  annot::test::http_response post(const std::string& target, const std::string& body) {
    return send("POST", target, body);
  }
  // GETs `target` until done(its JSON) holds (a stored export's job finishing); a test failure
  // after ~10 s.
  template <class Done>
  json settle(const std::string& target, Done done) {
    for (int i = 0; i < 400; ++i) {
      json j = json::parse(get(target).body);
      if (done(j)) return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ADD_FAILURE() << "timed out waiting for " << target;
    return json();
  }

  // A new stored export of project `pid`, waited for until it completed: its path (.../exports/{id}).
  std::string completed_export(std::int64_t pid) {
    const std::string base = "/api/projects/" + std::to_string(pid) + "/exports";
    json created = json::parse(post(base, "{}").body);
    const std::string one = base + "/" + std::to_string(created["id"].get<std::int64_t>());
    json meta =
        settle(one, [](const json& j) { return j["status"] != "created" && j["status"] != "in_progress"; });
    EXPECT_EQ(meta["status"], "completed") << meta.dump();
    return one;
  }

  // Stored export `one` (a completed_export) converted to `type`, once the conversion has settled.
  annot::test::http_response converted(const std::string& one, const std::string& type) {
    auto r = post(one + "/convert", R"({"export_type": ")" + type + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
    settle(one, [&](const json& j) {
      for (const auto& c : j["converted_formats"])
        if (c["export_type"] == type) return c["status"] != "in_progress";
      return false;
    });
    return get(one + "/download?exportType=" + type);
  }

  // An export's files by path, to compare one way out with another.
  using file_map = std::map<std::string, std::string>;
  // A zip's files (not its folder entries).
  static file_map zip_files(const std::string& zip) {
    file_map f;
    for (auto& [name, bytes] : read_zip(zip))
      if (!name.ends_with("/")) f[name] = std::move(bytes);
    return f;
  }
  // The files under `dir`, by their paths from it.
  static file_map folder_files(const fs::path& dir) {
    file_map f;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file()) f[fs::relative(e.path(), dir).string()] = slurp(e.path());
    return f;
  }
  // Without what two runs of one export may differ in: the time of the export (COCO's info.date_created,
  // in result.json or BRUSH_TO_COCO's result_coco.json) and BRUSH_TO_COCO's category colours (random, as
  // upstream).
  static file_map without_export_time(file_map f) {
    for (const char* name : {"result.json", "result_coco.json"}) {
      auto it = f.find(name);
      if (it == f.end() || it->second.empty() || it->second[0] != '{') continue;
      json r = json::parse(it->second);
      if (r.contains("info") && r["info"].is_object()) r["info"].erase("date_created");
      if (std::string_view(name) == "result_coco.json")
        for (auto& c : r["categories"]) c.erase("color");
      it->second = r.dump();
    }
    return f;
  }

  // A grey PNG of 20 x 10 pixels (its header is what an export reads) uploaded to project `pid`: its
  // /data/upload path.
  std::string upload_grey_png(std::int64_t pid) {
    const fs::path dir = root_ / "data" / "upload" / std::to_string(pid);
    fs::create_directories(dir);
    std::ofstream(dir / "g.png", std::ios::binary)
        << std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x14\0\0\0\x0a\x08\x00\0\0\0", 29);
    return "/data/upload/" + std::to_string(pid) + "/g.png";
  }

  json formats(std::int64_t pid) {
    auto r = get("/api/projects/" + std::to_string(pid) + "/export/formats");
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }

  annot::host::testing::api_host host_;
  fs::path root_;
  app::host_app* app_ = nullptr;
  std::uint16_t port_ = 0;
  std::int64_t user_id_ = 0;
  std::string token_;
};

json entry(const json& list, const std::string& name) {
  for (const auto& f : list)
    if (f["name"] == name) return f;
  return nullptr;
}

TEST_F(export_host, FormatsListingMarksFormatsThatDoNotFit) {
  std::int64_t text = make_project(text_config), image = make_project(image_config),
               repeater = make_project(repeater_config);
  json t = formats(text), i = formats(image), r = formats(repeater);
  for (const char* any : {"JSON", "JSON_MIN", "CSV", "TSV"}) {
    ASSERT_FALSE(entry(t, any).is_null()) << any << " is not registered";
    EXPECT_FALSE(entry(t, any)["disabled"].get<bool>()) << any;
    EXPECT_FALSE(entry(i, any)["disabled"].get<bool>()) << any;
    EXPECT_FALSE(entry(r, any)["disabled"].get<bool>()) << any;
  }
  // SPACY: text + Labels only.
  ASSERT_FALSE(entry(t, "SPACY").is_null());
  EXPECT_FALSE(entry(t, "SPACY")["disabled"].get<bool>());
  EXPECT_TRUE(entry(i, "SPACY")["disabled"].get<bool>());
  EXPECT_NE(entry(i, "SPACY")["reason"].get<std::string>().find("Text"), std::string::npos);
  // Formats of the other exporter plugins, when loaded: image formats off for text and Repeater
  // configs, CoNLL off for images.
  for (const char* img : {"COCO", "YOLO", "VOC", "YOLO_OBB", "COCO_WITH_IMAGES", "YOLO_WITH_IMAGES"}) {
    if (entry(t, img).is_null()) continue;
    EXPECT_TRUE(entry(t, img)["disabled"].get<bool>()) << img;
    EXPECT_TRUE(entry(t, img).contains("reason")) << img;
    EXPECT_TRUE(entry(r, img)["disabled"].get<bool>()) << img;
    EXPECT_NE(entry(r, img)["reason"].get<std::string>().find("{{idx}}"), std::string::npos) << img;
  }
  if (!entry(i, "CONLL2003").is_null()) {
    EXPECT_TRUE(entry(i, "CONLL2003")["disabled"].get<bool>());
    EXPECT_FALSE(entry(t, "CONLL2003")["disabled"].get<bool>());
  }
  // Enabled entries come first.
  bool seen_disabled = false;
  for (const auto& f : t) {
    if (f["disabled"].get<bool>()) seen_disabled = true;
    else EXPECT_FALSE(seen_disabled) << f["name"];
  }
  EXPECT_EQ(get("/api/projects/999999/export/formats").status, 404);
  EXPECT_EQ(get("/api/projects/" + std::to_string(text) + "/export/formats", false).status, 401);
}

// The project's config is derived once per config text (project_configs): a new config is seen at once
// by the listing, the easy export and the stored exports.
TEST_F(export_host, FormatsListingAndExportsFollowAConfigChange) {
  const std::int64_t pid = make_project(text_config);
  const std::string project = "/api/projects/" + std::to_string(pid);
  ASSERT_FALSE(entry(formats(pid), "CONLL2003").is_null());
  EXPECT_FALSE(entry(formats(pid), "CONLL2003")["disabled"].get<bool>());
  EXPECT_EQ(get(project + "/export?exportType=CONLL2003").status, 200);
  const auto patched = send("PATCH", project, json{{"label_config", image_config}}.dump());
  ASSERT_EQ(patched.status, 200) << patched.body;
  const json after = formats(pid);
  EXPECT_TRUE(entry(after, "CONLL2003")["disabled"].get<bool>());
  EXPECT_TRUE(entry(after, "SPACY")["disabled"].get<bool>());
  const auto refused = get(project + "/export?exportType=CONLL2003");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("not available for this project"), std::string::npos) << refused.body;
  if (!entry(after, "COCO").is_null()) {
    EXPECT_FALSE(entry(after, "COCO")["disabled"].get<bool>());
    EXPECT_EQ(get(project + "/export?exportType=COCO").status, 200);
  }
  const std::string stored = completed_export(pid);
  const auto convert = post(stored + "/convert", R"({"export_type": "CONLL2003"})");
  EXPECT_EQ(convert.status, 400) << convert.body;
  EXPECT_NE(convert.body.find("not available for this project"), std::string::npos) << convert.body;
  // And back: the text config's formats again.
  ASSERT_EQ(send("PATCH", project, json{{"label_config", text_config}}.dump()).status, 200);
  EXPECT_FALSE(entry(formats(pid), "CONLL2003")["disabled"].get<bool>());
  EXPECT_EQ(get(project + "/export?exportType=CONLL2003").status, 200);
}

TEST_F(export_host, EasyExportStreamsLabelStudioFiles) {
  std::int64_t pid = make_project(text_config);
  std::int64_t t1 = add_task(pid, R"({"text": "Anna went to Rome"})");
  std::int64_t t2 = add_task(pid, R"({"text": "nothing here"})");
  std::int64_t t3 = add_task(pid, R"({"text": "skipped one"})");
  std::int64_t a1 = annotate(t1, R"([{"id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
      "value": {"start": 0, "end": 4, "text": "Anna", "labels": ["PER"]}},
     {"id": "r2", "from_name": "label", "to_name": "text", "type": "labels",
      "value": {"start": 12, "end": 16, "text": "Rome", "labels": ["LOC"]}},
     {"id": "r3", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["pos"]}}])");
  annotate(t3, "[]", true);
  const std::string base = "/api/projects/" + std::to_string(pid) + "/export";

  // JSON: tasks with an annotation (cancelled ones count) unless download_all_tasks.
  auto r = get(base + "?exportType=JSON");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type").value_or(""), "application/.json");
  std::string disposition = r.header("Content-Disposition").value_or("");
  EXPECT_NE(disposition.find("attachment; filename=\"project-" + std::to_string(pid) + "-at-"), std::string::npos)
      << disposition;
  EXPECT_NE(disposition.find(".json\""), std::string::npos) << disposition;
  // Label Studio's own `filename` header, which its export page saves the download by.
  EXPECT_NE(disposition.find("filename=\"" + r.header("filename").value_or("?") + "\""), std::string::npos)
      << disposition;
  json tasks = json::parse(r.body);
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0]["id"], t1);
  EXPECT_EQ(tasks[0]["data"]["text"], "Anna went to Rome");
  EXPECT_EQ(tasks[0]["annotations"][0]["id"], a1);
  EXPECT_EQ(tasks[0]["annotations"][0]["completed_by"], user_id_);
  EXPECT_EQ(tasks[0]["annotations"][0]["result"].size(), 3u);
  EXPECT_EQ(tasks[0]["annotations"][0]["lead_time"], 2.5);
  EXPECT_EQ(tasks[1]["id"], t3);
  EXPECT_TRUE(tasks[1]["annotations"][0]["was_cancelled"].get<bool>());
  EXPECT_EQ(json::parse(get(base + "?exportType=JSON&download_all_tasks=true").body).size(), 3u);
  // ids[] narrows; the tasks without annotations still need download_all_tasks (Label Studio's ExportAPI).
  EXPECT_EQ(json::parse(get(base + "?exportType=JSON&ids[]=" + std::to_string(t2)).body), json::array());
  json only =
      json::parse(get(base + "?exportType=JSON&download_all_tasks=true&ids[]=" + std::to_string(t2)).body);
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0]["id"], t2);
  only = json::parse(
      get(base + "?exportType=JSON&ids[]=" + std::to_string(t1) + "&ids[]=" + std::to_string(t2)).body);
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0]["id"], t1);

  // JSON_MIN: one record per live annotation; the cancelled-only task gives none.
  r = get(base + "?exportType=JSON_MIN&download_all_tasks=true");
  ASSERT_EQ(r.status, 200) << r.body;
  json min = json::parse(r.body);
  ASSERT_EQ(min.size(), 2u);
  EXPECT_EQ(min[0]["sentiment"], "pos");
  EXPECT_EQ(min[0]["label"].size(), 2u);
  EXPECT_EQ(min[0]["annotator"], user_id_);
  EXPECT_TRUE(min[1]["annotator"].is_null());

  // CSV: CRLF rows under a sorted header.
  r = get(base + "?exportType=CSV");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type").value_or(""), "application/.csv");
  EXPECT_EQ(r.body.substr(0, r.body.find("\r\n")),
            R"("annotation_id","annotator","created_at","id","label","lead_time","sentiment","text","updated_at")");

  // SPACY.
  r = get(base + "?exportType=SPACY");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"text\": \"Anna went to Rome\", \"entities\": [[0, 4, \"PER\"], [12, 16, \"LOC\"]]}\n");

  // Bad requests name the problem.
  r = get(base + "?exportType=NOPE");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("NOPE"), std::string::npos) << r.body;
  EXPECT_EQ(json::parse(r.body)["validation_errors"]["exportType"].size(), 1u) << r.body;
  r = get(base + "?exportType=JSON&download_all_tasks=maybe");
  EXPECT_EQ(r.status, 400);
  // Shaped as DRF's serializer errors come from Label Studio: the parameter under validation_errors.
  EXPECT_EQ(json::parse(r.body)["detail"], "Validation error") << r.body;
  EXPECT_NE(
      json::parse(r.body)["validation_errors"]["download_all_tasks"][0].get<std::string>().find("maybe"),
      std::string::npos)
      << r.body;
  r = get(base + "?exportType=JSON&ids[]=abc");
  EXPECT_EQ(r.status, 400);
  // An empty selection is refused, not taken for every task.
  for (const char* empty : {"&ids[]=", "&ids[]=,,,", "&ids=", "&ids[]=1&ids[]="}) {
    r = get(base + "?exportType=JSON" + empty);
    EXPECT_EQ(r.status, 400) << empty << ": " << r.body.substr(0, 200);
    EXPECT_EQ(json::parse(r.body)["validation_errors"]["ids"].size(), 1u) << r.body;
  }
  // A repeated parameter: its last value, as Django's QueryDict.get reads it.
  r = get(base + "?exportType=CSV&exportType=SPACY");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.front(), '{') << "the first exportType was used";
  EXPECT_EQ(get("/api/projects/999999/export").status, 404);
  EXPECT_EQ(get(base, false).status, 401);
}

// Files a conversion wrote after its project was deleted (a job still running when the DELETE came)
// are removed at the next start; a live project's stored exports stay.
TEST_F(export_host, ExportsOfDeletedProjectsAreRemovedAtStart) {
  const std::int64_t live = make_project(text_config);
  const fs::path exports = root_ / "data" / "export";
  const fs::path kept = exports / std::to_string(live) / "3" / "tasks.json";
  const fs::path orphan = exports / "4242" / "7" / "converted.zip";
  for (const fs::path& f : {kept, orphan}) {
    fs::create_directories(f.parent_path());
    std::ofstream(f) << "bytes";
  }
  app_ = &host_.start();  // a restart on the same data directory
  port_ = host_.port();
  EXPECT_TRUE(fs::exists(kept));
  EXPECT_FALSE(fs::exists(exports / "4242")) << "the deleted project's folder stayed";
  EXPECT_EQ(get("/api/projects/" + std::to_string(live) + "/exports").status, 200);
}

TEST_F(export_host, ImageFormatsAreRefusedForTextProjects) {
  std::int64_t pid = make_project(text_config);
  std::int64_t t = add_task(pid, R"({"text": "x"})");
  annotate(t, "[]");
  // SPACY does not apply to an image project: 400 with the reason.
  std::int64_t img = make_project(image_config);
  auto r = get("/api/projects/" + std::to_string(img) + "/export?exportType=SPACY");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("not available"), std::string::npos) << r.body;
}

TEST_F(export_host, StoredExportsSnapshotConvertDownloadDelete) {
  std::int64_t pid = make_project(text_config);
  std::int64_t t1 = add_task(pid, R"({"text": "Anna went to Rome"})");
  add_task(pid, R"({"text": "no annotation"})");
  annotate(t1, R"([{"id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
      "value": {"start": 0, "end": 4, "text": "Anna", "labels": ["PER"]}}])");
  const std::string base = "/api/projects/" + std::to_string(pid) + "/exports";

  auto created = post(base, R"({"title": "nightly", "task_filter_options": {"only_with_annotations": true},
      "serialization_options": {"annotations__completed_by": {"only_id": false}}})");
  ASSERT_EQ(created.status, 201) << created.body;
  json meta = json::parse(created.body);
  EXPECT_EQ(meta["title"], "nightly");
  EXPECT_EQ(meta["created_by"]["email"], "exporter@example.com");
  EXPECT_TRUE(meta["created_by"].contains("avatar")) << "UserSimpleSerializer's fields";
  // Without a title, Label Studio's default: the project's title, spaces as dashes, and the minute.
  json untitled = json::parse(post(base, "{}").body);
  std::string minute = untitled["created_at"].get<std::string>().substr(0, 16);
  for (char& c : minute)
    if (c == 'T' || c == ':') c = '-';
  EXPECT_EQ(untitled["title"], "export-test-at-" + minute);
  auto bad_option = post(base, R"({"task_filter_options": {"skipped": "include"}})");
  EXPECT_EQ(bad_option.status, 400);
  EXPECT_EQ(json::parse(bad_option.body)["validation_errors"]["task_filter_options"].size(), 1u)
      << bad_option.body;
  const std::string one = base + "/" + std::to_string(meta["id"].get<std::int64_t>());
  meta = settle(one, [](const json& j) { return j["status"] != "created" && j["status"] != "in_progress"; });
  ASSERT_EQ(meta["status"], "completed") << meta.dump();
  EXPECT_EQ(meta["counters"]["task_number"], 1);
  EXPECT_EQ(json::parse(get(base).body).size(), 2u) << "nightly and the untitled one";

  auto snap = get(one + "/download?exportType=JSON");
  ASSERT_EQ(snap.status, 200) << snap.body;
  // Named as Label Studio names a stored export's file: when it was made and its snapshot's md5.
  std::string when = meta["created_at"].get<std::string>().substr(0, 16);
  for (char& c : when)
    if (c == 'T' || c == ':') c = '-';
  const std::string disposition = snap.header("Content-Disposition").value_or("");
  EXPECT_NE(disposition.find("project-" + std::to_string(pid) + "-at-" + when + "-" +
                             meta["md5"].get<std::string>().substr(0, 8) + ".json"),
            std::string::npos)
      << disposition;
  EXPECT_FALSE(snap.chunked);
  EXPECT_EQ(snap.header("Content-Length"), std::to_string(snap.body.size()));
  EXPECT_EQ(snap.header("Accept-Ranges"), "bytes");
  {
    // A range of it, as Label Studio's RangedFileResponse answers: a download can be resumed.
    annot::test::http_client c(port_, "127.0.0.1", std::chrono::seconds(60));
    auto part = c.request("GET", one + "/download?exportType=JSON", {},
                          {{"Authorization", "Token " + token_}, {"Range", "bytes=2-9"}});
    EXPECT_EQ(part.status, 206);
    EXPECT_EQ(part.body, snap.body.substr(2, 8));
    EXPECT_EQ(part.header("Content-Range"), "bytes 2-9/" + std::to_string(snap.body.size()));
  }
  json tasks = json::parse(snap.body);
  ASSERT_EQ(tasks.size(), 1u);
  // The export's md5 is the checksum of the snapshot it downloads.
  EXPECT_EQ(meta["md5"], md5_hex(snap.body));
  EXPECT_EQ(tasks[0]["annotations"][0]["completed_by"]["email"], "exporter@example.com");

  EXPECT_EQ(snap.header("filename"), "project-" + std::to_string(pid) + "-at-" + when + "-" +
                                         meta["md5"].get<std::string>().substr(0, 8) + ".json");

  EXPECT_EQ(get(one + "/download?exportType=CSV").status, 404);
  auto nope = post(one + "/convert", R"({"export_type": "NOPE"})");
  EXPECT_EQ(nope.status, 400);
  EXPECT_EQ(json::parse(nope.body)["validation_errors"]["export_type"].size(), 1u) << nope.body;
  EXPECT_EQ(post(one + "/convert", R"({})").status, 400);
  auto number = post(one + "/convert", R"({"export_type": 5})");
  EXPECT_EQ(number.status, 400);
  EXPECT_NE(number.body.find("not 5"), std::string::npos) << "the field is there, of the wrong type: " << number.body;
  auto conv = post(one + "/convert", R"({"export_type": "CSV"})");
  ASSERT_EQ(conv.status, 200) << conv.body;
  EXPECT_EQ(json::parse(conv.body)["export_type"], "CSV");
  meta = settle(one, [](const json& j) {
    return !j["converted_formats"].empty() && j["converted_formats"][0]["status"] != "in_progress";
  });
  ASSERT_EQ(meta["converted_formats"][0]["status"], "completed") << meta.dump();
  EXPECT_EQ(meta["converted_formats"][0]["report"]["tasks"], 1) << meta.dump();
  auto csv = get(one + "/download?exportType=CSV");
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("\"Anna went to Rome\""), std::string::npos) << csv.body;
  EXPECT_EQ(csv.body.substr(0, 16), "\"annotation_id\",");

  annot::test::http_client c(port_);
  EXPECT_EQ(c.request("DELETE", one, {}, {{"Authorization", "Token " + token_}}).status, 204);
  EXPECT_EQ(get(one).status, 404);
  EXPECT_EQ(get(base + "/abc").status, 400);
}

// A snapshot that cannot be written whole (a full disk; here the process's file size limit) fails
// with its reason in the listing, and its partial file goes: the metadata used to be written over
// by a short write too, and the export vanished from the listing.
TEST_F(export_host, StoredExportThatCannotBeWrittenIsListedAsFailedAndLeavesNoPartialSnapshot) {
  std::int64_t pid = make_project(text_config);
  add_task(pid, json{{"text", std::string(1 << 20, 'a')}}.dump());
  const std::string base = "/api/projects/" + std::to_string(pid) + "/exports";
  // Only the snapshot is written while the limit holds: the store is read, the metadata is small.
  ::signal(SIGXFSZ, SIG_IGN);
  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &before), 0);
  rlimit small = before;
  small.rlim_cur = 256 * 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  auto created = post(base, "{}");
  json meta;
  if (created.status == 201)
    meta = settle(base + "/" + std::to_string(json::parse(created.body)["id"].get<std::int64_t>()),
                  [](const json& j) { return j["status"] != "created" && j["status"] != "in_progress"; });
  ::setrlimit(RLIMIT_FSIZE, &before);
  ::signal(SIGXFSZ, SIG_DFL);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(meta["status"], "failed") << meta.dump();
  EXPECT_NE(meta.value("traceback", "").find("tasks.json"), std::string::npos) << meta.dump();
  const json listed = json::parse(get(base).body);
  ASSERT_EQ(listed.size(), 1u) << listed.dump();
  EXPECT_EQ(listed[0]["status"], "failed");
  const fs::path dir =
      root_ / "data" / "export" / std::to_string(pid) / std::to_string(meta["id"].get<std::int64_t>());
  EXPECT_TRUE(fs::exists(dir / "meta.json"));
  EXPECT_FALSE(fs::exists(dir / "tasks.json"));
  EXPECT_FALSE(fs::exists(dir / "meta.json.tmp"));
}

// A stored export deleted while its job runs stays deleted (the job's last write used to bring back a
// metadata file without id, title or snapshot, and listing such files crashed the sort); a second conversion
// of a format that is converting joins the first; a deleted project's stored exports go with it.
TEST_F(export_host, StoredExportsStayDeletedAndConversionsOfOneFormatDoNotOverlap) {
  std::int64_t pid = make_project(text_config);
  for (int i = 0; i < 400; ++i) {
    std::int64_t t = add_task(pid, R"({"text": "Anna went to Rome )" + std::to_string(i) + R"("})");
    annotate(t, R"([{"id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
        "value": {"start": 0, "end": 4, "text": "Anna", "labels": ["PER"]}}])");
  }
  const std::string base = "/api/projects/" + std::to_string(pid) + "/exports";
  const fs::path exports = root_ / "data" / "export" / std::to_string(pid);

  // Deleted at once, many times over: each stays deleted and leaves no folder once its job is done.
  std::vector<std::string> deleted;
  for (int i = 0; i < 8; ++i) {
    auto created = send("POST", base, "{}");
    ASSERT_EQ(created.status, 201) << created.body;
    deleted.push_back(base + "/" + std::to_string(json::parse(created.body)["id"].get<std::int64_t>()));
    EXPECT_EQ(send("DELETE", deleted.back()).status, 204);
  }
  auto kept = send("POST", base, "{}");
  ASSERT_EQ(kept.status, 201);
  const std::string one = base + "/" + std::to_string(json::parse(kept.body)["id"].get<std::int64_t>());
  ASSERT_EQ(
      settle(one,
             [](const json& j) { return j["status"] == "completed" || j["status"] == "failed"; })["status"],
      "completed");
  // Two job threads: the last deleted job may still be running; its folder goes when it ends.
  auto folders = [&] {
    std::size_t n = 0;
    for (const auto& d : fs::directory_iterator(exports)) n += d.is_directory();
    return n;
  };
  for (int i = 0; i < 400 && folders() != 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  EXPECT_EQ(folders(), 1u) << "only the kept export's folder";
  for (const auto& target : deleted) EXPECT_EQ(get(target).status, 404) << target;

  // A metadata file edited by hand without "id" is listed, not a crash.
  fs::create_directories(exports / "999");
  std::ofstream(exports / "999" / "meta.json") << R"({"status": "completed"})";
  fs::create_directories(exports / "998");
  std::ofstream(exports / "998" / "meta.json") << "[1, 2]";
  auto listed = get(base);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(json::parse(listed.body).size(), 2u) << listed.body;

  // Three conversions of one format at once: one job, one entry, completed without a traceback. As in
  // Label Studio, the later ones are refused while the first runs, and after it completed.
  auto first = send("POST", one + "/convert", R"({"export_type": "CONLL2003"})");
  ASSERT_EQ(first.status, 200) << first.body;
  for (int i = 0; i < 2; ++i) {
    auto again = send("POST", one + "/convert", R"({"export_type": "CONLL2003"})");
    ASSERT_EQ(again.status, 400) << again.body;
    json e = json::parse(again.body);
    EXPECT_EQ(e["detail"], "Validation error") << again.body;
    EXPECT_EQ(e["validation_errors"]["non_field_errors"][0], "Conversion to CONLL2003 already started")
        << again.body;
  }
  json meta = settle(one, [](const json& j) {
    return !j["converted_formats"].empty() && j["converted_formats"][0]["status"] != "in_progress";
  });
  ASSERT_EQ(meta["converted_formats"].size(), 1u) << meta.dump();
  EXPECT_EQ(meta["converted_formats"][0]["status"], "completed") << meta.dump();
  EXPECT_TRUE(meta["converted_formats"][0]["traceback"].is_null()) << meta.dump();
  EXPECT_EQ(send("POST", one + "/convert", R"({"export_type": "CONLL2003"})").status, 400)
      << "completed: refused";
  auto conll = get(one + "/download?exportType=CONLL2003");
  ASSERT_EQ(conll.status, 200);
  // Named as upstream names a converted file: when it was converted and the md5 of its bytes.
  const std::string name = conll.header("filename").value_or("");
  EXPECT_EQ(name.rfind("project-" + std::to_string(pid) + "-at-", 0), 0u) << name;
  EXPECT_EQ(name.substr(name.size() - 14), md5_hex(conll.body).substr(0, 8) + ".conll") << name;
  EXPECT_NE(conll.header("Content-Disposition").value_or("").find("filename=\"" + name + "\""),
            std::string::npos);

  // The project goes, and its stored exports with it.
  EXPECT_EQ(send("DELETE", "/api/projects/" + std::to_string(pid)).status, 204);
  EXPECT_FALSE(fs::exists(exports));
  EXPECT_EQ(get(one).status, 404);
}

// Label Studio converts a stored export with the converter's upload folder pointed at its own empty
// output folder (export-formats §1.1): uploads are not read, sizes come from the results, COCO names the
// image by its path and VOC says depth 3. With download_resources the uploads are copied, as upstream
// downloads them from itself.
TEST_F(export_host, ConversionsReadUploadsOnlyWhenAskedToCopyThem) {
  std::int64_t pid = make_project(image_config);
  const std::string image = upload_grey_png(pid);  // 20 x 10; the result says 40 x 20
  annotate(
      add_task(pid, json({{"image", image}}).dump()),
      R"([{"id": "b", "from_name": "box", "to_name": "image", "type": "rectanglelabels", "original_width": 40,
      "original_height": 20, "value": {"x": 10, "y": 10, "width": 50, "height": 50, "rotation": 0,
      "rectanglelabels": ["Car"]}}])");
  const std::string base = "/api/projects/" + std::to_string(pid) + "/exports";
  auto convert = [&](const std::string& one, const std::string& type, bool resources) {
    auto r = post(one + "/convert", R"({"export_type": ")" + type + R"(", "download_resources": )" +
                                        (resources ? "true" : "false") + "}");
    EXPECT_EQ(r.status, 200) << r.body;
    json meta = settle(one, [&](const json& j) {
      for (const auto& c : j["converted_formats"])
        if (c["export_type"] == type) return c["status"] != "in_progress";
      return false;
    });
    auto d = get(one + "/download?exportType=" + type);
    EXPECT_EQ(d.status, 200) << d.body.substr(0, 300);
    std::map<std::string, std::string> files;
    for (auto& [name, bytes] : read_zip(d.body)) files[name] = bytes;
    return files;
  };
  for (bool resources : {false, true}) {
    SCOPED_TRACE(resources ? "download_resources" : "without download_resources");
    const std::string one = completed_export(pid);
    const std::int64_t export_id = std::stoll(one.substr(one.rfind('/') + 1));
    auto coco = convert(one, "COCO", resources);
    ASSERT_TRUE(coco.count("result.json"));
    // Only the named zip is kept beside the snapshot, not the converter's folder as well.
    EXPECT_FALSE(fs::exists(root_ / "data" / "export" / std::to_string(pid) / std::to_string(export_id) /
                            "converted" / "COCO"));
    json r = json::parse(coco["result.json"]);
    ASSERT_EQ(r["images"].size(), 1u);
    EXPECT_EQ(r["images"][0]["width"], resources ? 20 : 40);
    EXPECT_EQ(r["images"][0]["height"], resources ? 10 : 20);
    // Read or not, the upload is named as the task names it: no path of the server's leaves in a download
    // (it used to be relative to the conversion's own folder, ../../../../../upload/...).
    EXPECT_EQ(r["images"][0]["file_name"], image);
    auto with_images = convert(one, "COCO_WITH_IMAGES", resources);
    EXPECT_EQ(with_images.count("images/g.png"), resources ? 1u : 0u);
    auto voc = convert(one, "VOC", resources);
    ASSERT_TRUE(voc.count("Annotations/g.xml"));
    EXPECT_NE(voc["Annotations/g.xml"].find(resources ? "<depth>1</depth>" : "<depth>3</depth>"),
              std::string::npos)
        << voc["Annotations/g.xml"];
  }
}

// A conversion writes its download directly, packaged as Label Studio packages the converter's folder:
// an archive format's entries are the easy export's, name for name and byte for byte; a format that
// wrote one file is that file. Nothing but the snapshot, its metadata and the converted files is left
// in the export's folder.
TEST_F(export_host, ConversionsGiveTheEasyExportsEntriesAndLeaveNoFolderBehind) {
  std::int64_t pid = make_project(image_config);
  for (int i = 0; i < 3; ++i)
    annotate(add_task(pid, json({{"image", "https://example.com/img/" + std::to_string(i) + ".jpg"}}).dump()),
             R"([{"id": "b", "from_name": "box", "to_name": "image", "type": "rectanglelabels",
             "original_width": 40, "original_height": 20, "value": {"x": 10, "y": 10, "width": 50,
             "height": 50, "rotation": 0, "rectanglelabels": ["Car"]}}])");
  const std::string one = completed_export(pid);
  const std::int64_t export_id = std::stoll(one.substr(one.rfind('/') + 1));
  auto convert = [&](const std::string& type) { return converted(one, type); };
  auto entries = [](const std::string& zip) {
    std::vector<std::pair<std::string, std::string>> files;
    for (auto& [name, bytes] : read_zip(zip)) files.emplace_back(name, bytes);
    return files;
  };
  // YOLO and COCO name images alike both ways (COCO's info.date_created is the time of each). VOC
  // names its files as Label Studio's convert_file makes it (spec §1.1), so only its shape is compared.
  for (const char* type : {"YOLO", "COCO", "VOC"}) {
    SCOPED_TRACE(type);
    auto converted = convert(type);
    ASSERT_EQ(converted.status, 200) << converted.body.substr(0, 300);
    const std::string name = converted.header("filename").value_or("");
    EXPECT_EQ(fs::path(name).extension(), ".zip") << name;
    // Named by the md5 of its bytes, as Label Studio names a converted file.
    EXPECT_NE(name.find("-" + md5_hex(converted.body).substr(0, 8) + ".zip"), std::string::npos) << name;
    auto easy = get("/api/projects/" + std::to_string(pid) + "/export?exportType=" + type);
    ASSERT_EQ(easy.status, 200);
    auto got = entries(converted.body), want = entries(easy.body);
    ASSERT_EQ(got.size(), want.size());
    if (std::string(type) == "VOC") {
      for (std::size_t i = 0; i < got.size(); ++i)
        EXPECT_EQ(fs::path(got[i].first).parent_path(), fs::path(want[i].first).parent_path())
            << got[i].first;
      continue;
    }
    if (std::string(type) == "COCO")
      for (auto* files : {&got, &want})
        for (auto& [entry, bytes] : *files)
          if (entry == "result.json") {
            json r = json::parse(bytes);
            r["info"].erase("date_created");
            bytes = r.dump();
          }
    EXPECT_EQ(got, want);
  }
  auto json_min = convert("JSON_MIN");
  ASSERT_EQ(json_min.status, 200);
  EXPECT_EQ(json::parse(json_min.body).size(), 3u) << "one file alone: itself, not a zip";
  EXPECT_NE(json_min.header("filename").value_or("").find("-" + md5_hex(json_min.body).substr(0, 8) + ".json"),
            std::string::npos);

  std::set<std::string> left;
  const fs::path folder = root_ / "data" / "export" / std::to_string(pid) / std::to_string(export_id);
  for (const auto& e : fs::directory_iterator(folder))
    left.insert(fs::path(e.path()).extension().string() + (e.is_directory() ? "/" : ""));
  EXPECT_EQ(left, (std::set<std::string>{".json", ".zip"})) << "no converter folder or partial file";
}

// An exporter's own options: the formats listing names them, the easy export takes them as `options` (a JSON
// object) and a conversion in its body. COCO's archive_file_names names a copied upload by its place in the
// zip instead of Label Studio's path from the converter's output folder (export-formats §4 row 13), which
// points outside the zip.
TEST_F(export_host, ExporterOptionsReachTheExporterAndBadOnesAre400s) {
  std::int64_t pid = make_project(image_config);
  const std::string image = upload_grey_png(pid);
  annotate(
      add_task(pid, json({{"image", image}}).dump()),
      R"([{"id": "b", "from_name": "box", "to_name": "image", "type": "rectanglelabels", "original_width": 20,
      "original_height": 10, "value": {"x": 10, "y": 10, "width": 50, "height": 50, "rotation": 0,
      "rectanglelabels": ["Car"]}}])");

  json listed;
  for (const auto& f : formats(pid))
    if (f["name"] == "COCO_WITH_IMAGES") listed = f;
  ASSERT_TRUE(listed.contains("options")) << listed.dump();
  ASSERT_EQ(listed["options"].size(), 1u);
  EXPECT_EQ(listed["options"][0]["name"], "archive_file_names");
  EXPECT_EQ(listed["options"][0]["type"], "boolean");
  EXPECT_EQ(listed["options"][0]["default"], false) << "the JSON value options= takes, not its text";

  const std::string easy = "/api/projects/" + std::to_string(pid) + "/export?exportType=COCO_WITH_IMAGES";
  auto file_name = [&](const std::string& body) {
    std::map<std::string, std::string> files;
    for (auto& [name, bytes] : read_zip(body)) files[name] = bytes;
    EXPECT_EQ(files.count("images/g.png"), 1u);
    return json::parse(files["result.json"])["images"][0]["file_name"].get<std::string>();
  };
  auto plain = get(easy);
  ASSERT_EQ(plain.status, 200) << plain.body.substr(0, 300);
  // By default the task's reference, not the server's absolute path of the upload (which it used to be).
  EXPECT_EQ(file_name(plain.body), image);
  auto named = get(easy + "&options=" + annot::host::testing::url_encode(R"({"archive_file_names": true})"));
  ASSERT_EQ(named.status, 200) << named.body.substr(0, 300);
  EXPECT_EQ(file_name(named.body), "images/g.png");

  for (const char* bad : {R"({"archive_file_names": 1})", R"({"no_such_option": true})", "[true]", "{"}) {
    auto r = get(easy + "&options=" + annot::host::testing::url_encode(bad));
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_TRUE(json::parse(r.body).contains("validation_errors")) << r.body;
    EXPECT_NE(r.body.find("options"), std::string::npos) << r.body;
  }

  const std::string one = completed_export(pid);
  auto refused = post(one + "/convert",
                      R"({"export_type": "COCO_WITH_IMAGES", "options": {"archive_file_names": "yes"}})");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("options"), std::string::npos) << refused.body;
  auto r = post(
      one + "/convert",
      R"({"export_type": "COCO_WITH_IMAGES", "download_resources": true, "options": {"archive_file_names": true}})");
  ASSERT_EQ(r.status, 200) << r.body;
  settle(one, [](const json& j) {
    return !j["converted_formats"].empty() && j["converted_formats"][0]["status"] != "in_progress";
  });
  auto d = get(one + "/download?exportType=COCO_WITH_IMAGES");
  ASSERT_EQ(d.status, 200) << d.body.substr(0, 300);
  EXPECT_EQ(file_name(d.body), "images/g.png");
}

// `annot export --view`: a data-manager tab's tasks (its filters), within --ids; a tab that keeps no
// task exports none; a tab of another project or none is refused, naming it.
TEST_F(export_host, CliViewExportsATabsTasks) {
  const fs::path annot = fs::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!fs::exists(annot)) GTEST_SKIP() << "the annot binary is not built";
  std::int64_t pid = make_project(text_config);
  const std::int64_t t1 = add_task(pid, R"({"text": "one"})");
  const std::int64_t t2 = add_task(pid, R"({"text": "two"})");
  const std::int64_t t3 = add_task(pid, R"({"text": "three"})");
  auto tab = [&](std::int64_t project, const json& filter_value) {
    auto v = app_->db().run<store::view>([&](store::write_context& w) {
      store::new_view nv;
      nv.project_id = project;
      nv.data = json{{"filters",
                      {{"conjunction", "and"},
                       {"items",
                        {{{"filter", "filter:tasks:id"}, {"operator", "greater"}, {"type", "Number"},
                          {"value", filter_value}}}}}}}
                    .dump();
      return w.create_view(nv);
    });
    EXPECT_TRUE(v) << v.error().message();
    return v ? v->id : 0;
  };
  const std::int64_t after_first = tab(pid, t1), none = tab(pid, t3);
  const std::int64_t other = tab(make_project(text_config), 0);
  host_.stop();  // the CLI opens the same database
  auto ids_in = [&](const fs::path& file) {
    std::vector<std::int64_t> out;
    for (const auto& t : json::parse(slurp(file))) out.push_back(t["id"].get<std::int64_t>());
    return out;
  };
  const fs::path file = root_ / "tab.json";
  auto [rc, out] = cli_export(pid, "--view " + std::to_string(after_first) + " --out " + file.string());
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(ids_in(file), (std::vector<std::int64_t>{t2, t3}));
  std::tie(rc, out) = cli_export(pid, "--view " + std::to_string(after_first) + " --ids " + std::to_string(t1) + "," +
                                          std::to_string(t3) + " --out " + file.string());
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(ids_in(file), std::vector<std::int64_t>{t3});
  std::tie(rc, out) = cli_export(pid, "--view " + std::to_string(none) + " --out " + file.string());
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(ids_in(file), std::vector<std::int64_t>{});
  for (const std::string& bad : {std::to_string(other), std::string("999999"), std::string("abc")}) {
    std::tie(rc, out) = cli_export(pid, "--view " + bad + " --out " + file.string());
    EXPECT_EQ(rc, 2) << bad << ": " << out;
    EXPECT_NE(out.find("--view: "), std::string::npos) << out;
  }
  std::tie(rc, out) = cli_export(pid, "--view " + std::to_string(other) + " --out " + file.string());
  EXPECT_NE(out.find("view " + std::to_string(other) + " is not a tab of project " + std::to_string(pid)),
            std::string::npos)
      << out;
}

// `annot export` on the database the host wrote: a file, a zip and a folder.
TEST_F(export_host, CliWritesFilesZipsAndFolders) {
  const fs::path annot = fs::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!fs::exists(annot)) GTEST_SKIP() << "the annot binary is not built";
  std::int64_t pid = make_project(text_config);
  std::int64_t t = add_task(pid, R"({"text": "Anna went to Rome"})");
  add_task(pid, R"({"text": "not annotated"})");
  annotate(t, R"([{"id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
      "value": {"start": 0, "end": 4, "text": "Anna", "labels": ["PER"]}}])");
  host_.stop();  // the CLI opens the same database
  auto run = [&](const std::string& args) { return cli_export(pid, args); };
  auto [rc, out] = run("--format JSON_MIN --out " + (root_ / "min.json").string());
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(json::parse(out)["tasks"], 2);  // the CLI exports every task by default
  json min = json::parse(slurp(root_ / "min.json"));
  ASSERT_EQ(min.size(), 2u);
  EXPECT_EQ(min[0]["label"][0]["labels"][0], "PER");

  std::tie(rc, out) = run("--format CSV --annotated-only --out " + (root_ / "csv.zip").string());
  ASSERT_EQ(rc, 0) << out;
  auto entries = read_zip(slurp(root_ / "csv.zip"));
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].first, "result.csv");
  EXPECT_NE(entries[0].second.find("Anna went to Rome"), std::string::npos);
  EXPECT_EQ(entries[0].second.find("not annotated"), std::string::npos);

  std::tie(rc, out) = run("--format SPACY --out " + (root_ / "dir").string() + "/");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(slurp(root_ / "dir" / "result.jsonl"), "{\"text\": \"Anna went to Rome\", \"entities\": [[0, 4, \"PER\"]]}\n");

  // --ids: a list long enough to live on the heap (it was read through a dangling view), with ids
  // of no task of the project left out; a bad entry is named in the error.
  std::string ids = std::to_string(t);
  for (int i = 0; i < 40; ++i) ids += "," + std::to_string(1000000 + i);
  std::tie(rc, out) = run("--format JSON_MIN --ids " + ids + " --out " + (root_ / "some.json").string());
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(json::parse(out)["tasks"], 1);
  EXPECT_EQ(json::parse(slurp(root_ / "some.json")).size(), 1u);
  std::tie(rc, out) = run("--format JSON_MIN --ids " + ids + ",12x --out " + (root_ / "bad.json").string());
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("--ids: '12x' is not a task id"), std::string::npos) << out;

  std::tie(rc, out) = run("--format NOPE --out " + (root_ / "x").string());
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("NOPE"), std::string::npos) << out;

  // A failed export leaves a file already there as it was, and no partial file beside it.
  const std::string before = slurp(root_ / "min.json"), zip_before = slurp(root_ / "csv.zip");
  std::tie(rc, out) = run("--format JSON_MIN --options '[1]' --out " + (root_ / "min.json").string());
  EXPECT_NE(rc, 0) << out;
  std::tie(rc, out) = run("--format CSV --options '{\"foo\": 1}' --out " + (root_ / "csv.zip").string());
  EXPECT_NE(rc, 0) << out;
  EXPECT_EQ(slurp(root_ / "min.json"), before);
  EXPECT_EQ(slurp(root_ / "csv.zip"), zip_before);
  for (const auto& e : fs::directory_iterator(root_))
    EXPECT_EQ(e.path().filename().string().find(".annot-partial-"), std::string::npos) << e.path();
  // A failed export into a folder removes the folder it made, and leaves one the user had as it was.
  std::tie(rc, out) =
      run("--format CSV --options '{\"foo\": 1}' --out " + (root_ / "new_dir").string() + "/");
  EXPECT_NE(rc, 0) << out;
  EXPECT_FALSE(fs::exists(root_ / "new_dir"));
  EXPECT_NE(out.find((root_ / "new_dir").string() + "/ is removed"), std::string::npos) << out;
  std::tie(rc, out) = run("--format CSV --options '{\"foo\": 1}' --out " + (root_ / "dir").string());
  EXPECT_NE(rc, 0) << out;
  EXPECT_TRUE(fs::exists(root_ / "dir" / "result.jsonl"));
  EXPECT_NE(out.find("the files written before it stay in " + (root_ / "dir").string()), std::string::npos)
      << out;
  std::tie(rc, out) = run("--format JSON_MIN --out " + (root_ / "no_dir" / "x" / "min.json").string());
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("cannot create " + (root_ / "no_dir" / "x" / "min.json").string() + ": No such file"),
            std::string::npos)
      << out;
  std::tie(rc, out) = run("--list");
  EXPECT_EQ(rc, 0);
  EXPECT_NE(out.find("SPACY"), std::string::npos) << out;
}

// --out never lands in the data folder: `--out data/annot.db` renamed the export over the database it
// read (exit 0, every project lost), directly or through a symbolic link. Elsewhere a link is written
// through, as a shell's `>` writes; ".ZIP" is a zip as ".zip" is; an empty --ids is refused rather than
// read as "every task"; a bad --options is a usage error (2).
TEST_F(export_host, CliOutputPathsThatWouldLoseDataAreRefused) {
  const fs::path annot = fs::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!fs::exists(annot)) GTEST_SKIP() << "the annot binary is not built";
  std::int64_t pid = make_project(text_config);
  std::int64_t t = add_task(pid, R"({"text": "Anna went to Rome"})");
  annotate(t, R"([{"id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
      "value": {"start": 0, "end": 4, "text": "Anna", "labels": ["PER"]}}])");
  host_.stop();  // the CLI opens the same database
  const fs::path data = root_ / "data";
  const std::string db_before = slurp(data / "annot.db");
  fs::create_symlink(data / "annot.db", root_ / "db-link");
  for (const fs::path& out :
       {data / "annot.db", data / "annot.db-wal", data / "exports" / "x.json", root_ / "db-link", data}) {
    auto [rc, msg] = cli_export(pid, "--format JSON --out " + out.string());
    EXPECT_EQ(rc, 2) << out << ": " << msg;
    EXPECT_NE(msg.find("is inside the data folder"), std::string::npos) << msg;
  }
  EXPECT_EQ(slurp(data / "annot.db"), db_before);
  EXPECT_FALSE(fs::exists(data / "exports" / "x.json"));

  std::ofstream(root_ / "target.json") << "old";
  fs::create_symlink(root_ / "target.json", root_ / "link.json");
  auto [rc, out] = cli_export(pid, "--format JSON_MIN --out " + (root_ / "link.json").string());
  ASSERT_EQ(rc, 0) << out;
  EXPECT_TRUE(fs::is_symlink(root_ / "link.json"));
  EXPECT_EQ(json::parse(slurp(root_ / "target.json")).size(), 1u);

  std::tie(rc, out) = cli_export(pid, "--format CSV --out " + (root_ / "UPPER.ZIP").string());
  ASSERT_EQ(rc, 0) << out;
  auto entries = read_zip(slurp(root_ / "UPPER.ZIP"));
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].first, "result.csv");

  std::tie(rc, out) = cli_export(pid, "--format JSON_MIN --ids '' --out " + (root_ / "none.json").string());
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("--ids is empty"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(root_ / "none.json"));
  std::tie(rc, out) =
      cli_export(pid, "--format JSON_MIN --options '{bad' --out " + (root_ / "none.json").string());
  EXPECT_EQ(rc, 2) << out;
}

// Ctrl-C (SIGINT) or SIGTERM while `annot export` runs: it stops at its next task and exits with 128 +
// the signal, naming it; a file already at --out stays as it was, with no partial file left beside it,
// and a folder the export made is removed. (The signals' default action used to end the process there
// and then, leaving the partial file: as large as the export had grown.)
TEST_F(export_host, CliInterruptedLeavesNoPartialOutput) {
  const fs::path annot = fs::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!fs::exists(annot)) GTEST_SKIP() << "the annot binary is not built";
  const std::int64_t pid = make_project(text_config);
  // ~100 MB of task text, so that an export is caught while it writes.
  const std::string text(256 * 1024, 'a');
  for (int i = 0; i < 400; ++i) add_task(pid, json({{"text", text + std::to_string(i)}}).dump());
  host_.stop();  // the CLI opens the same database
  // Starts the JSON export into `out`, sends `sig` as soon as `writing(pid)` holds, and returns the result.
  auto interrupted = [&](const std::string& out, int sig, const std::function<bool(pid_t)>& writing) {
    annot::host::testing::running_annot run(
        "export " + std::to_string(pid) + " --format JSON --quiet --data-dir " + (root_ / "data").string() +
            " --plugins-dir " + ANNOT_TEST_PLUGINS_DIR + " --out " + out,
        (root_ / "interrupted.log").string());
    EXPECT_TRUE(run.started());
    bool signalled = false;
    for (int i = 0; i < 40000 && !signalled && !run.exited(); ++i) {
      if (writing(run.pid())) {
        run.signal(sig);
        signalled = true;
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(250));
      }
    }
    EXPECT_TRUE(signalled) << "the export was not seen writing before it ended";
    return run.wait();
  };
  auto has_bytes = [](const fs::path& p) {
    std::error_code ec;
    const auto n = fs::file_size(p, ec);
    return !ec && n > 0;
  };

  const fs::path file = root_ / "tasks.json";
  std::ofstream(file) << "the previous export";
  auto r = interrupted(file.string(), SIGINT, [&](pid_t p) {
    return has_bytes(file.string() + ".annot-partial-" + std::to_string(p));
  });
  EXPECT_EQ(r.code, 130) << r.out;
  EXPECT_NE(r.out.find("interrupted by SIGINT; " + file.string() + " was not written"), std::string::npos)
      << r.out;
  EXPECT_TRUE(slurp(file) == "the previous export") << "the file at --out was replaced";
  for (const auto& e : fs::directory_iterator(root_))
    EXPECT_EQ(e.path().filename().string().find(".annot-partial-"), std::string::npos) << e.path();

  const fs::path dir = root_ / "made";
  r = interrupted(dir.string() + "/", SIGTERM, [&](pid_t p) {
    return has_bytes(dir /
                     ("result.json.annot-partial-" + std::to_string(p)));  // written beside, renamed whole
  });
  EXPECT_EQ(r.code, 143) << r.out;
  EXPECT_NE(r.out.find("interrupted by SIGTERM; " + dir.string() + "/ is removed"), std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists(dir));

  // Into a folder the user named, an interrupt leaves an earlier export's result.json there as it was,
  // with nothing beside it (it used to be left cut short).
  const fs::path named = root_ / "named";
  fs::create_directories(named);
  std::ofstream(named / "result.json") << "the previous export";
  r = interrupted(named.string(), SIGINT, [&](pid_t p) {
    return has_bytes(named / ("result.json.annot-partial-" + std::to_string(p)));
  });
  EXPECT_EQ(r.code, 130) << r.out;
  EXPECT_EQ(slurp(named / "result.json"), "the previous export");
  for (const auto& e : fs::directory_iterator(named))
    EXPECT_EQ(e.path().filename(), "result.json") << e.path();

  // Started with SIGINT ignored (a shell's background job), the export keeps ignoring it and ends whole.
  const fs::path whole = root_ / "whole.json";
  auto ignored =
      annot::host::testing::run_annot("export " + std::to_string(pid) + " --format JSON --quiet --data-dir " +
                                      (root_ / "data").string() + " --plugins-dir " + ANNOT_TEST_PLUGINS_DIR +
                                      " --out " + whole.string() + " & sleep 0.05; kill -INT $!; wait $!");
  ASSERT_EQ(ignored.code, 0) << ignored.out;
  EXPECT_EQ(json::parse(slurp(whole)).size(), 400u);
}

// Every enabled format gives the same files four ways: the API's download, a stored export's
// conversion, the CLI into a folder and the CLI into a zip (and with only annotated tasks, the API's
// default, the CLI's --annotated-only). They share the exporters but not the sinks
// (a zip written on one thread; a folder's files created by lanes, through io_uring batches or plain
// calls), and a conversion reads the stored snapshot instead of the store. The tasks mix what the
// goldens hold little of: tasks without annotations, empty results, cancelled and repeated annotations,
// and enough tasks for many blocks; the brush project's masks are some 740 small files in the
// output's root. Only the time of each export and BRUSH_TO_COCO's random colours are dropped.
// (A folder's io_uring batch once gave the label file of an image without boxes, empty, the boxes of
// the image before it.)
TEST_F(export_host, EveryFormatGivesTheSameFilesThroughTheApiAConversionAFolderAndAZip) {
  const fs::path annot = fs::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!fs::exists(annot)) GTEST_SKIP() << "the annot binary is not built";
  // Besides boxes alone (VOC is offered only there): polygons, keypoints and a choice, two box labels.
  const std::string rich_config = R"(<View><Image name="image" value="$image"/>
    <RectangleLabels name="box" toName="image"><Label value="Car"/><Label value="Bus"/></RectangleLabels>
    <PolygonLabels name="poly" toName="image"><Label value="Car"/></PolygonLabels>
    <KeyPointLabels name="kp" toName="image"><Label value="Bus"/></KeyPointLabels>
    <Choices name="scene" toName="image"><Choice value="day"/><Choice value="night"/></Choices></View>)";
  const std::string brush_config = R"(<View><Image name="image" value="$image"/>
    <BrushLabels name="brush" toName="image"><Label value="Cat"/><Label value="Dog"/></BrushLabels></View>)";
  const std::int64_t image = make_project(image_config), text = make_project(text_config),
                     rich = make_project(rich_config), brush = make_project(brush_config);
  // A 40 x 30 brush mask with the rectangle [x0, x1) x [y0, y1) drawn, every RGBA channel set, as the
  // editor stores it.
  auto mask = [](int x0, int y0, int x1, int y1) {
    std::vector<std::pair<std::uint8_t, std::uint64_t>> runs;
    for (int y = 0; y < 30; ++y)
      for (int x = 0; x < 40; ++x) {
        const std::uint8_t v = y >= y0 && y < y1 && x >= x0 && x < x1 ? 255 : 0;
        if (!runs.empty() && runs.back().first == v)
          runs.back().second += 4;
        else
          runs.push_back({v, 4});
      }
    return json(annot::plugins::export_support::testing::rle_of_runs(runs)).dump();
  };
  for (int i = 0; i < 600; ++i) {
    const std::string n = std::to_string(i);
    const std::int64_t ti =
        add_task(image, json({{"image", "https://example.com/img/" + n + ".jpg"}}).dump());
    const std::int64_t tr = add_task(rich, json({{"image", "s3://bucket/dir/" + n + ".png"}}).dump());
    if (i % 4 != 0) {
      const std::string f = std::to_string(i % 70) + "." + std::to_string(i % 7);
      annotate(tr,
               R"([{"id": "r)" + n + R"(", "from_name": "box", "to_name": "image", "type": "rectanglelabels",
          "original_width": 300, "original_height": 200, "value": {"x": )" +
                   f + R"(, "y": 20, "width": 12.5,
          "height": 30, "rotation": )" +
                   std::to_string(i % 3 * 15) + R"(, "rectanglelabels": [")" + (i % 2 ? "Bus" : "Car") +
                   R"("]}},
        {"id": "p)" +
                   n + R"(", "from_name": "poly", "to_name": "image", "type": "polygonlabels",
          "original_width": 300, "original_height": 200, "value": {"points": [[)" +
                   f + R"(, 1], [50, 2.5],
          [40, 60]], "polygonlabels": ["Car"]}},
        {"id": "k)" +
                   n + R"(", "from_name": "kp", "to_name": "image", "type": "keypointlabels",
          "original_width": 300, "original_height": 200, "value": {"x": )" +
                   f + R"(, "y": 5, "width": 0.5,
          "keypointlabels": ["Bus"]}},
        {"id": "c)" +
                   n + R"(", "from_name": "scene", "to_name": "image", "type": "choices",
          "value": {"choices": [")" +
                   (i % 3 ? "day" : "night") + R"("]}}])",
               i % 9 == 0);
    }
    const std::int64_t tb = add_task(brush, json({{"image", "https://example.com/m/" + n + ".png"}}).dump());
    if (i % 5 == 2) {
      annotate(tb, "[]");
    } else if (i % 4 != 0) {
      // Two masks, the second with two labels; every seventh task a second annotation, every ninth cancelled.
      const std::string masks = R"([{"id": "m)" + n + R"(", "from_name": "brush", "to_name": "image",
          "type": "brushlabels", "original_width": 40, "original_height": 30, "value": {"format": "rle",
          "rle": )" + mask(i % 30, 2, i % 30 + 8, 12 + i % 11) +
                                R"(, "brushlabels": ["Cat"]}},
        {"id": "n)" + n + R"(", "from_name": "brush", "to_name": "image", "type": "brushlabels",
          "original_width": 40, "original_height": 30, "value": {"format": "rle", "rle": )" +
                                mask(1, i % 20, 5 + i % 33, i % 20 + 3) +
                                R"(, "brushlabels": ["Dog", "Cat"]}}])";
      annotate(tb, masks, i % 9 == 0);
      if (i % 7 == 0) annotate(tb, masks);
    }
    const std::int64_t tt = add_task(text, json({{"text", "Anna went to Rome " + n}}).dump());
    const std::string box = R"({"id": "b)" + n + R"(", "from_name": "box", "to_name": "image",
        "type": "rectanglelabels", "original_width": 640, "original_height": 480, "value": {"x": )" +
                            std::to_string(i % 90) +
                            R"(.5, "y": 10, "width": 7.25, "height": 5, "rotation": 0,
        "rectanglelabels": ["Car"]}})";
    const std::string span =
        R"({"id": "s)" + n + R"(", "from_name": "label", "to_name": "text", "type": "labels",
        "value": {"start": 0, "end": 4, "text": "Anna", "labels": ["PER"]}})";
    switch (i % 5) {
      case 0:
        break;  // no annotation
      case 1:
        annotate(ti, "[" + box + "]");
        annotate(tt, "[" + span + "]");
        break;
      case 2:
        annotate(ti, "[]");
        annotate(tt, "[]");
        break;
      case 3:
        annotate(ti, "[" + box + "," + box + "]");
        annotate(ti, "[" + box + "]", true);
        annotate(tt, "[" + span + "]", true);
        break;
      case 4:
        annotate(ti, "[" + box + "]");
        annotate(ti, "[" + box + "]");
        annotate(tt, "[" + span + "]");
        annotate(tt, "[]");
        break;
    }
  }
  // A response's files: a zip's entries, or the one file it is.
  auto response_files = [&](const annot::test::http_response& r) {
    if (fs::path(r.header("filename").value_or("")).extension() == ".zip") return zip_files(r.body);
    return file_map{{"(the one file)", r.body}};
  };
  // What the CLI wrote, named as response_files names it when the API gave one file.
  auto as_api_names = [](file_map f, const file_map& api) {
    if (!api.contains("(the one file)") || f.size() != 1) return f;
    return file_map{{"(the one file)", f.begin()->second}};
  };
  struct run {
    std::int64_t project;
    std::string format;
    file_map all, annotated;  // the API's download of every task, and of annotated ones (its default)
  };
  std::vector<run> runs;
  for (std::int64_t pid : {image, text, rich, brush}) {
    // A stored export's conversions read its snapshot (export/file_cursor), not the store.
    const std::string stored = completed_export(pid);
    for (const auto& f : formats(pid)) {
      if (f["disabled"].get<bool>()) continue;
      const std::string name = f["name"];
      SCOPED_TRACE(name + " of project " + std::to_string(pid));
      const std::string download = "/api/projects/" + std::to_string(pid) + "/export?exportType=" + name +
                                   "&download_resources=false";  // the CLI's default
      auto all = get(download + "&download_all_tasks=true"), annotated = get(download);
      ASSERT_EQ(all.status, 200) << all.body.substr(0, 300);
      ASSERT_EQ(annotated.status, 200) << annotated.body.substr(0, 300);
      auto c = converted(stored, name);
      ASSERT_EQ(c.status, 200) << c.body.substr(0, 300);
      EXPECT_EQ(without_export_time(response_files(c)), without_export_time(response_files(all)))
          << "converted";
      runs.push_back({pid, name, response_files(all), response_files(annotated)});
    }
  }
  ASSERT_GE(runs.size(), 20u);  // JSON, JSON_MIN, CSV, TSV, COCO, VOC, YOLO... and the text formats
  std::set<std::string> brush_formats;
  for (const auto& r : runs)
    if (r.project == brush && r.format.starts_with("BRUSH_")) {
      brush_formats.insert(r.format);
      if (r.format != "BRUSH_TO_COCO") {
        EXPECT_GT(r.all.size(), 700u) << r.format << ": a file per mask";
      }
    }
  EXPECT_EQ(brush_formats, (std::set<std::string>{"BRUSH_TO_COCO", "BRUSH_TO_NUMPY", "BRUSH_TO_PNG"}));
  EXPECT_NE(runs[0].all, runs[0].annotated) << "a fifth of the tasks have no annotation";
  host_.stop();  // the CLI opens the same database
  for (const auto& [pid, format, all, annotated] : runs) {
    SCOPED_TRACE(format + " of project " + std::to_string(pid));
    for (const char* uring : {"1", "0"}) {
      const fs::path dir = root_ / ("cli-" + format + "-" + std::to_string(pid) + "-" + uring);
      auto [rc, out] = cli_export(pid, "--format " + format + " --out " + dir.string() + "/",
                                  std::string("ANNOT_EXPORT_IO_URING=") + uring);
      ASSERT_EQ(rc, 0) << out;
      EXPECT_EQ(without_export_time(as_api_names(folder_files(dir), all)), without_export_time(all))
          << "into a folder, ANNOT_EXPORT_IO_URING=" << uring;
    }
    for (const bool only_annotated : {false, true}) {
      const fs::path zip =
          root_ / ("cli-" + format + "-" + std::to_string(pid) + (only_annotated ? "-a" : "") + ".zip");
      auto [rc, out] = cli_export(
          pid, "--format " + format + (only_annotated ? " --annotated-only" : "") + " --out " + zip.string());
      ASSERT_EQ(rc, 0) << out;
      const file_map& api = only_annotated ? annotated : all;
      EXPECT_EQ(without_export_time(as_api_names(zip_files(slurp(zip)), api)), without_export_time(api))
          << "into a zip" << (only_annotated ? ", annotated tasks only" : "");
    }
  }
}

// Formats that copy uploads (download_resources) give the same files through the API's zip and the CLI's
// folder, whichever way the folder's lanes create files: each task's own upload (an image's size read from
// its PNG header, a clip's duration from its WAV header), tasks without annotations, copies mixed with
// small label files in the lanes' blocks.
TEST_F(export_host, UploadsAreCopiedAlikeIntoTheApisZipAndTheClisFolder) {
  const fs::path annot = fs::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!fs::exists(annot)) GTEST_SKIP() << "the annot binary is not built";
  const std::int64_t pid = make_project(image_config);
  const std::int64_t audio = make_project(
      R"(<View><Audio name="audio" value="$audio"/><TextArea name="transcription" toName="audio"/></View>)");
  auto upload_dir = [&](std::int64_t project) {
    const fs::path dir = root_ / "data" / "upload" / std::to_string(project);
    fs::create_directories(dir);
    return dir;
  };
  const fs::path dir = upload_dir(pid), audio_dir = upload_dir(audio);
  // A PNG's signature and IHDR chunk (what an export reads of it), width and height big-endian.
  auto png = [](std::uint32_t w, std::uint32_t h) {
    std::string b("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
    for (std::uint32_t v : {w, h})
      for (int shift = 24; shift >= 0; shift -= 8) b += static_cast<char>((v >> shift) & 0xff);
    return b + std::string("\x08\x02\0\0\0", 5);
  };
  // A mono 8-bit PCM WAV of `frames` samples at 8 kHz, its fields little-endian.
  auto wav = [](std::uint32_t frames) {
    std::string w;
    auto le = [&](std::string_view tag, std::uint32_t v, int n) {
      w += tag;
      for (int i = 0; i < n; ++i) w += static_cast<char>((v >> (8 * i)) & 0xff);
    };
    le("RIFF", 36 + frames, 4);
    le("WAVEfmt ", 16, 4);
    le("", 1, 2);     // PCM
    le("", 1, 2);     // one channel
    le("", 8000, 4);  // frames per second
    le("", 8000, 4);  // bytes per second
    le("", 1, 2);     // bytes per frame
    le("", 8, 2);     // bits per sample
    le("data", frames, 4);
    return w + std::string(frames, '\x80');
  };
  for (int i = 0; i < 300; ++i) {
    const std::string name = "img" + std::to_string(i) + ".png";
    std::ofstream(dir / name, std::ios::binary) << png(100 + i, 50 + i % 17);
    const std::int64_t t =
        add_task(pid, json({{"image", "/data/upload/" + std::to_string(pid) + "/" + name}}).dump());
    if (i % 3 != 0)
      annotate(t, R"([{"id": "b", "from_name": "box", "to_name": "image", "type": "rectanglelabels",
        "value": {"x": )" +
                      std::to_string(i % 80) + R"(, "y": 1, "width": 5, "height": 5, "rotation": 0,
        "rectanglelabels": ["Car"]}}])");
    const std::string clip = "clip" + std::to_string(i) + ".wav";
    std::ofstream(audio_dir / clip, std::ios::binary) << wav(100 + 40 * i);
    const std::int64_t a =
        add_task(audio, json({{"audio", "/data/upload/" + std::to_string(audio) + "/" + clip}}).dump());
    if (i % 4 != 0)
      annotate(a, json::array({{{"id", "t"},
                                {"from_name", "transcription"},
                                {"to_name", "audio"},
                                {"type", "textarea"},
                                {"value", {{"text", {"clip " + std::to_string(i)}}}}}})
                      .dump());
  }
  struct copying {
    std::int64_t project;
    std::string format, copies;  // the archive's folder of copies
    std::size_t copied;
  };
  const std::vector<copying> formats = {{pid, "VOC", "images/", 300},
                                        {pid, "COCO_WITH_IMAGES", "images/", 300},
                                        {pid, "YOLO_WITH_IMAGES", "images/", 300},
                                        {pid, "YOLO_OBB_WITH_IMAGES", "images/", 300},
                                        {audio, "ASR_MANIFEST", "audio/", 225}};  // clips with a transcript
  // COCO's file_name of an upload is by default its path from the output folder (Label Studio's), which
  // differs between a folder and the API's; as the copy's place in the archive it is the same.
  const std::string coco_names = R"({"archive_file_names": true})";
  auto options_of = [&](const std::string& format) { return format == "COCO_WITH_IMAGES" ? coco_names : ""; };
  std::map<std::string, file_map> api;
  for (const auto& [project, format, copies, copied] : formats) {
    auto r = get("/api/projects/" + std::to_string(project) + "/export?exportType=" + format +
                 "&download_resources=true&download_all_tasks=true" +
                 (options_of(format).empty()
                      ? ""
                      : "&options=" + annot::host::testing::url_encode(options_of(format))));
    ASSERT_EQ(r.status, 200) << format << ": " << r.body.substr(0, 300);
    api[format] = without_export_time(zip_files(r.body));
    std::size_t n = 0;
    for (const auto& [name, bytes] : api[format]) n += name.starts_with(copies);
    EXPECT_EQ(n, copied) << format;
  }
  ASSERT_EQ(api["ASR_MANIFEST"].count("manifest.json"), 1u);
  const std::string& manifest = api["ASR_MANIFEST"]["manifest.json"];
  EXPECT_EQ(std::count(manifest.begin(), manifest.end(), '\n'), 225);
  EXPECT_NE(
      manifest.find(R"({"audio_filepath": "audio/clip299.wav", "duration": 1.5075, "text": "clip 299")"),
      std::string::npos)
      << manifest.substr(0, 300);
  host_.stop();  // the CLI opens the same database
  for (const auto& [project, format, copies, copied] : formats) {
    for (const char* uring : {"1", "0"}) {
      SCOPED_TRACE(format + ", ANNOT_EXPORT_IO_URING=" + uring);
      const fs::path out = root_ / ("copies-" + format + "-" + uring);
      auto [rc, text] =
          cli_export(project,
                     "--format " + format + " --download-resources --out " + out.string() + "/" +
                         (options_of(format).empty() ? "" : " --options '" + options_of(format) + "'"),
                     std::string("ANNOT_EXPORT_IO_URING=") + uring);
      ASSERT_EQ(rc, 0) << text;
      EXPECT_EQ(without_export_time(folder_files(out)), api[format]);
    }
  }
}

// An image whose derived file name is longer than a file system takes (255 bytes) loses its label file
// and the rest is written, in a folder and in a zip alike, with a warning; upstream fails the whole
// export. (300 ASCII characters, and 200 three-byte characters: 600 bytes.)
TEST_F(export_host, FileNamesLongerThanFileSystemsTakeAreLeftOutAndReported) {
  const fs::path annot = fs::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!fs::exists(annot)) GTEST_SKIP() << "the annot binary is not built";
  std::int64_t pid = make_project(image_config);
  const std::string box = R"([{"id": "b", "from_name": "box", "to_name": "image", "type": "rectanglelabels",
      "original_width": 100, "original_height": 50,
      "value": {"x": 1, "y": 1, "width": 5, "height": 5, "rotation": 0, "rectanglelabels": ["Car"]}}])";
  std::string cjk;
  for (int i = 0; i < 200; ++i) cjk += "\u8eca";
  annotate(add_task(pid, R"({"image": "https://example.com/)" + std::string(300, 'a') + R"(.jpg"})"), box);
  annotate(add_task(pid, R"({"image": "https://example.com/)" + cjk + R"(.jpg"})"), box);
  annotate(add_task(pid, R"({"image": "https://example.com/fine.jpg"})"), box);
  const std::string base = "/api/projects/" + std::to_string(pid) + "/export";
  auto zip = get(base + "?exportType=VOC");
  ASSERT_EQ(zip.status, 200) << zip.body.substr(0, 300);
  std::vector<std::string> names;
  for (const auto& [name, bytes] : read_zip(zip.body)) names.push_back(name);
  EXPECT_EQ(
      std::count_if(names.begin(), names.end(),
                    [](const std::string& n) { return n.rfind("Annotations/", 0) == 0 && n.back() != '/'; }),
      1)
      << "only fine.xml";
  host_.stop();
  for (const char* format : {"VOC", "YOLO"}) {
    SCOPED_TRACE(format);
    const fs::path out_dir = root_ / (std::string("long-") + format);
    auto [rc, out] = cli_export(pid, std::string("--format ") + format + " --out " + out_dir.string() + "/");
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("longer than 255 bytes"), std::string::npos) << out;
    const fs::path kept = std::string(format) == "VOC" ? out_dir / "Annotations" : out_dir / "labels";
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(kept)) files += e.is_regular_file();
    // YOLO cuts label stems to 251 characters as upstream, so the ASCII one fits; VOC does not cut.
    EXPECT_EQ(files, std::string(format) == "VOC" ? 1u : 2u);
  }
}

// Task data is user input: an export copies or opens only uploads (and, from the CLI, files under
// --local-files-root), never the host's database or anything else a path in the data names. Two
// uploads of one name: the image and its label file both come from the later task, as upstream.
TEST_F(export_host, TaskDataReadsNoFileOutsideTheUploads) {
  const fs::path annot = fs::path(ANNOT_TEST_BIN_DIR) / "annot";
  if (!fs::exists(annot)) GTEST_SKIP() << "the annot binary is not built";
  std::int64_t pid = make_project(image_config);
  const fs::path data = root_ / "data";
  auto spit = [](const fs::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
  };
  for (const char* dir : {"7001", "7002"}) fs::create_directories(data / "upload" / dir);
  spit(data / "upload" / "7001" / "same.png", "first");
  spit(data / "upload" / "7002" / "same.png", "second");
  fs::create_directories(root_ / "files");
  spit(root_ / "files" / "secret.png", "secret");
  const std::string secret = (root_ / "files" / "secret.png").string();
  auto box = [](int x) {
    return R"([{"id": "b", "from_name": "box", "to_name": "image", "type": "rectanglelabels", "original_width": 100,
      "original_height": 50, "value": {"x": )" +
           std::to_string(x) + R"(, "y": 1, "width": 5, "height": 5,
      "rotation": 0, "rectanglelabels": ["Car"]}}])";
  };
  const std::vector<std::string> images = {
      "/data/upload/../annot.db",       "/data/upload/7001/../../annot.db",
      "/data/local-files/?d=" + secret, secret,
      "/data/upload/7001/same.png",     "/data/upload/7002/same.png",
      "/data/upload/7001/missing.png"};
  for (std::size_t i = 0; i < images.size(); ++i)
    annotate(add_task(pid, json({{"image", images[i]}}).dump()), box(static_cast<int>(i)));

  const std::string base = "/api/projects/" + std::to_string(pid) + "/export";
  for (const char* format : {"VOC", "COCO_WITH_IMAGES", "YOLO_WITH_IMAGES"}) {
    SCOPED_TRACE(format);
    auto r = get(base + "?exportType=" + format + "&download_resources=true");
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
    std::map<std::string, std::string> copied;
    for (const auto& [name, bytes] : read_zip(r.body))
      if (name.rfind("images/", 0) == 0 && name.back() != '/') copied[name] = bytes;
    EXPECT_EQ(copied, (std::map<std::string, std::string>{{"images/same.png", "second"}}));
    EXPECT_EQ(r.header("Content-Type").value_or(""), "application/zip")
        << "Label Studio's type of an archive";
  }
  // download_resources is on unless turned off, as in Label Studio's ExportAPI.
  for (const auto& [query, copies] :
       {std::pair<std::string, bool>{"", true}, {"&download_resources=false", false}}) {
    auto r = get(base + "?exportType=VOC" + query);
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
    bool copied = false;
    for (const auto& [name, bytes] : read_zip(r.body)) copied |= name == "images/same.png";
    EXPECT_EQ(copied, copies) << query;
  }
  // The database is whole and the server goes on writing to it.
  std::int64_t later = add_task(pid, R"({"image": "/data/upload/7001/same.png"})");
  EXPECT_GT(annotate(later, box(9)), 0);
  ASSERT_EQ(get(base + "?exportType=JSON_MIN").status, 200);

  host_.stop();
  auto [rc, out] =
      cli_export(pid, "--format VOC --download-resources --out " + (root_ / "voc").string() + "/");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("two files of that name"), std::string::npos) << out;
  EXPECT_NE(out.find("/data/upload/7001/missing.png is not a readable upload or local file"),
            std::string::npos)
      << out;
  EXPECT_FALSE(fs::exists(root_ / "voc" / "images" / "annot.db"));
  EXPECT_FALSE(fs::exists(root_ / "voc" / "images" / "secret.png"));

  // --local-files-root: its files are read, and a root holding the data folder is refused.
  std::tie(rc, out) = cli_export(pid, "--format VOC --download-resources --local-files-root " +
                                          root_.string() + " --out " + (root_ / "refused").string() + "/");
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("holds the data directory"), std::string::npos) << out;
  std::tie(rc, out) =
      cli_export(pid, "--format VOC --download-resources --local-files-root " + (root_ / "files").string() +
                          " --out " + (root_ / "rooted").string() + "/");
  ASSERT_EQ(rc, 0) << out;
  const std::string hashed = md5_hex("/data/local-files/?d=" + secret).substr(0, 8) + "__secret.png";
  EXPECT_EQ(slurp(root_ / "rooted" / "images" / hashed), "secret");
  EXPECT_TRUE(fs::exists(root_ / "rooted" / "Annotations" / (hashed.substr(0, hashed.size() - 4) + ".xml")));
  EXPECT_FALSE(fs::exists(root_ / "rooted" / "images" / "annot.db"));
}

// With the plugin index current, `annot export` loads only the format's exporter and the owners of
// the config's tags, and writes what a full load writes. A listing still loads every plugin, and an
// index gone stale (or written by another executable) is rewritten.
TEST_F(export_host, CliLoadsOnlyThePluginsAnExportNeedsThroughThePluginIndex) {
  if (!fs::exists(fs::path(ANNOT_TEST_BIN_DIR) / "annot")) GTEST_SKIP() << "the annot binary is not built";
  const std::int64_t text = make_project(text_config), image = make_project(image_config);
  annotate(add_task(text, R"({"text": "Anna went to Rome"})"),
           R"([{"id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
               "value": {"start": 0, "end": 4, "text": "Anna", "labels": ["PER"]}}])");
  annotate(add_task(image, R"({"image": "/data/upload/1/a.png"})"),
           R"([{"id": "b1", "from_name": "box", "to_name": "image", "type": "rectanglelabels",
               "original_width": 640, "original_height": 480, "value": {"x": 10, "y": 20.5, "width": 30,
               "height": 40, "rotation": 0, "rectanglelabels": ["Car"]}}])");
  host_.stop();
  const fs::path index = root_ / "data" / "plugin-index.json";
  ASSERT_TRUE(fs::exists(index));  // the host wrote it at its start (for its own executable)
  const std::string info = "ANNOT_LOG_LEVEL=info";
  const std::string chosen = "plugin index: loaded 3 of ";
  // A file's bytes, or a folder's files by relative path.
  auto tree = [](const fs::path& p) {
    std::map<std::string, std::string> files;
    if (fs::is_regular_file(p)) files[""] = slurp(p);
    if (fs::is_directory(p))
      for (const auto& e : fs::recursive_directory_iterator(p))
        if (e.is_regular_file()) files[fs::relative(e.path(), p).string()] = slurp(e.path());
    return files;
  };
  fs::create_directories(root_ / "full");
  fs::create_directories(root_ / "some");
  struct one_export {
    std::int64_t project;
    std::string format, out;
  };
  for (const auto& [pid, format, out] : {one_export{text, "JSON_MIN", "a.json"},
                                         {text, "CSV", "a.csv"},
                                         {text, "CONLL2003", "a.conll"},
                                         {text, "SPACY", "spacy/"},
                                         {image, "JSON", "b.json"},
                                         {image, "YOLO", "yolo/"},
                                         {image, "VOC", "voc/"}}) {
    fs::remove(index);
    auto [rc, log] =
        cli_export(pid, "--format " + format + " --out " + (root_ / "full" / out).string(), info);
    ASSERT_EQ(rc, 0) << log;
    EXPECT_EQ(log.find(chosen), std::string::npos) << format << ": " << log;
    ASSERT_TRUE(fs::exists(index)) << format;
    std::tie(rc, log) =
        cli_export(pid, "--format " + format + " --out " + (root_ / "some" / out).string(), info);
    ASSERT_EQ(rc, 0) << log;
    EXPECT_NE(log.find(chosen), std::string::npos) << format << ": " << log;
    const auto written = tree(root_ / "full" / out);
    EXPECT_FALSE(written.empty()) << format;
    EXPECT_EQ(tree(root_ / "some" / out), written) << format;
  }

  // The listing needs every exporter, index or not.
  auto [rc, log] = cli_export(text, "--list", info);
  ASSERT_EQ(rc, 0) << log;
  EXPECT_EQ(log.find(chosen), std::string::npos) << log;
  EXPECT_NE(log.find("COCO "), std::string::npos) << log;
  EXPECT_NE(log.find("SPACY "), std::string::npos) << log;
  // A damaged index is rewritten by the next export, which loads everything.
  std::ofstream(index, std::ios::trunc) << "{";
  std::tie(rc, log) = cli_export(text, "--format JSON_MIN --out " + (root_ / "again.json").string(), info);
  ASSERT_EQ(rc, 0) << log;
  EXPECT_EQ(log.find(chosen), std::string::npos) << log;
  EXPECT_GT(fs::file_size(index), 100u);
  // An index that lies (right fingerprint, wrong owner) costs a full load, not the export.
  json lying = json::parse(slurp(index));
  lying["tags"]["text"] = "image";
  std::ofstream(index, std::ios::trunc) << lying.dump();
  std::tie(rc, log) = cli_export(text, "--format JSON_MIN --out " + (root_ / "lied.json").string(), info);
  ASSERT_EQ(rc, 0) << log;
  EXPECT_NE(log.find("did not load cleanly; loading every plugin"), std::string::npos) << log;
  EXPECT_EQ(slurp(root_ / "lied.json"), slurp(root_ / "full" / "a.json"));
  // ...and rewrites it: the next export chooses again.
  std::tie(rc, log) = cli_export(text, "--format JSON_MIN --out " + (root_ / "after.json").string(), info);
  ASSERT_EQ(rc, 0) << log;
  EXPECT_NE(log.find(chosen), std::string::npos) << log;
  // A format no plugin provides is refused as before, naming the formats there are.
  std::tie(rc, log) = cli_export(text, "--format NOPE --out " + (root_ / "nope.json").string());
  EXPECT_EQ(rc, 2);
  EXPECT_NE(log.find("JSON_MIN"), std::string::npos) << log;
}

TEST_F(export_host, StoreCursorStreamsLargeProjectsInBatches) {
  std::int64_t pid = make_project(text_config);
  auto made = app_->db().run<std::int64_t>([&](store::write_context& w) -> annot::result<std::int64_t> {
    for (int i = 0; i < 1200; ++i) {
      store::new_task n;
      n.project_id = pid;
      n.data = R"({"text": "task )" + std::to_string(i) + R"("})";
      auto t = w.create_task(n);
      if (!t) return t.error();
    }
    return 1200;
  });
  ASSERT_TRUE(made) << made.error().message();
  exporting::cursor_options o;
  o.project_id = pid;
  o.only_annotated = false;
  o.batch = 100;
  exporting::store_cursor cursor(app_->db(), o);
  EXPECT_EQ(cursor.size_hint(), 1200);
  std::string_view text;
  std::int64_t n = 0, last_id = 0;
  for (;;) {
    auto more = cursor.next(text);
    ASSERT_TRUE(more.ok());
    if (!*more) break;
    json j = json::parse(text);
    EXPECT_GT(j["id"].get<std::int64_t>(), last_id);
    last_id = j["id"];
    ++n;
  }
  EXPECT_EQ(n, 1200);
  ASSERT_TRUE(cursor.rewind().ok());
  ASSERT_TRUE(*cursor.next(text));
  EXPECT_EQ(json::parse(text)["data"]["text"], "task 0");

  std::atomic<bool> stop{true};
  o.cancelled = &stop;
  exporting::store_cursor cancelled(app_->db(), o);
  EXPECT_EQ(cancelled.next(text).error().code(), annot::errc::cancelled);
}

}  // namespace
