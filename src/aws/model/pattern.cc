#define PCRE2_CODE_UNIT_WIDTH 8
#include "aws/model/pattern.h"

#include <pcre2.h>

#include <cstdio>
#include <string>

namespace sagetrail::aws {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Per-thread match data: one ovector pair is all a yes/no match needs.
pcre2_match_data* ThreadMatchData() {
  struct Holder {
    pcre2_match_data* md = pcre2_match_data_create(1, nullptr);
    ~Holder() { pcre2_match_data_free(md); }
  };
  thread_local Holder holder;
  return holder.md;
}

// True when position `i` of `p` lies inside a bracketed character class.
bool InsideClass(std::string_view p, size_t i) {
  int depth = 0;
  for (size_t j = 0; j < i; ++j) {
    if (p[j] == '\\') {
      ++j;
      continue;
    }
    if (p[j] == '[') ++depth;
    if (p[j] == ']' && depth > 0) --depth;
  }
  return depth > 0;
}

}  // namespace

std::string CompiledPattern::Translate(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 16);
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char n = p[i + 1];
      // \uD800\uDC00-\uDBFF\uDFFF: Java's way to say "any supplementary code point".
      std::string_view rest = p.substr(i);
      static constexpr std::string_view kSupplementary = "\\uD800\\uDC00-\\uDBFF\\uDFFF";
      if (rest.substr(0, kSupplementary.size()) == kSupplementary) {
        out += "\\x{10000}-\\x{10FFFF}";
        i += kSupplementary.size() - 1;
        continue;
      }
      if (n == 'u' && i + 5 < p.size() && IsHex(p[i + 2]) && IsHex(p[i + 3]) && IsHex(p[i + 4]) &&
          IsHex(p[i + 5])) {
        out += "\\x{";
        out.append(p.substr(i + 2, 4));
        out += "}";
        i += 5;
        continue;
      }
      if (n == 'p' && i + 2 < p.size() && p[i + 2] == '{') {
        size_t close = p.find('}', i + 3);
        if (close != std::string_view::npos) {
          std::string_view cls = p.substr(i + 3, close - (i + 3));
          const char* repl = nullptr;
          if (cls == "Alnum") repl = "a-zA-Z0-9";
          if (cls == "ASCII") repl = "\\x00-\\x7F";
          if (cls == "Print") repl = "\\x20-\\x7E";
          if (cls == "Alpha") repl = "a-zA-Z";
          if (cls == "Digit") repl = "0-9";
          if (cls == "Punct") repl = "!-\\/:-@\\[-`{-~";
          if (cls == "Space") repl = " \\t\\n\\x0B\\f\\r";
          if (cls == "Graph") repl = "\\x21-\\x7E";
          if (repl != nullptr) {
            // Inside a character class the range list stands alone; outside it needs brackets.
            if (InsideClass(p, i)) {
              out += repl;
            } else {
              out += "[";
              out += repl;
              out += "]";
            }
            i = close;
            continue;
          }
        }
      }
      // Java reads "[\w-_]" as \w, '-' and '_'; PCRE2 rejects it as a bad range (CloudWatch
      // Logs' ResourceType), so the hyphen is escaped.
      if (std::string_view("wdsWDS").find(n) != std::string_view::npos && i + 3 < p.size() &&
          p[i + 2] == '-' && p[i + 3] != ']' && InsideClass(p, i)) {
        out.push_back(c);
        out.push_back(n);
        out += "\\-";
        i += 2;
        continue;
      }
      out.push_back(c);
      out.push_back(n);
      ++i;
      continue;
    }
    // Java accepts a quantifier after '$' ("...${1,128}"); it adds nothing, so drop it.
    if (c == '$' && i + 1 < p.size() && p[i + 1] == '{') {
      size_t close = p.find('}', i + 2);
      if (close != std::string_view::npos) {
        out.push_back('$');
        i = close;
        continue;
      }
    }
    out.push_back(c);
  }
  return "\\A(?:" + out + ")\\z";
}

std::unique_ptr<CompiledPattern> CompiledPattern::Compile(std::string_view java_pattern,
                                                          std::string* error) {
  std::string translated = Translate(java_pattern);
  int err = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                    PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &err, &offset, nullptr);
  if (code == nullptr) {
    if (error != nullptr) {
      PCRE2_UCHAR buf[256];
      pcre2_get_error_message(err, buf, sizeof(buf));
      *error = std::string(reinterpret_cast<char*>(buf)) + " at offset " + std::to_string(offset);
    }
    return nullptr;
  }
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // best effort; falls back to the interpreter
  return std::unique_ptr<CompiledPattern>(new CompiledPattern(code));
}

CompiledPattern::~CompiledPattern() { pcre2_code_free(static_cast<pcre2_code*>(code_)); }

bool CompiledPattern::Matches(std::string_view utf8) const {
  int rc = pcre2_match(static_cast<pcre2_code*>(code_), reinterpret_cast<PCRE2_SPTR>(utf8.data()),
                       utf8.size(), 0, 0, ThreadMatchData(), nullptr);
  return rc >= 0;
}

}  // namespace sagetrail::aws
