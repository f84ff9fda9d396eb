// Names of the store's enumerations as the database and the API spell them.
#include "store/model.hpp"

namespace annot::host::store {

std::string_view to_string(token_kind k) noexcept {
  switch (k) {
    case token_kind::legacy:
      return "legacy";
    case token_kind::personal:
      return "personal";
    case token_kind::session:
      return "session";
  }
  return "legacy";
}

std::optional<token_kind> token_kind_from_string(std::string_view s) noexcept {
  if (s == "legacy") return token_kind::legacy;
  if (s == "personal") return token_kind::personal;
  if (s == "session") return token_kind::session;
  return std::nullopt;
}

std::string_view to_string(import_status s) noexcept {
  switch (s) {
    case import_status::created:
      return "created";
    case import_status::in_progress:
      return "in_progress";
    case import_status::completed:
      return "completed";
    case import_status::failed:
      return "failed";
  }
  return "created";
}

}  // namespace annot::host::store
