// Test harness of the data-type plugins: a catalog filled from statically linked plugins (no dlopen),
// configs compiled by the config engine, result lists validated by it, and assertions on the issues.
// Each plugin's tests name their own plugins once (`catalog_of({...})`); everything else is shared.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"
#include "config/results.hpp"
#include "config/static_registrar.hpp"

namespace annot::testing {

using namespace annot::host::config;
using annot::severity;
using json = nlohmann::json;

// A frozen catalog of these plugins, registered in order (the core plugin first: the others' tags
// compose with its controls). Call once per test binary and keep the reference (a function-local
// static); it lives until exit.
inline const tag_catalog& catalog_of(std::initializer_list<const annot_plugin_descriptor*> plugins) {
  auto* cat = new tag_catalog;
  for (auto* d : plugins) {
    auto st = register_static_plugin(*cat, d);
    EXPECT_TRUE(st.ok()) << st.message();
  }
  cat->freeze();
  return *cat;
}

// Every issue on its own line, for failure messages.
inline std::string describe_all(const std::vector<config_issue>& issues) {
  std::string out;
  for (const auto& i : issues) out += "\n  [" + i.code + "] " + describe(i);
  return out;
}
inline std::string describe_all(const result_report& r) {
  std::string out;
  for (const auto& i : r.issues)
    out += "\n  " + std::string(to_string(i.level)) + " at " + i.path + ": " + i.message;
  return out;
}

// Compiles a config that must be accepted; fails the test (with the issues) otherwise.
inline std::shared_ptr<const config_model> accepted(const tag_catalog& catalog, std::string_view xml) {
  compiled_config c = compile_config(xml, catalog);
  EXPECT_TRUE(c.ok()) << "config refused:" << describe_all(c.errors);
  return c.model;
}

inline result_report check(const config_model& model, const json& results, const json* task_data = nullptr) {
  result_check_options o;
  o.task_data = task_data;
  return validate_results(model, results, o);
}

// An issue at exactly `path` with this severity whose message contains `part`.
inline ::testing::AssertionResult has_issue(const result_report& r, severity level, std::string_view path,
                                            std::string_view part = "") {
  for (const auto& i : r.issues)
    if (i.level == level && i.path == path && i.message.find(part) != std::string::npos)
      return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "no " << to_string(level) << " at " << path << " containing '"
                                       << part << "'; got:" << describe_all(r);
}

inline ::testing::AssertionResult clean(const result_report& r) {
  if (r.clean()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected no issues, got:" << describe_all(r);
}

// A config issue with this code on `line` (and attribute, when given).
inline ::testing::AssertionResult has_config_issue(const std::vector<config_issue>& issues,
                                                   std::string_view code, std::uint32_t line,
                                                   std::string_view attribute = "",
                                                   std::string_view part = "") {
  for (const auto& i : issues)
    if (i.code == code && i.line == line && (attribute.empty() || i.attribute == attribute) &&
        i.message.find(part) != std::string::npos)
      return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "no [" << code << "] on line " << line << " (attribute '" << attribute << "', containing '"
         << part << "'); got:" << describe_all(issues);
}

// One result item checked alone: `path` empty means the result must be clean; otherwise an issue of
// severity `level` at "result[0].<path>" whose message contains `text`. Table rows of TEST_P suites.
struct result_case {
  const char* name;
  const char* item;
  const char* path;
  severity level;
  const char* text;
};
inline void PrintTo(const result_case& c, std::ostream* os) {
  *os << c.name;
}
// The test-name generator for INSTANTIATE_TEST_SUITE_P over result_case tables.
inline std::string case_name(const ::testing::TestParamInfo<result_case>& info) {
  return info.param.name;
}

// Validates the case's item as a one-item result list and compares with what the case expects.
inline ::testing::AssertionResult meets(const result_case& c, const config_model& model,
                                        const json* task_data = nullptr) {
  result_report r = check(model, json::array({json::parse(c.item)}), task_data);
  if (std::string_view(c.path).empty()) return clean(r);
  return has_issue(r, c.level, std::string("result[0].") + c.path, c.text);
}

// Every leaf of each case's item, and its "value" itself, replaced by every JSON kind in turn: the
// validators must report what is wrong at a path inside the item, with a message, and never crash or
// throw. Returns how many mutated items were checked (a caller checks that the tables were not empty).
inline std::size_t expect_any_json_kind_reported(const config_model& model,
                                                 std::initializer_list<std::span<const result_case>> tables,
                                                 const json* task_data = nullptr) {
  const json kinds =
      json::array({nullptr, true, -1, 0, 0.5, 1e308, -1e308, "x", "", json::array(), json::object(),
                   json::array({json::array()}), json::array({nullptr}), json::object({{"start", nullptr}})});
  result_check_options options;
  options.task_data = task_data;
  std::size_t runs = 0;
  for (std::span<const result_case> table : tables)
    for (const result_case& c : table) {
      const json item = json::parse(c.item);
      std::vector<std::string> pointers{"/value"};
      const json flat = item.flatten();  // items() of a temporary would outlive it
      for (const auto& [pointer, leaf] : flat.items()) pointers.push_back(pointer);
      for (const auto& pointer : pointers)
        for (const auto& kind : kinds) {
          json mutated = item;
          mutated[json::json_pointer(pointer)] = kind;
          const result_report r = validate_results(model, json::array({mutated}), options);
          ++runs;
          for (const auto& i : r.issues) {
            EXPECT_EQ(i.path.rfind("result[0]", 0), 0u)
                << c.name << " " << pointer << " = " << kind.dump() << ": " << i.path;
            EXPECT_FALSE(i.message.empty()) << c.name << " " << pointer << " = " << kind.dump();
          }
        }
    }
  return runs;
}

// A labels control with choice="single" compiled from `config`: `one_label` (a one-item result list)
// is clean, and `two_labels` (the same region with two labels) has exactly one rule break, at
// `labels_path`, naming the attribute.
inline void expect_single_choice_takes_one_label(const tag_catalog& catalog, std::string_view config,
                                                 std::string_view one_label, std::string_view two_labels,
                                                 std::string_view labels_path) {
  compiled_config c = compile_config(config, catalog);
  ASSERT_TRUE(c.ok()) << describe_all(c.errors);
  const result_report one = validate_results(*c.model, json::parse(one_label));
  EXPECT_TRUE(one.clean()) << describe_all(one);
  const result_report two = validate_results(*c.model, json::parse(two_labels));
  ASSERT_EQ(two.issues.size(), 1u) << describe_all(two);
  EXPECT_EQ(two.issues[0].path, labels_path);
  EXPECT_EQ(two.issues[0].level, severity::rule_break);
  EXPECT_NE(two.issues[0].message.find("choice=\"single\""), std::string::npos) << two.issues[0].message;
}

}  // namespace annot::testing
