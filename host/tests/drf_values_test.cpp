// Request values read as Django REST framework's fields read them (BooleanField, IntegerField,
// FloatField, PrimaryKeyRelatedField, CharField): what DRF converts is converted, what it refuses is
// refused.
#include "api/drf_values.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;
using nlohmann::ordered_json;
namespace drf = annot::host::api::drf;

TEST(DrfValues, BooleansTakeDrfsSpellingsAndNothingElse) {
  for (json v : {json(true), json(1), json(1.0), json("t"), json("Y"), json("yes"), json("True"), json("ON"),
                 json("1")})
    EXPECT_EQ(drf::as_bool(v), true) << v.dump();
  for (json v : {json(false), json(0), json(0.0), json("f"), json("n"), json("No"), json("FALSE"),
                 json("off"), json("0")})
    EXPECT_EQ(drf::as_bool(v), false) << v.dump();
  for (json v : {json(2), json(0.5), json("tRUE"), json(" true"), json(""), json(nullptr), json::array(),
                 json::object()})
    EXPECT_FALSE(drf::as_bool(v)) << v.dump();
  EXPECT_EQ(drf::as_bool(ordered_json("on")), true);
}

TEST(DrfValues, IntegersAcceptIntegralFloatsAndStringsOfThem) {
  EXPECT_EQ(drf::as_int(json(12)), 12);
  EXPECT_EQ(drf::as_int(json(-3)), -3);
  EXPECT_EQ(drf::as_int(json(12.0)), 12);
  EXPECT_EQ(drf::as_int(json(" 12 ")), 12);
  EXPECT_EQ(drf::as_int(json("+7")), 7);
  EXPECT_EQ(drf::as_int(json("12.0")), 12);  // DRF strips a trailing ".0" before int()
  EXPECT_EQ(drf::as_int(json("12.")), 12);
  for (json v : {json(12.5), json("12.5"), json("1e3"), json(""), json("x"), json(true), json(nullptr),
                 json(18446744073709551615ull), json(1e300)})
    EXPECT_FALSE(drf::as_int(v)) << v.dump();
}

TEST(DrfValues, FloatsAreWhatFloatReadsAndFinite) {
  EXPECT_EQ(drf::as_float(json(2.5)), 2.5);
  EXPECT_EQ(drf::as_float(json(3)), 3.0);
  EXPECT_EQ(drf::as_float(json(" 2.5 ")), 2.5);
  EXPECT_EQ(drf::as_float(json("+1e1")), 10.0);
  EXPECT_EQ(drf::as_float(json(".5")), 0.5);
  for (json v : {json("nan"), json("inf"), json("-infinity"), json("2.5s"), json(""), json(" "), json(true),
                 json(nullptr), json::array()})
    EXPECT_FALSE(drf::as_float(v)) << v.dump();
}

TEST(DrfValues, PrimaryKeysArePositiveIdsNeverBooleans) {
  EXPECT_EQ(drf::as_pk(json(5)), 5);
  EXPECT_EQ(drf::as_pk(json("5")), 5);
  EXPECT_EQ(drf::as_pk(json(5.0)), 5);
  for (json v :
       {json(true), json(0), json(-1), json("0"), json("5.0"), json(5.5), json("five"), json(nullptr)})
    EXPECT_FALSE(drf::as_pk(v)) << v.dump();
}

TEST(DrfValues, StringsTakeNumbersAsTextAndNullOnlyWhenAllowed) {
  EXPECT_EQ(drf::as_string(json("x"), false), "x");
  EXPECT_EQ(drf::as_string(json(7), false), "7");
  EXPECT_EQ(drf::as_string(json(nullptr), true), "");
  EXPECT_FALSE(drf::as_string(json(nullptr), false));
  EXPECT_FALSE(drf::as_string(json(true), false));
  EXPECT_FALSE(drf::as_string(json::object(), true));
}

TEST(DrfValues, PythonTypeNamesForMessages) {
  EXPECT_STREQ(drf::python_type(json("x")), "str");
  EXPECT_STREQ(drf::python_type(json(true)), "bool");
  EXPECT_STREQ(drf::python_type(json(1)), "int");
  EXPECT_STREQ(drf::python_type(json(1.5)), "float");
  EXPECT_STREQ(drf::python_type(json::array()), "list");
  EXPECT_STREQ(drf::python_type(json::object()), "dict");
  EXPECT_STREQ(drf::python_type(json(nullptr)), "NoneType");
}

}  // namespace
