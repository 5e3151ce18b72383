// JsonWriter: appends compact JSON to a string. Callers keep the structure well-formed; the
// writer only handles separators and escaping. Not thread-safe (one per response).
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sagetrail::aws {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view s);
  void Int(int64_t v);
  void Uint(uint64_t v);
  void Double(double v);
  void Bool(bool v);
  void Null();
  // A value that is already JSON text (e.g. an epoch timestamp "1763805600.5").
  void Raw(std::string_view json);
  // Any Boost.JSON value as it is, containers element by element; a non-finite double, which JSON
  // cannot hold, is null wherever it is (as in Double()).
  void Value(const boost::json::value& v);

  static void AppendEscaped(std::string_view s, std::string* out);

 private:
  void Separate();
  std::string* out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

}  // namespace sagetrail::aws
