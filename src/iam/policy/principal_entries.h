// Reading the entries of a policy's Principal element, shared by the trust policy and the
// resource-based policy evaluation: the account of an ARN, the account an "AWS" entry delegates
// to, and whether a user or role entry still designates the entity it named when the policy was
// saved (IAM keeps the unique ids of the principals a policy names, not their names).
// Pure functions, thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace sagetrail::iam {

// The account field of an ARN ("arn:aws:iam::123456789012:user/bob" -> "123456789012"); empty
// for anything that is not an ARN.
std::string_view ArnAccount(std::string_view arn);

// The account an "AWS" principal entry names as a whole ("123456789012" or
// "arn:aws:iam::123456789012:root"), or empty.
std::string_view AccountOfRootEntry(std::string_view entry);

// Whether the principal ARN `entry` of a policy still designates the entity whose unique id is
// `id`: `ids` maps each user and role ARN the policy named to the id it had when the policy was
// saved. ARNs not in the map (accounts this server does not hold, sessions), and every entry
// when `ids` is null, match by ARN alone.
bool SameEntity(const std::map<std::string, std::string>* ids, const std::string& entry,
                const std::string& id);

}  // namespace sagetrail::iam
