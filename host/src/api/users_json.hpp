// Users in Label Studio's JSON shapes: the full user (GET /api/users, whoami) and the short form
// that projects, annotations and tasks embed (created_by, completed_by).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "store/model.hpp"

namespace annot::host::api {

// {id, first_name, last_name, username, email, last_activity, avatar, initials, phone,
//  active_organization, allow_newsletters, date_joined, is_superuser, is_staff, is_active}
nlohmann::ordered_json user_json(const store::user& u);
// {id, first_name, last_name, email, avatar}
nlohmann::ordered_json user_simple_json(const store::user& u);
// Label Studio's initials: first letters of first and last name, else the email's first two characters.
std::string user_initials(const store::user& u);

}  // namespace annot::host::api
