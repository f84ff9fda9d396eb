// Validator and checker adaptors for the data-type plugins: plain functions as SDK validators, and the
// choice="single" rule of *Labels controls. Every type here is stateless after construction, so the
// host may call check() from many threads at once (as the SDK requires).
#pragma once

#include <annot/registrar.hpp>
#include <string>
#include <string_view>

namespace annot::plugins::support {

// A result_validator that calls a plain function. Only allocation can throw while a message is
// built; that is caught and reported as an error on the result, never let into the host.
class function_validator final : public result_validator {
 public:
  using fn_type = void (*)(const result_view&, issue_sink&);
  explicit function_validator(fn_type fn) noexcept : fn_(fn) {}
  void check(const result_view& r, issue_sink& out) const noexcept override;

 private:
  fn_type fn_;
};

// A tag_checker that calls a plain function (exceptions swallowed, as above).
class function_checker final : public tag_checker {
 public:
  using fn_type = void (*)(const config_tag&, issue_sink&);
  explicit function_checker(fn_type fn) noexcept : fn_(fn) {}
  void check(const config_tag& tag, issue_sink& out) const noexcept override;

 private:
  fn_type fn_;
};

// choice="single" on a *Labels control: a region carries one label, as the editor lets it. A rule
// break, not an error: the attribute's default is not enforced, so imports from tools that ignore it
// keep their results. `labels_key` is the value key of the labels ("hypertextlabels", ...).
class single_choice_validator final : public result_validator {
 public:
  explicit single_choice_validator(std::string labels_key) : labels_key_(std::move(labels_key)) {}
  void check(const result_view& r, issue_sink& out) const noexcept override;

 private:
  std::string labels_key_;
};

}  // namespace annot::plugins::support
