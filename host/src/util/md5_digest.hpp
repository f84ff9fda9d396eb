// An MD5 digest fed piece by piece (OpenSSL's EVP), for checksums of files the host writes.
#pragma once

#include <string>
#include <string_view>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace annot::host::util {

// Not thread-safe; one digest per stream of bytes. hex() ends it: further update() calls are
// ignored and hex() returns the same text again.
class md5_digest {
 public:
  md5_digest();
  ~md5_digest();
  md5_digest(const md5_digest&) = delete;
  md5_digest& operator=(const md5_digest&) = delete;

  void update(std::string_view bytes);
  // 32 lowercase hex digits; empty when the library refuses MD5 (an OpenSSL in FIPS-only mode).
  const std::string& hex();

 private:
  EVP_MD_CTX* ctx_ = nullptr;
  std::string hex_;
};

}  // namespace annot::host::util
