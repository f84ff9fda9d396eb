#include "util/md5_digest.hpp"

#include <openssl/evp.h>

namespace annot::host::util {

md5_digest::md5_digest() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ && EVP_DigestInit_ex(ctx_, EVP_md5(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = nullptr;
  }
}

md5_digest::~md5_digest() {
  EVP_MD_CTX_free(ctx_);
}

void md5_digest::update(std::string_view bytes) {
  if (ctx_ && EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()) != 1) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = nullptr;
  }
}

const std::string& md5_digest::hex() {
  if (!ctx_) return hex_;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(ctx_, digest, &n) == 1) {
    static constexpr char digits[] = "0123456789abcdef";
    hex_.resize(2 * n);
    for (unsigned int i = 0; i < n; ++i) {
      hex_[2 * i] = digits[digest[i] >> 4];
      hex_[2 * i + 1] = digits[digest[i] & 15];
    }
  }
  EVP_MD_CTX_free(ctx_);
  ctx_ = nullptr;
  return hex_;
}

}  // namespace annot::host::util
