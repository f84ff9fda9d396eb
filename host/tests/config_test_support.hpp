// Shared set-up of the config tests: a frozen catalog of the core plugin plus the probe plugin, and
// small helpers to compile configs and validate results.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "config/model.hpp"
#include "config/results.hpp"
#include "config/static_registrar.hpp"
#include "config_probe_plugin.hpp"

extern "C" const annot_plugin_descriptor* annot_plugin_core_entry(void);

namespace annot::test {

inline const host::config::tag_catalog& core_and_probe() {
  static const host::config::tag_catalog* c = [] {
    auto* cat = new host::config::tag_catalog;
    for (const auto* d : {annot_plugin_core_entry(), probe::probe_descriptor()}) {
      auto st = host::config::register_static_plugin(*cat, d);
      if (!st.ok()) {
        ADD_FAILURE() << st.message();
      }
    }
    cat->freeze();
    return cat;
  }();
  return *c;
}

inline host::config::compiled_config compile(const std::string& xml) {
  return host::config::compile_config(xml, core_and_probe());
}

// Compiles and asserts the config is accepted; the model stays alive in the returned object.
inline host::config::compiled_config accepted(const std::string& xml) {
  auto c = compile(xml);
  for (const auto& e : c.errors) ADD_FAILURE() << "unexpected config error: " << host::config::describe(e);
  return c;
}

inline host::config::result_report check(const host::config::compiled_config& c, const std::string& results,
                                         const nlohmann::json* data = nullptr) {
  host::config::result_check_options o;
  o.task_data = data;
  return host::config::validate_results(*c.model, nlohmann::json::parse(results), o);
}

// The first issue at `path`, or nullptr.
inline const host::config::result_issue* at(const host::config::result_report& r, const std::string& path) {
  auto it = std::find_if(r.issues.begin(), r.issues.end(), [&](const auto& i) { return i.path == path; });
  return it == r.issues.end() ? nullptr : &*it;
}

inline std::string dump(const host::config::result_report& r) {
  std::string out;
  for (const auto& i : r.issues)
    out += "  " + i.path + ": " + std::string(host::config::to_string(i.level)) + ": " + i.message + "\n";
  return out;
}

// Asserts exactly one issue, at `path`, of `level`, whose message contains `text`.
#define EXPECT_ONE_ISSUE(report_arg, path_arg, level_arg, text_arg)                                  \
  do {                                                                                               \
    const auto& r_ = (report_arg);                                                                   \
    EXPECT_EQ(r_.issues.size(), 1u) << ::annot::test::dump(r_);                                      \
    const auto* i_ = ::annot::test::at(r_, path_arg);                                                \
    if (!i_) {                                                                                       \
      ADD_FAILURE() << "no issue at " << (path_arg) << "\n" << ::annot::test::dump(r_);              \
    } else {                                                                                         \
      EXPECT_EQ(i_->level, level_arg) << i_->message;                                                \
      EXPECT_NE(i_->message.find(text_arg), std::string::npos) << i_->message;                       \
    }                                                                                                \
  } while (0)

}  // namespace annot::test
