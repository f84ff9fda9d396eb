// Asio, its OpenSSL glue and Beast compiled once for the fetch module (BOOST_*_SEPARATE_COMPILATION is
// set for annot_fetch). The executable's copy (http/beast_src.cpp) is not exported to modules, and it
// has no TLS: only this module links OpenSSL.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
