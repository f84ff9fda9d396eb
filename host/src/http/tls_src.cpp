// Asio's OpenSSL glue compiled once, next to beast_src.cpp (BOOST_ASIO_SEPARATE_COMPILATION).
#include <boost/asio/ssl/impl/src.hpp>
