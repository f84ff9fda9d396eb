/* annot::status and annot::result<T>: how SDK calls report failure without exceptions.
 * Exceptions never cross the plugin boundary; a plugin returns a status, and the host maps its code
 * to an HTTP status in one place. Since: SDK 1.0
 */
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace annot {

/** Failure categories. The host maps them to HTTP codes (invalid_argument -> 400, not_found -> 404,
 *  already_exists -> 409, ...). Since: SDK 1.0 */
enum class errc {
  ok = 0,
  invalid_argument,     ///< the caller's input is wrong (bad config, bad result, bad option)
  not_found,            ///< a named thing does not exist
  already_exists,       ///< a name is taken
  permission_denied,    ///< the caller may not do this
  failed_precondition,  ///< the system is not in a state that allows this
  unsupported,          ///< this plugin or kind cannot do that
  io_error,             ///< reading or writing failed
  cancelled,            ///< the work was cancelled
  internal              ///< a bug
};

/** A success, or an error code with a human-readable message. Value type; cheap to move.
 *  Thread-safety: like std::string. Since: SDK 1.0 */
class status {
 public:
  status() = default;
  status(errc code, std::string message) : code_(code), message_(std::move(message)) {}

  static status success() { return {}; }

  bool ok() const noexcept { return code_ == errc::ok; }
  explicit operator bool() const noexcept { return ok(); }
  errc code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }

 private:
  errc code_ = errc::ok;
  std::string message_;
};

/** A value of T, or the status explaining why there is none. Since: SDK 1.0 */
template <class T>
class result {
 public:
  result(T value) : value_(std::move(value)) {}                        // NOLINT: implicit by design
  result(status error) : error_(std::move(error)) {                     // NOLINT: implicit by design
    if (error_.ok()) error_ = status(errc::internal, "result built from a success status without a value");
  }

  bool ok() const noexcept { return value_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  /** The error; a success status when ok(). */
  const status& error() const noexcept { return error_; }
  /** The value; only when ok(). */
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  status error_;
};

}  // namespace annot
