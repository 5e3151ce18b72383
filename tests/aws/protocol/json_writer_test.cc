// JsonWriter: separators, escaping, and any Boost.JSON value written as JSON.
#include "aws/protocol/json_writer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <string>

namespace sagetrail::aws {
namespace {

namespace json = boost::json;

std::string Write(const json::value& v) {
  std::string out;
  JsonWriter w(&out);
  w.Value(v);
  return out;
}

TEST(JsonWriterTest, ValueWritesContainersAsJson) {
  json::value v = json::object{{"a", json::array{1, "x\n", true, nullptr}}, {"b", json::object{}}};
  std::string out = Write(v);
  EXPECT_EQ(out, R"({"a":[1,"x\n",true,null],"b":{}})");
  EXPECT_EQ(json::parse(out), v);
}

// Found by json_codec_fuzz: a non-finite double inside a container came out as "Infinity".
TEST(JsonWriterTest, NonFiniteNumbersAreNullAtAnyDepth) {
  EXPECT_EQ(Write(json::value(INFINITY)), "null");
  std::string out = Write(json::array{NAN, json::object{{"k", json::array{-INFINITY, 2.5}}}});
  EXPECT_EQ(out, R"([null,{"k":[null,2.5]}])");
  boost::system::error_code ec;
  json::parse(out, ec);
  EXPECT_FALSE(ec) << out;
}

}  // namespace
}  // namespace sagetrail::aws
