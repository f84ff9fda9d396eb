// User JSON shapes shared by the user, project and task routes.
#include "api/users_json.hpp"

#include "store/time.hpp"

namespace annot::host::api {
namespace {

// The first n UTF-8 characters of s (not bytes: initials of "Émile" must stay valid UTF-8).
std::string first_chars(std::string_view s, std::size_t n) {
  std::size_t i = 0;
  while (i < s.size() && n > 0) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    --n;
  }
  return std::string(s.substr(0, i));
}

nlohmann::ordered_json opt_time(const std::optional<store::timestamp>& t) {
  if (!t) return nullptr;
  return store::to_iso8601(*t);
}

}  // namespace

std::string user_initials(const store::user& u) {
  if (u.first_name.empty() && u.last_name.empty()) return first_chars(u.email, 2);
  if (u.last_name.empty()) return first_chars(u.first_name, 1);
  if (u.first_name.empty()) return first_chars(u.last_name, 1);
  return first_chars(u.first_name, 1) + first_chars(u.last_name, 1);
}

nlohmann::ordered_json user_json(const store::user& u) {
  nlohmann::ordered_json j;
  j["id"] = u.id;
  j["first_name"] = u.first_name;
  j["last_name"] = u.last_name;
  j["username"] = u.username;
  j["email"] = u.email;
  j["last_activity"] = opt_time(u.last_activity ? u.last_activity : u.last_login);
  j["avatar"] = u.avatar.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(u.avatar);
  j["initials"] = user_initials(u);
  j["phone"] = u.phone;
  j["active_organization"] = 1;
  j["allow_newsletters"] = nullptr;
  j["date_joined"] = store::to_iso8601(u.date_joined);
  j["is_superuser"] = u.is_superuser;
  j["is_staff"] = u.is_staff;
  j["is_active"] = u.is_active;
  return j;
}

nlohmann::ordered_json user_simple_json(const store::user& u) {
  nlohmann::ordered_json j;
  j["id"] = u.id;
  j["first_name"] = u.first_name;
  j["last_name"] = u.last_name;
  j["email"] = u.email;
  j["avatar"] = u.avatar.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(u.avatar);
  return j;
}

}  // namespace annot::host::api
