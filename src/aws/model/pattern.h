// CompiledPattern: a model pattern (Java regex syntax) compiled with PCRE2 for whole-string
// matching. Thread-safe after construction.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace sagetrail::aws {

class CompiledPattern {
 public:
  // Compiles `java_pattern`; nullptr (with `error` set) if PCRE2 cannot compile it.
  static std::unique_ptr<CompiledPattern> Compile(std::string_view java_pattern,
                                                  std::string* error);
  ~CompiledPattern();

  // True when the whole of `utf8` matches. Invalid UTF-8 never matches.
  bool Matches(std::string_view utf8) const;

  // Rewrites the Java constructs PCRE2 lacks (\uXXXX, \p{Alnum}, ...) and anchors the result so
  // that it must match the whole subject. Exposed for tests.
  static std::string Translate(std::string_view java_pattern);

 private:
  explicit CompiledPattern(void* code) : code_(code) {}
  void* code_;  // pcre2_code_8
};

}  // namespace sagetrail::aws
