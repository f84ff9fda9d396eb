// https url= imports over real TLS on 127.0.0.1: the test makes its own CAs and server certificates
// with OpenSSL, runs a small TLS server, and checks that the fetcher verifies the chain and the host
// name (SNI sent), keeps the address guard and the redirect limit, and that the import API answers
// 201 for a trusted server and a clear 400 for a wrong-host or untrusted certificate.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "http/fetch.hpp"
#include "http/fetch_module.hpp"
#include "import_test_support.hpp"

namespace annot::host::import_testing {
namespace {

// An EC P-256 key and a certificate, owned.
struct key_cert {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  key_cert() = default;
  key_cert(const key_cert&) = delete;
  key_cert& operator=(const key_cert&) = delete;
  key_cert(key_cert&& o) noexcept : key(std::exchange(o.key, nullptr)), cert(std::exchange(o.cert, nullptr)) {}
  key_cert& operator=(key_cert&& o) noexcept {
    std::swap(key, o.key);
    std::swap(cert, o.cert);
    return *this;
  }
  ~key_cert() {
    EVP_PKEY_free(key);
    X509_free(cert);
  }
};

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  ASSERT_NE(ext, nullptr) << value;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A CA when `issuer` is null (self-signed, CA:TRUE), else a server certificate for `san`
// ("DNS:localhost,IP:127.0.0.1") signed by the issuer.
key_cert make_cert(const std::string& cn, const key_cert* issuer, const std::string& san, long serial) {
  key_cert out;
  out.key = EVP_EC_gen("P-256");
  EXPECT_NE(out.key, nullptr);
  out.cert = X509_new();
  X509_set_version(out.cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(out.cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(out.cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(out.cert), 3600L * 24);
  X509_set_pubkey(out.cert, out.key);
  X509_NAME* name = X509_get_subject_name(out.cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* issuer_cert = issuer ? issuer->cert : out.cert;
  X509_set_issuer_name(out.cert, X509_get_subject_name(issuer_cert));
  if (!issuer) {
    add_ext(out.cert, out.cert, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(out.cert, out.cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(out.cert, out.cert, NID_subject_key_identifier, "hash");
  } else {
    add_ext(out.cert, issuer_cert, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(out.cert, issuer_cert, NID_ext_key_usage, "serverAuth");
    add_ext(out.cert, issuer_cert, NID_subject_alt_name, san);
    add_ext(out.cert, issuer_cert, NID_authority_key_identifier, "keyid:always");
  }
  EXPECT_GT(X509_sign(out.cert, issuer ? issuer->key : out.key, EVP_sha256()), 0);
  return out;
}

void write_pem(const fs::path& path, X509* cert) {
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  PEM_write_X509(f, cert);
  std::fclose(f);
}

// A TLS server on 127.0.0.1 answering GET /tasks.json with a body, /hop with a redirect to
// /tasks.json and /loop with a redirect to itself; it records the SNI names it was sent.
class tls_server {
 public:
  tls_server(const key_cert& server, const key_cert& issuer, std::string body) : body_(std::move(body)) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx_, server.cert);
    SSL_CTX_add1_chain_cert(ctx_, issuer.cert);
    SSL_CTX_use_PrivateKey(ctx_, server.key);
    auto listener = listen_on_loopback();
    fd_ = listener.fd;
    port_ = listener.port;
    thread_ = std::thread([this] { serve(); });
  }
  ~tls_server() {
    stop_ = true;
    close_listener(fd_, port_);
    thread_.join();
    SSL_CTX_free(ctx_);
  }
  std::uint16_t port() const { return port_; }
  int connections() const { return connections_; }
  int handshakes() const { return handshakes_; }
  std::vector<std::string> server_names() {
    std::lock_guard lock(mu_);
    return names_;
  }

 private:
  void serve() {
    for (;;) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0 || stop_) {
        if (c >= 0) ::close(c);
        return;
      }
      ++connections_;
      timeval tv{5, 0};
      ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, c);
      if (SSL_accept(ssl) == 1) {
        ++handshakes_;
        if (const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) {
          std::lock_guard lock(mu_);
          names_.emplace_back(sni);
        }
        std::string req;
        char buf[4096];
        while (req.find("\r\n\r\n") == std::string::npos) {
          int n = SSL_read(ssl, buf, sizeof buf);
          if (n <= 0) break;
          req.append(buf, std::size_t(n));
        }
        std::string resp;
        if (req.rfind("GET /hop ", 0) == 0) {
          resp = "HTTP/1.1 302 Found\r\nLocation: /tasks.json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        } else if (req.rfind("GET /loop ", 0) == 0) {
          resp = "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        } else {
          // No Content-Length: the body ends with the connection, after close_notify.
          resp = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n" + body_;
        }
        SSL_write(ssl, resp.data(), int(resp.size()));
        SSL_shutdown(ssl);
      }
      SSL_free(ssl);
      ::close(c);
    }
  }

  std::string body_;
  SSL_CTX* ctx_ = nullptr;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0}, handshakes_{0};
  std::mutex mu_;
  std::vector<std::string> names_;
  std::thread thread_;
};

const std::string tasks_body = R"([{"text": "over tls 1"}, {"text": "over tls 2"}, {"text": "over tls 3"}])";

class ImportTlsTest : public import_host {
 protected:
  void SetUp() override {
    import_host::SetUp();
    ca_ = make_cert("annot test CA", nullptr, "", 1);
    other_ca_ = make_cert("annot other CA", nullptr, "", 2);
    good_ = make_cert("localhost", &ca_, "DNS:localhost,IP:127.0.0.1", 3);
    wrong_host_ = make_cert("elsewhere.example", &ca_, "DNS:elsewhere.example", 4);
    untrusted_ = make_cert("localhost", &other_ca_, "DNS:localhost,IP:127.0.0.1", 5);
    ca_file_ = root_ / "ca.pem";
    write_pem(ca_file_, ca_.cert);
  }
  void TearDown() override {
    if (saved_cert_file_) ::setenv("SSL_CERT_FILE", saved_cert_file_->c_str(), 1);
    else ::unsetenv("SSL_CERT_FILE");
    import_host::TearDown();
  }

  http::fetch_options trusting_test_ca() const {
    http::fetch_options o;
    o.allow_private = true;
    o.ca_file = ca_file_.string();
    o.timeout = std::chrono::seconds(10);
    return o;
  }

  // The system trust store is replaced by the test CA for code that uses the defaults (the host).
  void trust_test_ca_by_environment() {
    if (const char* v = std::getenv("SSL_CERT_FILE")) saved_cert_file_ = v;
    ::setenv("SSL_CERT_FILE", ca_file_.c_str(), 1);
  }

  test::http_response post_url(std::int64_t pid, const std::string& url) {
    std::string form = "url=";
    for (char ch : url) {
      if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_') {
        form.push_back(ch);
      } else {
        char hex[4];
        std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(ch));
        form += hex;
      }
    }
    test::http_client c(port_, "127.0.0.1", std::chrono::seconds(30));
    return c.request("POST", "/api/projects/" + std::to_string(pid) + "/import", form,
                     auth({{"Content-Type", "application/x-www-form-urlencoded"}}));
  }

  key_cert ca_, other_ca_, good_, wrong_host_, untrusted_;
  fs::path ca_file_;
  std::optional<std::string> saved_cert_file_;
};

result<std::string> fetch_text(const std::string& url, const http::fetch_options& o) {
  std::string got;
  auto r = http::fetch_url(url, o, [&](std::string_view b) {
    got.append(b);
    return status::success();
  });
  if (!r) return r.error();
  return got;
}

TEST_F(ImportTlsTest, FetchVerifiesTheChainAndSendsTheHostName) {
  tls_server server(good_, ca_, tasks_body);
  const std::string port = std::to_string(server.port());
  auto by_name = fetch_text("https://localhost:" + port + "/tasks.json", trusting_test_ca());
  ASSERT_TRUE(by_name) << by_name.error().message();
  EXPECT_EQ(*by_name, tasks_body);
  // An address is checked against the IP entries of the certificate and sent without SNI.
  auto by_address = fetch_text("https://127.0.0.1:" + port + "/tasks.json", trusting_test_ca());
  ASSERT_TRUE(by_address) << by_address.error().message();
  EXPECT_EQ(*by_address, tasks_body);
  EXPECT_EQ(server.server_names(), std::vector<std::string>{"localhost"});
  // A relative redirect stays on the verified connection's scheme and host.
  auto hopped = fetch_text("https://localhost:" + port + "/hop", trusting_test_ca());
  ASSERT_TRUE(hopped) << hopped.error().message();
  EXPECT_EQ(*hopped, tasks_body);
}

TEST_F(ImportTlsTest, FetchRefusesAWrongHostAnUntrustedChainAndTheSystemStoreAlone) {
  {
    tls_server server(wrong_host_, ca_, tasks_body);
    auto r = fetch_text("https://localhost:" + std::to_string(server.port()) + "/tasks.json", trusting_test_ca());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), errc::invalid_argument);
    EXPECT_NE(r.error().message().find("TLS certificate of localhost was refused"), std::string::npos)
        << r.error().message();
    EXPECT_NE(r.error().message().find("hostname mismatch"), std::string::npos) << r.error().message();
    r = fetch_text("https://127.0.0.1:" + std::to_string(server.port()) + "/tasks.json", trusting_test_ca());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("IP address mismatch"), std::string::npos) << r.error().message();
  }
  {
    tls_server server(untrusted_, other_ca_, tasks_body);
    auto r = fetch_text("https://localhost:" + std::to_string(server.port()) + "/tasks.json", trusting_test_ca());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), errc::invalid_argument);
    EXPECT_NE(r.error().message().find("was refused"), std::string::npos) << r.error().message();
    EXPECT_EQ(server.handshakes(), 0);
  }
  {
    // The test CA is in no system store: without ca_file the good server is refused too.
    tls_server server(good_, ca_, tasks_body);
    auto o = trusting_test_ca();
    o.ca_file.clear();
    auto r = fetch_text("https://localhost:" + std::to_string(server.port()) + "/tasks.json", o);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("was refused"), std::string::npos) << r.error().message();
  }
}

TEST_F(ImportTlsTest, FetchKeepsTheAddressGuardAndTheRedirectLimit) {
  tls_server server(good_, ca_, tasks_body);
  const std::string port = std::to_string(server.port());
  auto o = trusting_test_ca();
  o.allow_private = false;
  auto r = fetch_text("https://localhost:" + port + "/tasks.json", o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("private, loopback or link-local"), std::string::npos) << r.error().message();
  EXPECT_EQ(server.connections(), 0) << "the guard refuses before connecting";
  o = trusting_test_ca();
  o.max_redirects = 3;
  r = fetch_text("https://localhost:" + port + "/loop", o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("too many redirects"), std::string::npos) << r.error().message();
  EXPECT_EQ(server.handshakes(), 4) << "the first request and three redirects";
}

TEST_F(ImportTlsTest, ImportApiDownloadsFromATrustedServerAndAnswers400Otherwise) {
  trust_test_ca_by_environment();
  tls_server good(good_, ca_, tasks_body);
  tls_server wrong(wrong_host_, ca_, tasks_body);
  tls_server untrusted(untrusted_, other_ca_, tasks_body);
  start(true);
  std::int64_t pid = make_project();
  auto r = post_url(pid, "https://localhost:" + std::to_string(good.port()) + "/tasks.json");
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["task_count"], 3);
  EXPECT_EQ(j["found_formats"], json({{".json", 1}}));
  EXPECT_EQ(project(pid).task_number, 3);

  r = post_url(pid, "https://localhost:" + std::to_string(wrong.port()) + "/tasks.json");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(message_of(r).find("hostname mismatch"), std::string::npos) << r.body;
  r = post_url(pid, "https://localhost:" + std::to_string(untrusted.port()) + "/tasks.json");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(message_of(r).find("was refused"), std::string::npos) << r.body;
  EXPECT_EQ(project(pid).task_number, 3) << "refused downloads import nothing";
}

// The executable loads the client (and OpenSSL with it) at the first download; a broken installation
// is named, not a crash.
TEST(FetchModule, AMissingOrForeignModuleIsRefusedWithItsPath) {
  const std::string missing =
      (std::filesystem::path(ANNOT_TEST_BIN_DIR) / "no-such-folder" / "annot_fetch.so").string();
  auto r = http::load_fetch_module(missing);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), errc::internal);
  EXPECT_NE(r.error().message().find(missing), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("reinstall annot"), std::string::npos) << r.error().message();

  // A loadable library without the entry: an exporter plugin.
  const std::string foreign =
      (std::filesystem::path(ANNOT_TEST_PLUGINS_DIR) / "json" / "annot_json.so").string();
  r = http::load_fetch_module(foreign);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("is not annot's fetch module"), std::string::npos)
      << r.error().message();

  const std::string installed =
      (std::filesystem::path(ANNOT_TEST_BIN_DIR) / ".." / "lib" / "annot" / "annot_fetch.so")
          .lexically_normal()
          .string();
  r = http::load_fetch_module(installed);
  ASSERT_TRUE(r) << r.error().message();
  // Its client answers (a refused scheme needs no network).
  auto got = (*r)("ftp://example.com/x", http::fetch_options{}, [](std::string_view) { return status{}; });
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message().find("scheme 'ftp' is not allowed"), std::string::npos)
      << got.error().message();
}

}  // namespace
}  // namespace annot::host::import_testing
