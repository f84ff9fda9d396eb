// Beast and Asio compiled once for the whole host (BOOST_*_SEPARATE_COMPILATION is set for annot_http).
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
