// Test harness of the data-type plugins: a catalog filled from statically linked plugins (no dlopen),
// configs compiled by the config engine, result lists validated by it, and assertions on the issues.
// Each plugin's tests name their own plugins once (`catalog_of({...})`); everything else is shared.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
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

}  // namespace annot::testing
