// A SAX handler that appends members to ordered_json's vector, with a key index once an object is large.
#include "util/ordered_json.hpp"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace annot::host::util {
namespace {

using ojson = nlohmann::ordered_json;

class builder {
 public:
  ojson root;

  bool null() { return put(nullptr); }
  bool boolean(bool v) { return put(v); }
  bool number_integer(ojson::number_integer_t v) { return put(v); }
  bool number_unsigned(ojson::number_unsigned_t v) { return put(v); }
  bool number_float(ojson::number_float_t v, const std::string&) { return put(v); }
  bool string(std::string& v) { return put(std::move(v)); }
  bool binary(ojson::binary_t& v) { return put(ojson::binary(std::move(v))); }
  bool start_object(std::size_t) { return open(ojson::object()); }
  bool start_array(std::size_t) { return open(ojson::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(std::string& k) {
    // The vector under ordered_map, whose own operator[] and emplace take keys.
    ojson::object_t::Container& members = open_.back().value->get_ref<ojson::object_t&>();
    auto& index = open_.back().index;
    // Small objects (nearly all) are searched; a large one gets its keys indexed once.
    constexpr std::size_t kIndexFrom = 16;
    if (!index && members.size() >= kIndexFrom) {
      index = std::make_unique<std::unordered_map<std::string, std::size_t>>();
      for (std::size_t i = 0; i < members.size(); ++i) index->emplace(members[i].first, i);
    }
    std::size_t at = members.size();
    if (index) {
      at = index->emplace(k, members.size()).first->second;
    } else {
      for (std::size_t i = 0; i < members.size(); ++i)
        if (members[i].first == k) {
          at = i;
          break;
        }
    }
    if (at == members.size()) members.emplace_back(std::move(k), nullptr);
    slot_ = &members[at].second;  // nothing is appended to this object before its value arrives
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

 private:
  struct open_value {
    ojson* value;
    std::unique_ptr<std::unordered_map<std::string, std::size_t>> index;  // objects of many members
  };

  // Where a value goes: the root, the end of the open array, or the open object's slot for its key.
  template <class V>
  ojson* place(V&& v) {
    if (open_.empty()) {
      root = ojson(std::forward<V>(v));
      return &root;
    }
    ojson& parent = *open_.back().value;
    if (parent.is_array()) return &parent.get_ref<ojson::array_t&>().emplace_back(std::forward<V>(v));
    *slot_ = ojson(std::forward<V>(v));
    return slot_;
  }
  template <class V>
  bool put(V&& v) {
    place(std::forward<V>(v));
    return true;
  }
  bool open(ojson empty) {
    // The parent's vector does not grow while this value is open, so the pointer stays valid.
    open_.push_back({place(std::move(empty)), nullptr});
    return true;
  }
  bool close() {
    open_.pop_back();
    return true;
  }

  std::vector<open_value> open_;
  ojson* slot_ = nullptr;
};

}  // namespace

nlohmann::ordered_json parse_ordered_json(std::string_view text) {
  builder b;
  try {
    if (ojson::sax_parse(text.begin(), text.end(), &b)) return std::move(b.root);
  } catch (const ojson::exception&) {
  }
  return ojson(ojson::value_t::discarded);
}

}  // namespace annot::host::util
