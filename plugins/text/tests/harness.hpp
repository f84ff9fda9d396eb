// Test harness of the text plugin: a catalog filled from the statically linked core and text
// plugins (as the core plugin's tests fill theirs), configs compiled by the engine, result lists
// validated by it, and assertions on the issues.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "config/model.hpp"
#include "config/results.hpp"
#include "config/static_registrar.hpp"

extern "C" const annot_plugin_descriptor* annot_plugin_core_entry(void);
extern "C" const annot_plugin_descriptor* annot_plugin_text_entry(void);

namespace text_test {

using namespace annot::host::config;
using json = nlohmann::json;

inline const tag_catalog& catalog() {
  static const tag_catalog* c = [] {
    auto* cat = new tag_catalog;
    for (auto* d : {annot_plugin_core_entry(), annot_plugin_text_entry()}) {
      auto st = register_static_plugin(*cat, d);
      EXPECT_TRUE(st.ok()) << st.message();
    }
    cat->freeze();
    return cat;
  }();
  return *c;
}

inline std::string describe_all(const std::vector<config_issue>& issues) {
  std::string out;
  for (const auto& i : issues) out += "\n  [" + i.code + "] " + describe(i);
  return out;
}

inline std::string describe_all(const result_report& r) {
  std::string out;
  for (const auto& i : r.issues) out += "\n  " + std::string(to_string(i.level)) + " at " + i.path + ": " + i.message;
  return out;
}

// Compiles a config that must be accepted; fails the test (with the issues) otherwise.
inline std::shared_ptr<const config_model> accepted(std::string_view xml) {
  compiled_config c = compile_config(xml, catalog());
  EXPECT_TRUE(c.ok()) << "config refused:" << describe_all(c.errors);
  return c.model;
}

inline result_report check(const config_model& model, const json& results, const json* task_data = nullptr) {
  result_check_options o;
  o.task_data = task_data;
  return validate_results(model, results, o);
}

// An issue at exactly `path` with this severity whose message contains `part`.
inline ::testing::AssertionResult has_issue(const result_report& r, annot::severity level, std::string_view path,
                                            std::string_view part = "") {
  for (const auto& i : r.issues)
    if (i.level == level && i.path == path && i.message.find(part) != std::string::npos)
      return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "no " << to_string(level) << " at " << path << " containing '" << part
                                       << "'; got:" << describe_all(r);
}

inline ::testing::AssertionResult clean(const result_report& r) {
  if (r.clean()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected no issues, got:" << describe_all(r);
}

// A config issue with this code on `line` (and attribute, when given).
inline ::testing::AssertionResult has_config_issue(const std::vector<config_issue>& issues, std::string_view code,
                                                   std::uint32_t line, std::string_view attribute = "",
                                                   std::string_view part = "") {
  for (const auto& i : issues)
    if (i.code == code && i.line == line && (attribute.empty() || i.attribute == attribute) &&
        i.message.find(part) != std::string::npos)
      return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "no [" << code << "] on line " << line << " (attribute '" << attribute
                                       << "', containing '" << part << "'); got:" << describe_all(issues);
}

}  // namespace text_test
