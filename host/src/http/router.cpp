// Route table: pattern parsing at start-up, allocation-free matching per request, most specific route wins.
#include "http/router.hpp"

#include <array>
#include <stdexcept>

#include "http/errors.hpp"

namespace annot::host::http {

namespace {

bool is_capture(std::string_view seg) noexcept {
  return seg.size() >= 2 && seg.front() == '{' && seg.back() == '}';
}
bool is_tail(std::string_view seg) noexcept {
  return is_capture(seg) && seg.size() >= 3 && seg[1] == '*';
}
std::string_view capture_name(std::string_view seg) noexcept {
  return is_tail(seg) ? seg.substr(2, seg.size() - 3) : seg.substr(1, seg.size() - 2);
}

// Walks "/a/b/c" segment by segment; a trailing slash ends the path without an empty last segment.
class segment_cursor {
 public:
  explicit segment_cursor(std::string_view path) : path_(path), pos_(path.empty() || path[0] != '/' ? 0 : 1) {
    if (path_.size() > 1 && path_.back() == '/') path_.remove_suffix(1);
    if (path_.size() <= 1) pos_ = path_.size();
  }
  bool done() const noexcept { return pos_ >= path_.size(); }
  // Position of the next segment, for a tail capture.
  std::string_view rest() const noexcept { return done() ? std::string_view{} : path_.substr(pos_); }
  std::string_view next() noexcept {
    const auto slash = path_.find('/', pos_);
    const std::string_view seg =
        path_.substr(pos_, slash == std::string_view::npos ? std::string_view::npos : slash - pos_);
    pos_ = slash == std::string_view::npos ? path_.size() + 1 : slash + 1;
    return seg;
  }

 private:
  std::string_view path_;
  std::size_t pos_;
};

unsigned method_bit(method m) noexcept {
  return 1u << static_cast<unsigned>(m);
}

}  // namespace

void router::add(method verb, std::string pattern, handler h, route_options options) {
  if (pattern.empty() || pattern[0] != '/')
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  route r{verb, {}, std::move(h), options, {}};
  segment_cursor cur(pattern);
  while (!cur.done()) {
    const std::string_view seg = cur.next();
    if (seg.empty()) throw std::invalid_argument("route pattern has an empty segment: " + pattern);
    if (seg.find_first_of("{}") != std::string_view::npos && !is_capture(seg))
      throw std::invalid_argument("route pattern has a malformed capture: " + pattern);
    if (is_capture(seg) && capture_name(seg).empty())
      throw std::invalid_argument("route pattern has an unnamed capture: " + pattern);
    if (!r.segments.empty() && is_tail(r.segments.back()))
      throw std::invalid_argument("a {*tail} capture must be the last segment: " + pattern);
    r.segments.emplace_back(seg);
    // Ranking key: literal < capture < tail, compared position by position, so "/api/projects/validate"
    // beats "/api/projects/{id}" whatever the order the routes were added in.
    r.rank.push_back(is_tail(seg) ? '2' : is_capture(seg) ? '1' : '0');
  }
  if (!r.target) throw std::invalid_argument("route without a handler: " + pattern);
  routes_.push_back(std::move(r));
}

void router::add(method verb, std::string pattern, simple_handler h, route_options options) {
  if (!h) throw std::invalid_argument("route without a handler: " + pattern);
  handler wrapped = [h = std::move(h)](std::shared_ptr<exchange> ex) {
    response r;
    try {
      r = h(ex->req());
    } catch (const std::exception& e) {
      r = error_response(500, e.what());
    } catch (...) {
      r = error_response(500, "unknown error");
    }
    ex->respond(std::move(r));
  };
  add(verb, std::move(pattern), std::move(wrapped), options);
}

bool router::matches(const route& r, std::string_view path,
                     std::vector<std::pair<std::string, std::string>>* params) const {
  segment_cursor cur(path);
  for (const std::string& seg : r.segments) {
    if (is_tail(seg)) {
      if (params) params->emplace_back(std::string(capture_name(seg)), std::string(cur.rest()));
      return true;
    }
    if (cur.done()) return false;
    const std::string_view got = cur.next();
    if (is_capture(seg)) {
      if (got.empty()) return false;
      if (params) params->emplace_back(std::string(capture_name(seg)), std::string(got));
    } else if (got != seg) {
      return false;
    }
  }
  return cur.done();
}

namespace {

// The request path split once, so that trying every route does not re-scan it per route (route
// matching was the host's largest own symbol in a task read's profile). Deep paths fall back to
// the per-route walk; captures are read from the chosen route only.
struct split_path {
  static constexpr std::size_t max = 16;
  std::array<std::string_view, max> segs;
  std::size_t n = 0;
  bool fits = true;

  explicit split_path(std::string_view p) {
    segment_cursor cur(p);
    while (!cur.done()) {
      if (n == max) {
        fits = false;
        return;
      }
      segs[n++] = cur.next();
    }
  }
};

bool matches_split(const std::vector<std::string>& segments, const split_path& sp) noexcept {
  std::size_t i = 0;
  for (const std::string& seg : segments) {
    if (is_tail(seg)) return true;
    if (i == sp.n) return false;
    const std::string_view got = sp.segs[i++];
    if (is_capture(seg)) {
      if (got.empty()) return false;
    } else if (got != seg) {
      return false;
    }
  }
  return i == sp.n;
}

}  // namespace

router::match_result router::match(method verb, std::string_view path) const {
  match_result result;
  const route* best = nullptr;
  bool best_exact = false;
  const split_path sp(path);
  for (const route& r : routes_) {
    if (sp.fits ? !matches_split(r.segments, sp) : !matches(r, path, nullptr)) continue;
    result.path_known = true;
    result.allowed_methods |= method_bit(r.verb);
    if (r.verb == method::get) result.allowed_methods |= method_bit(method::head);
    const bool exact = r.verb == verb;
    if (!exact && !(verb == method::head && r.verb == method::get)) continue;
    // Most specific pattern first; for HEAD, an explicit HEAD route beats the GET it would borrow.
    if (best == nullptr || r.rank < best->rank || (r.rank == best->rank && exact && !best_exact)) {
      best = &r;
      best_exact = exact;
    }
  }
  if (best) {
    matches(*best, path, &result.params);
    result.target = &best->target;
    result.options = &best->options;
  }
  return result;
}

}  // namespace annot::host::http
