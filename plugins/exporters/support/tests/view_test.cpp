// task_view / item_views against the reference implementation (testing/reference_*: the task read into json, then
// expanded): the same items, fields and printed bytes, on generated tasks with odd corners (missing keys,
// cancelled, no created_at, repeated keys, non-ASCII, big numbers).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "export_support/item_view.hpp"
#include "export_support/task_view.hpp"
#include "reference_items.hpp"
#include "reference_task_reader.hpp"

namespace {

namespace es = annot::plugins::export_support;
namespace ref = annot::plugins::export_support::reference;
using es::json;

es::schema test_schema() {
  return es::schema::from_json(json::parse(R"({
    "label": {"type": "Labels", "to_name": ["text"], "inputs": [{"type": "Text", "value": "text"}], "labels": ["A", "B"], "labels_attrs": {}},
    "box": {"type": "RectangleLabels", "to_name": ["image"], "inputs": [{"type": "Image", "value": "image"}], "labels": ["Car"], "labels_attrs": {}},
    "choice": {"type": "Choices", "to_name": ["text"], "inputs": [{"type": "Text", "value": "text"}], "labels": ["yes", "no"], "labels_attrs": {}},
    "note": {"type": "TextArea", "to_name": ["text"], "inputs": [{"type": "Text", "value": "text"}], "labels": [], "labels_attrs": {}},
    "chat": {"type": "Chat", "to_name": ["dialog"], "inputs": [{"type": "Chat", "value": "dialog"}], "labels": [], "labels_attrs": {}}
  })"));
}

std::string dump(const std::optional<es::element>& e) { return e ? es::to_json(*e).dump() : "null"; }

std::string ujson_of(const json& j, es::ujson_options o, int level) {
  std::string out;
  es::append_ujson(out, j, o, level);
  return out;
}

// Parses `text` both ways and checks every item the view gives against expand()'s.
void expect_same_items(const std::string& text, const es::schema& s) {
  SCOPED_TRACE(text);
  ref::task_reader reader;
  json task;
  es::task_view view;
  const bool parsed = reader.parse(text, task);
  ASSERT_EQ(view.parse(text), parsed);
  if (!parsed) return;
  EXPECT_EQ(view.id(), ref::task_id_of(task));
  std::vector<ref::item> old_items;
  es::item_views new_items;
  const es::task_fate new_fate = es::expand(view, s, new_items);
  ASSERT_EQ(ref::expand(task, s, old_items), new_fate);
  ASSERT_EQ(old_items.size(), new_items.size());
  const es::ujson_options printers[] = {{2, true}, {2, false}, {0, true}};
  for (std::size_t i = 0; i < old_items.size(); ++i) {
    const ref::item& a = old_items[i];
    const es::item_view& b = new_items.begin()[i];
    EXPECT_EQ(a.task_id, b.task_id);
    EXPECT_EQ(a.input->dump(), b.input ? es::to_json(*b.input).dump() : json::object().dump());
    ASSERT_EQ(a.annotation != nullptr, b.annotation.has_value());
    EXPECT_EQ(ref::annotator_of(a).dump(), dump(b.annotator()));
    if (a.annotation) {
      EXPECT_EQ(a.completed_by.dump(), dump(b.completed_by));
      EXPECT_EQ(a.annotation_id.dump(), dump(b.annotation_id));
      EXPECT_EQ(a.created_at.dump(), dump(b.created_at));
      EXPECT_EQ(a.updated_at.dump(), dump(b.updated_at));
      EXPECT_EQ(a.lead_time.dump(), dump(b.lead_time));
      EXPECT_EQ(a.history.dump(), dump(b.history));
      for (const auto& o : printers) {
        std::string printed = "null";
        if (b.lead_time) printed.clear(), es::append_ujson(printed, *b.lead_time, o, 1);
        EXPECT_EQ(ujson_of(a.lead_time, o, 1), printed);
      }
    } else {
      EXPECT_FALSE(b.completed_by || b.annotation_id || b.created_at || b.updated_at || b.lead_time || b.history);
    }
    ASSERT_EQ(a.has_agreement, b.agreement.has_value());
    if (a.has_agreement) {
      EXPECT_EQ(a.agreement.dump(), dump(b.agreement));
    }
    ASSERT_EQ(a.output.size(), b.output().size());
    std::size_t g = 0;
    for (auto group = a.output.begin(); group != a.output.end(); ++group, ++g) {
      const es::result_group& bg = b.output()[g];
      EXPECT_EQ(group.key(), bg.from_name);
      EXPECT_EQ(group.value().dump(), es::to_json(bg).dump());
      ASSERT_EQ(group.value().size(), bg.values.size());
      for (const auto& o : printers) {
        std::string pretty;
        es::append_pretty_group(pretty, bg, o, 1);
        EXPECT_EQ(ujson_of(ref::prettify(group.value()), o, 1), pretty);
      }
      for (std::size_t v = 0; v < bg.values.size(); ++v) {
        const json& av = group.value()[v];
        const es::value_view& bv = bg.values[v];
        EXPECT_EQ(av.at("type").get<std::string>(), bv.type());
        for (const auto& o : printers) {
          std::string printed;
          bv.append_ujson(printed, o, 2);
          EXPECT_EQ(ujson_of(av, o, 2), printed);
        }
        for (const char* key : {"x", "labels", "original_width", "original_height", "choices", "text", "chatmessage"}) {
          auto found = av.find(key);
          EXPECT_EQ(found == av.end() ? "absent" : found->dump(), bv.find(key) ? dump(bv.find(key)) : "absent") << key;
        }
      }
    }
  }
}

// Random tasks written as text, so repeated keys, big integers and odd types can be in them.
class task_maker {
 public:
  explicit task_maker(unsigned seed) : rng_(seed) {}

  std::string task() {
    std::vector<std::string> members;
    if (chance(90)) members.push_back("\"id\": " + pick({"17", "0", "-3", "\"7\"", "99999999999", "18446744073709551615", "4.5"}));
    if (chance(92)) members.push_back("\"data\": " + (chance(95) ? data() : std::string("\"not an object\"")));
    const int which = roll(20);
    if (which < 16) members.push_back("\"annotations\": " + annotations());
    else if (which < 18) members.push_back("\"completions\": " + annotations());
    else if (which == 18) {
      members.push_back("\"completions\": " + annotations());
      members.push_back("\"annotations\": " + annotations());
    }
    if (chance(20)) members.push_back("\"agreement\": " + pick({"null", "87.5", "100", "{\"a\": 1}"}));
    if (chance(30)) members.push_back("\"predictions\": [{\"result\": [" + result() + "]}]");
    if (chance(10)) members.push_back("\"data\": " + data());  // a repeated key: the last value wins
    if (chance(20)) members.push_back("\"meta\": {\"x\": [1, 2, {\"y\": null}]}");
    shuffle(members);
    return object(members);
  }

 private:
  bool chance(int percent) { return roll(100) < percent; }
  int roll(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string pick(std::initializer_list<const char*> options) {
    auto it = options.begin();
    std::advance(it, roll(static_cast<int>(options.size())));
    return *it;
  }
  void shuffle(std::vector<std::string>& v) { std::shuffle(v.begin(), v.end(), rng_); }
  static std::string object(const std::vector<std::string>& members) {
    std::string out = "{";
    for (std::size_t i = 0; i < members.size(); ++i) out += (i ? ", " : "") + members[i];
    return out + "}";
  }
  std::string number() {
    return pick({"0", "1", "-1", "42", "100.0", "0.1", "1e-7", "3.0000000000000004e-05", "1e21", "1E5", "-0", "-0.0",
                 "12345678901234567890123", "9223372036854775807", "18446744073709551615", "-9223372036854775808",
                 "33.333333333333336", "2.5e+16"});
  }
  std::string text() {
    return pick({"\"plain\"", "\"caf\\u00e9 \\u65e5\\u672c\"", "\"日本語 ü ☃ 𝄞\"", "\"a/b\\\\c\\\"d\\n\\t\"", "\"\"",
                 "\"http://x.org/a.jpg\"", "\"\\ud83d\\ude00\""});
  }
  std::string scalar() {
    switch (roll(5)) {
      case 0: return number();
      case 1: return text();
      case 2: return pick({"true", "false", "null"});
      case 3: return "[" + number() + ", " + text() + "]";
      default: return "{\"k\": " + number() + ", \"k\": " + text() + "}";
    }
  }
  std::string data() {
    std::vector<std::string> members;
    if (chance(90)) members.push_back("\"image\": " + text());
    if (chance(70)) members.push_back("\"text\": " + text());
    if (chance(50)) members.push_back("\"id\": " + number());
    if (chance(40)) members.push_back("\"label\": " + scalar());
    if (chance(30)) members.push_back("\"ünï\": " + scalar());
    if (chance(10)) members.push_back("\"text\": " + scalar());
    shuffle(members);
    return object(members);
  }
  std::string annotations() {
    if (chance(8)) return pick({"[]", "null", "{}", "\"x\""});
    std::string out = "[";
    const int n = 1 + roll(4);
    for (int i = 0; i < n; ++i) out += (i ? ", " : "") + annotation();
    return out + "]";
  }
  std::string annotation() {
    if (chance(4)) return pick({"5", "null", "[]"});
    std::vector<std::string> members;
    if (chance(90)) members.push_back("\"id\": " + pick({"1", "2", "3", "40", "\"a\"", "null"}));
    if (chance(85))
      members.push_back("\"completed_by\": " + pick({"1", "7", "{\"id\": 3, \"email\": \"e@x.org\"}", "{\"id\": 3}",
                                                    "\"someone\"", "null", "2.0", "{\"email\": null}"}));
    if (chance(80))
      members.push_back("\"created_at\": " + pick({"\"2024-01-01T10:00:00.000000Z\"", "\"2024-01-01T10:00:00.000000Z\"",
                                                  "\"2023-12-31T23:59:59Z\"", "\"2024-06-01\"", "null", "5"}));
    if (chance(60)) members.push_back("\"updated_at\": " + text());
    if (chance(60)) members.push_back("\"lead_time\": " + number());
    if (chance(15)) members.push_back("\"was_cancelled\": " + pick({"true", "false", "1", "0", "null", "\"\"", "\"y\""}));
    if (chance(10)) members.push_back("\"skipped\": " + pick({"true", "false", "[]", "[1]"}));
    if (chance(20)) members.push_back("\"history\": " + pick({"[]", "[{\"a\": 1}]", "null", "{}"}));
    if (chance(30)) members.push_back("\"ground_truth\": false, \"project\": 1, \"prediction\": {}");
    if (chance(95)) {
      std::string results = "[";
      const int n = roll(6);
      for (int i = 0; i < n; ++i) results += (i ? ", " : "") + result();
      members.push_back("\"result\": " + (chance(97) ? results + "]" : std::string("{}")));
    }
    if (chance(5)) members.push_back("\"created_at\": \"2025-01-01\"");  // repeated: the last value counts
    shuffle(members);
    return object(members);
  }
  std::string value(const std::string& type) {
    std::vector<std::string> m;
    if (type == "labels") m = {"\"start\": " + number(), "\"end\": 5", "\"text\": " + text(), "\"labels\": [\"A\"]"};
    else if (type == "rectanglelabels")
      m = {"\"x\": " + number(), "\"y\": 2.5", "\"width\": 10", "\"height\": " + number(), "\"rectanglelabels\": [\"Car\"]"};
    else if (type == "choices") m = {"\"choices\": " + pick({"[\"yes\"]", "[\"yes\", \"no\"]", "[]", "\"yes\""})};
    else if (type == "textarea") m = {"\"text\": " + pick({"[\"one\"]", "[\"one\", \"two\"]", "[\"ü/é\"]", "\"bare\""})};
    else m = {"\"chatmessage\": {\"role\": \"user\", \"content\": " + text() + "}"};
    if (chance(10)) m.push_back("\"rotation\": " + number());
    if (chance(10)) m.push_back("\"type\": \"inner\"");
    if (chance(10)) m.push_back("\"original_width\": 11");
    if (chance(5)) m.push_back("\"text\": \"again\"");
    if (chance(5)) m.push_back("\"x\": 3");
    shuffle(m);
    return object(m);
  }
  std::string result() {
    if (chance(3)) return pick({"1", "null", "[]"});
    const std::string type = pick({"labels", "rectanglelabels", "choices", "textarea", "chatmessage"});
    std::vector<std::string> m;
    if (chance(95)) m.push_back("\"from_name\": " + pick({"\"label\"", "\"box\"", "\"choice\"", "\"note\"", "\"chat\"",
                                                          "\"ghost\"", "\"\"", "7"}));
    if (chance(95)) m.push_back("\"type\": \"" + type + "\"");
    m.push_back("\"to_name\": \"text\"");
    if (chance(93)) m.push_back("\"value\": " + (chance(96) ? value(type) : pick({"[]", "null", "\"v\""})));
    if (chance(40)) m.push_back("\"original_width\": " + pick({"800", "640.5", "null", "\"w\""}));
    if (chance(40)) m.push_back("\"original_height\": " + pick({"600", "480", "1e3"}));
    if (chance(30)) m.push_back("\"id\": \"r1\", \"image_rotation\": 0");
    if (chance(3)) m.push_back("\"from_name\": \"box\"");
    shuffle(m);
    return object(m);
  }

  std::mt19937 rng_;
};

TEST(ExportSupportView, GeneratedTasksGiveExpandsItems) {
  const es::schema s = test_schema();
  task_maker maker(20261129);
  for (int i = 0; i < 4000; ++i) {
    expect_same_items(maker.task(), s);
    if (HasFatalFailure()) return;
  }
}

TEST(ExportSupportView, OddDocuments) {
  const es::schema s = test_schema();
  for (const char* text : {
           "", "{", "[1, 2]", "null", "42", "{\"id\": 1, \"annotations\": [{\"result\": []}]} trailing",
           "{\"id\": 123456789012345678901234567890, \"annotations\": [{\"lead_time\": 1e400000000}]}",
           "{\"id\": 2, \"annotations\": [{\"lead_time\": 123456789012345678901234567890, \"result\": []}]}",
           "{\"id\": 3, \"data\": {\"a\": 1, \"a\": 2, \"b\": 3, \"a\": 4}, \"annotations\": []}",
           "{\"id\": 4, \"annotations\": [{\"was_cancelled\": true}, {\"skipped\": 1}]}",
           "{\"id\": 5, \"data\": {}}",
           "{\"id\": 6, \"annotations\": [{\"id\": 1}, {\"id\": 2, \"created_at\": \"b\"}, {\"id\": 3}, "
           "{\"id\": 4, \"created_at\": \"c\"}, {\"id\": 5, \"created_at\": \"b\"}]}",
           "{\"id\": 7, \"data\": {\"t\": \"\\u0000\\u001f\\u007f\\u2028\"}, \"annotations\": [{\"result\": "
           "[{\"from_name\": \"note\", \"type\": \"textarea\", \"value\": {\"text\": [\"\\ud800x\"]}}]}]}",
       })
    expect_same_items(text, s);
}

// A cursor's padding (task_cursor::text_padding()) lets a task be parsed where it lies: followed by the
// next task's text, or by bytes that are not JSON, it reads as it does copied alone.
TEST(TaskView, ParsedInPlaceWhenThePaddingIsPromised) {
  task_maker maker(20261201);
  for (int i = 0; i < 500; ++i) {
    const std::string task = maker.task();
    std::string buffer =
        task + (i % 2 ? maker.task() : std::string("{\"x\": [\"unterminated")) + std::string(64, '"');
    es::task_view copied, in_place;
    const bool ok = copied.parse(task);
    ASSERT_EQ(in_place.parse(std::string_view(buffer).substr(0, task.size()), 64), ok) << task;
    if (!ok) continue;
    std::string a, b;
    es::append_ujson(a, copied.root(), {.indent = 2, .ensure_ascii = true});
    es::append_ujson(b, in_place.root(), {.indent = 2, .ensure_ascii = true});
    ASSERT_EQ(a, b) << task;
  }
  // Too little padding for simdjson: copied, whatever follows.
  es::task_view view;
  const std::string text = "{\"id\": 7}";
  ASSERT_TRUE(view.parse(text, 8));
  EXPECT_EQ(view.id(), 7);
}

// Large objects take the sorted path (over 16 members), with and without repeated keys.
TEST(ExportSupportView, LargeObjectsWithRepeatedKeys) {
  const es::schema s = test_schema();
  for (int repeat_every : {0, 7, 1000}) {
    std::string data = "{";
    for (int i = 0; i < 5000; ++i) {
      const int key = repeat_every && i % repeat_every == 0 ? i / 3 : i;
      data += (i ? ", \"k" : "\"k") + std::to_string(key) + "\": " + std::to_string(i);
    }
    data += "}";
    expect_same_items("{\"id\": 1, \"data\": " + data + ", \"annotations\": [{\"id\": 2, \"result\": []}]}", s);
  }
}

// expand() takes neither a temporary task nor a temporary schema: its items would point into them.
template <class Task, class Schema>
concept expandable = requires(Task&& t, Schema&& s, es::item_views& out) {
  es::expand(std::forward<Task>(t), std::forward<Schema>(s), out);
};
static_assert(expandable<const es::task_view&, const es::schema&>);
static_assert(!expandable<es::task_view, const es::schema&>);
static_assert(!expandable<const es::task_view&, es::schema>);

TEST(ExportSupportView, ViewReadsLastOfRepeatedKeysAndComputesKeys) {
  es::task_view view;
  ASSERT_TRUE(view.parse(R"({"id": 9, "annotations": [{"id": 1, "result": [
      {"from_name": "box", "type": "rectanglelabels", "original_width": 800,
       "value": {"x": 1, "type": "own", "x": 2, "original_width": 5}}]}], "id": 10})"));
  EXPECT_EQ(view.id(), 10);
  es::item_views items;
  const es::schema schema = test_schema();  // the items' types point into it
  ASSERT_EQ(es::expand(view, schema, items), es::task_fate::items);
  ASSERT_EQ(items.size(), 1u);
  const es::value_view& v = items.begin()->output()[0].values[0];
  EXPECT_EQ(v.type(), "RectangleLabels");
  EXPECT_EQ(es::to_double(*v.find("x")), 2);
  EXPECT_EQ(es::to_double(*v.find("original_width")), 800);  // the result's, not the value's
  EXPECT_FALSE(v.find("original_height"));
  EXPECT_EQ(v.to_json().dump(), R"({"x":2,"type":"RectangleLabels","original_width":800})");
}

}  // namespace

// Repeated keys are found wherever the two copies sit, in objects of every size up to 20 members, among keys
// that share a length and end bytes (so their quick bits meet) and keys that do not.
TEST(TaskView, RepeatedKeysFoundAtEveryPairOfPositions) {
  simdjson::dom::parser parser;
  for (std::size_t n = 2; n <= 20; ++n) {
    std::vector<std::string> keys;
    for (std::size_t k = 0; k < n; ++k)
      keys.push_back(k % 2 ? "k" + std::string(k, 'a') + "z" : "k" + std::to_string(k % 10) + "z");  // "k0z", "k2z"...
    const auto object_text = [](const std::vector<std::string>& ks) {
      std::string t = "{";
      for (std::size_t k = 0; k < ks.size(); ++k) t += (k ? ",\"" : "\"") + ks[k] + "\":" + std::to_string(k);
      return t + "}";
    };
    // Distinct keys (n > 10 repeats "k<digit>z": skip those sizes for the no-repeat check).
    if (n <= 10) {
      simdjson::dom::element e = parser.parse(object_text(keys));
      EXPECT_FALSE(es::detail::has_repeated_key(simdjson::dom::object(e))) << object_text(keys);
    }
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i + 1; j < n; ++j) {
        std::vector<std::string> repeated = keys;
        repeated[j] = repeated[i];
        const std::string text = object_text(repeated);
        simdjson::dom::element e = parser.parse(text);
        EXPECT_TRUE(es::detail::has_repeated_key(simdjson::dom::object(e))) << text;
      }
  }
}
