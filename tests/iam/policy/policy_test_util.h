// Helpers shared by the policy tests.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "iam/policy/policy_document.h"

namespace sagetrail::iam::testing {

// Parses a document the test expects to be valid; a parse error fails the test.
inline std::optional<PolicyDocument> ParseOrFail(std::string_view json,
                                                 PolicyParseOptions options = {}) {
  auto parsed = PolicyDocument::Parse(json, options);
  if (!parsed.ok()) {
    ADD_FAILURE() << "policy did not parse: " << parsed.error() << "\n" << json;
    return std::nullopt;
  }
  return std::move(parsed).value();
}

// {"Version": "2012-10-17", "Statement": <statement>}
inline std::string Policy(std::string_view statement, std::string_view version = "2012-10-17") {
  return "{\"Version\": \"" + std::string(version) +
         "\", \"Statement\": " + std::string(statement) + "}";
}

}  // namespace sagetrail::iam::testing
