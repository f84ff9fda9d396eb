// The route table: method + path pattern -> handler, with per-route options.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/message.hpp"

namespace annot::host::http {

using handler = std::function<void(std::shared_ptr<exchange>)>;
// Most routes answer at once: a plain function from request to response.
using simple_handler = std::function<response(request&)>;

enum class body_mode {
  buffered,  // the whole body (up to body_limit) is read before the handler runs, on an I/O thread
  streamed   // the handler runs on the offload pool as soon as the headers arrived, and reads the
             // body through exchange::body()
};

struct route_options {
  std::size_t body_limit = 1024 * 1024;  // larger bodies are refused with 413
  body_mode body = body_mode::buffered;
  bool offload = false;  // run the handler on the offload pool instead of an I/O thread
  // The handler builds large buffers (an export): it runs on the offload pool, and when several ran at
  // once, the heap's free memory is given back after the last of them (http/burst_counter.hpp).
  bool memory_heavy = false;
};

// Patterns: literal segments, "{name}" for one segment, "{*name}" as the last segment for the rest
// of the path. A trailing slash is optional on every route (Label Studio serves both forms).
// Built before the server starts; read-only afterwards, so lookups need no lock.
class router {
 public:
  void add(method verb, std::string pattern, handler h, route_options options = {});
  void add(method verb, std::string pattern, simple_handler h, route_options options = {});

  struct match_result {
    const handler* target = nullptr;
    const route_options* options = nullptr;
    std::vector<std::pair<std::string, std::string>> params;
    bool path_known = false;  // some route has this path, perhaps with another method (-> 405)
    // When path_known: bit (1u << int(method)) set for every method the path accepts (the Allow
    // header of a 405). HEAD is implied by GET.
    unsigned allowed_methods = 0;
  };
  match_result match(method verb, std::string_view path) const;

 private:
  struct route {
    method verb;
    std::vector<std::string> segments;
    handler target;
    route_options options;
    std::string rank;  // one char per segment: '0' literal, '1' capture, '2' tail; lower is more specific
  };
  // Whether r matches path; fills params (when given) with the captures.
  bool matches(const route& r, std::string_view path,
               std::vector<std::pair<std::string, std::string>>* params) const;
  std::vector<route> routes_;
};

}  // namespace annot::host::http
