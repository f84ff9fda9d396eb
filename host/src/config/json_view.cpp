// nlohmann_access: annot::json_access implemented over nlohmann::json nodes.
#include "config/json_view.hpp"

#include <iterator>
#include <limits>

namespace annot::host::config {
namespace {

using json = nlohmann::json;

const json& J(const void* n) noexcept { return *static_cast<const json*>(n); }

class access final : public annot::json_access {
 public:
  annot::json_kind kind(const void* node) const noexcept override {
    switch (J(node).type()) {
      case json::value_t::null: return annot::json_kind::null;
      case json::value_t::boolean: return annot::json_kind::boolean;
      case json::value_t::number_integer:
      case json::value_t::number_unsigned: return annot::json_kind::integer;
      case json::value_t::number_float: return annot::json_kind::number;
      case json::value_t::string: return annot::json_kind::string;
      case json::value_t::array: return annot::json_kind::array;
      case json::value_t::object: return annot::json_kind::object;
      case json::value_t::binary:
      case json::value_t::discarded: break;
    }
    return annot::json_kind::null;
  }
  bool boolean(const void* node) const noexcept override {
    const json& j = J(node);
    return j.is_boolean() && j.get_ref<const json::boolean_t&>();
  }
  double number(const void* node) const noexcept override {
    const json& j = J(node);
    switch (j.type()) {
      case json::value_t::number_integer: return static_cast<double>(j.get_ref<const json::number_integer_t&>());
      case json::value_t::number_unsigned: return static_cast<double>(j.get_ref<const json::number_unsigned_t&>());
      case json::value_t::number_float: return j.get_ref<const json::number_float_t&>();
      default: return std::numeric_limits<double>::quiet_NaN();
    }
  }
  std::int64_t integer(const void* node) const noexcept override {
    const json& j = J(node);
    switch (j.type()) {
      case json::value_t::number_integer: return j.get_ref<const json::number_integer_t&>();
      case json::value_t::number_unsigned: {
        auto u = j.get_ref<const json::number_unsigned_t&>();
        return u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                   ? std::numeric_limits<std::int64_t>::max()
                   : static_cast<std::int64_t>(u);
      }
      case json::value_t::number_float: {
        double d = j.get_ref<const json::number_float_t&>();
        // Clamp before converting: an out-of-range double to int64 is undefined behaviour.
        if (!(d == d)) return 0;
        if (d >= 9.2e18) return std::numeric_limits<std::int64_t>::max();
        if (d <= -9.2e18) return std::numeric_limits<std::int64_t>::min();
        return static_cast<std::int64_t>(d);
      }
      default: return 0;
    }
  }
  std::string_view string(const void* node) const noexcept override {
    const json& j = J(node);
    return j.is_string() ? std::string_view(j.get_ref<const json::string_t&>()) : std::string_view{};
  }
  std::size_t size(const void* node) const noexcept override {
    const json& j = J(node);
    if (j.is_array()) return j.get_ref<const json::array_t&>().size();
    if (j.is_object()) return j.get_ref<const json::object_t&>().size();
    return 0;
  }
  const void* element(const void* node, std::size_t index) const noexcept override {
    const json& j = J(node);
    if (!j.is_array()) return nullptr;
    const auto& a = j.get_ref<const json::array_t&>();
    return index < a.size() ? &a[index] : nullptr;
  }
  const void* member(const void* node, std::string_view key) const noexcept override {
    const json& j = J(node);
    if (!j.is_object()) return nullptr;
    const auto& o = j.get_ref<const json::object_t&>();
    auto it = o.find(key);  // transparent comparator: no allocation
    return it == o.end() ? nullptr : &it->second;
  }
  std::string_view member_name(const void* node, std::size_t index) const noexcept override {
    const json& j = J(node);
    if (!j.is_object()) return {};
    const auto& o = j.get_ref<const json::object_t&>();
    if (index >= o.size()) return {};
    return std::next(o.begin(), static_cast<std::ptrdiff_t>(index))->first;
  }
  const void* member_value(const void* node, std::size_t index) const noexcept override {
    const json& j = J(node);
    if (!j.is_object()) return nullptr;
    const auto& o = j.get_ref<const json::object_t&>();
    if (index >= o.size()) return nullptr;
    return &std::next(o.begin(), static_cast<std::ptrdiff_t>(index))->second;
  }
  std::string dump(const void* node) const override {
    return J(node).dump(-1, ' ', false, json::error_handler_t::replace);
  }
};

}  // namespace

const annot::json_access& nlohmann_access() noexcept {
  static const access instance;
  return instance;
}

}  // namespace annot::host::config
