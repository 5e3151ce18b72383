#include "iam/policy/wildcard.h"

#include <array>
#include <cstddef>

namespace sagetrail::iam {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// One element of a pattern at `pos`: a wildcard or a literal character, and its width.
struct Token {
  enum Kind { kStar, kQuestion, kLiteral } kind;
  char literal;
  size_t width;
};

Token TokenAt(std::string_view pattern, size_t pos, PatternSyntax syntax) {
  char c = pattern[pos];
  if (syntax == PatternSyntax::kEscaped && c == '\\' && pos + 1 < pattern.size()) {
    return {Token::kLiteral, pattern[pos + 1], 2};
  }
  if (c == '*') return {Token::kStar, 0, 1};
  if (c == '?') return {Token::kQuestion, 0, 1};
  return {Token::kLiteral, c, 1};
}

// WildcardMatch for PatternSyntax::kRaw: every character is a token of its own, so the loop
// needs no token decoding (this runs for every Action and Resource entry of every statement).
template <bool kIgnoreCase>
bool MatchRaw(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  const size_t pn = pattern.size(), tn = text.size();
  while (t < tn) {
    if (p < pn) {
      char c = pattern[p];
      if (c == '*') {
        star_p = ++p;
        star_t = t;
        continue;
      }
      if (c == '?' || (kIgnoreCase ? Lower(c) == Lower(text[t]) : c == text[t])) {
        ++p;
        ++t;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pn && pattern[p] == '*') ++p;
  return p == pn;
}

// Splits an ARN into at most six parts at its first five colons.
int SplitArn(std::string_view arn, std::array<std::string_view, 6>* parts) {
  int n = 0;
  size_t start = 0;
  while (n < 5) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) break;
    (*parts)[n++] = arn.substr(start, colon - start);
    start = colon + 1;
  }
  (*parts)[n++] = arn.substr(start);
  return n;
}

}  // namespace

bool WildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case,
                   PatternSyntax syntax) {
  if (syntax == PatternSyntax::kRaw) {
    return ignore_case ? MatchRaw<true>(pattern, text) : MatchRaw<false>(pattern, text);
  }
  // Greedy matching with backtracking to the most recent '*': linear in practice, at worst
  // O(pattern * text), with no recursion.
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      Token tok = TokenAt(pattern, p, syntax);
      if (tok.kind == Token::kStar) {
        star_p = p + tok.width;
        star_t = t;
        p = star_p;
        continue;
      }
      bool same = tok.kind == Token::kQuestion ||
                  (ignore_case ? Lower(tok.literal) == Lower(text[t]) : tok.literal == text[t]);
      if (same) {
        p += tok.width;
        ++t;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size()) {
    Token tok = TokenAt(pattern, p, syntax);
    if (tok.kind != Token::kStar) return false;
    p += tok.width;
  }
  return true;
}

bool ActionMatches(std::string_view pattern, std::string_view action) {
  return WildcardMatch(pattern, action, /*ignore_case=*/true);
}

bool ResourceMatches(std::string_view pattern, std::string_view resource, PatternSyntax syntax) {
  return WildcardMatch(pattern, resource, /*ignore_case=*/false, syntax);
}

bool ArnMatches(std::string_view pattern, std::string_view arn, PatternSyntax syntax) {
  std::array<std::string_view, 6> want, have;
  if (SplitArn(pattern, &want) != 6 || SplitArn(arn, &have) != 6) return false;
  for (size_t i = 0; i < 6; ++i) {
    if (!WildcardMatch(want[i], have[i], /*ignore_case=*/false, syntax)) return false;
  }
  return true;
}

}  // namespace sagetrail::iam
