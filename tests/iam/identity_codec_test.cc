// IdentityCodec: state keys, the JSON each entity kind is stored as (pinned: data directories
// written before must still load), round trips, older data without newer fields, and stored
// entities that cannot be decoded.
#include "iam/identity_codec.h"

#include <gtest/gtest.h>

#include "fakes/memory_state.h"

namespace sagetrail::iam {
namespace {

constexpr char kAcct[] = "123456789012";

TimePoint Millis(int64_t ms) { return FromUnixMillis(ms); }

// Encodes `entity`, decodes it back under `ref`.
StoredEntity RoundTrip(const EntityRef& ref, const StoredEntity& entity) {
  auto decoded = IdentityCodec::Decode(ref, IdentityCodec::Encode(entity));
  EXPECT_TRUE(decoded.ok()) << (decoded.ok() ? "" : decoded.error().ToString());
  return decoded.ok() ? std::move(decoded).value() : StoredEntity{};
}

TEST(IdentityCodecTest, KeysNameAccountKindAndEntity) {
  EXPECT_EQ(IdentityCodec::Key({kAcct, "user", "bob"}), "iam/123456789012/user/bob");
  auto ref = IdentityCodec::ParseKey("iam/123456789012/inline/user/bob/my-policy");
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->account_id, kAcct);
  EXPECT_EQ(ref->kind, "inline");
  EXPECT_EQ(ref->key, "user/bob/my-policy");  // the entity key keeps its slashes
  auto attachment = IdentityCodec::ParseKey(
      "iam/1/attachment/role/r/arn:aws:iam::aws:policy/AdministratorAccess");
  ASSERT_TRUE(attachment.has_value());
  EXPECT_EQ(attachment->key, "role/r/arn:aws:iam::aws:policy/AdministratorAccess");
  EXPECT_EQ(IdentityCodec::Key(*attachment),
            "iam/1/attachment/role/r/arn:aws:iam::aws:policy/AdministratorAccess");
  // Not entities: the token key, other services' keys, kinds this version does not know.
  EXPECT_FALSE(IdentityCodec::ParseKey("iam/token_key").has_value());
  EXPECT_FALSE(IdentityCodec::ParseKey("sagemaker/1/eu-west-1/model/m").has_value());
  EXPECT_FALSE(IdentityCodec::ParseKey("iam/1/group/admins").has_value());
  EXPECT_FALSE(IdentityCodec::ParseKey("iam/1/user").has_value());
}

// The stored form, byte for byte: the fields and their order are what earlier versions wrote.
TEST(IdentityCodecTest, StoredJsonIsPinned) {
  EXPECT_EQ(IdentityCodec::Encode(AccountRecord{kAcct, "acme", Millis(1000)}),
            R"({"alias":"acme","created":1000})");
  UserRecord u;
  u.account_id = kAcct;
  u.user_name = "Bob";
  u.user_id = "AIDAEXAMPLE";
  u.path = "/eng/";
  u.arn = "ignored";
  u.created = Millis(2000);
  EXPECT_EQ(IdentityCodec::Encode(u),
            R"({"name":"Bob","id":"AIDAEXAMPLE","path":"/eng/","created":2000})");
  AccessKeyRecord k{"AKIAEXAMPLE", "secret", kAcct, "Bob", false, Millis(3000)};
  EXPECT_EQ(IdentityCodec::Encode(k),
            R"({"secret":"secret","user":"Bob","status":"Inactive","created":3000})");
  RoleRecord r;
  r.role_name = "Trainer";
  r.role_id = "AROAEXAMPLE";
  r.path = "/";
  r.trust_policy = "{}";
  r.trust_principal_ids = {{"arn:aws:iam::123456789012:user/bob", "AIDAEXAMPLE"}};
  r.description = "d";
  r.max_session_duration = 7200;
  r.created = Millis(4000);
  EXPECT_EQ(IdentityCodec::Encode(r),
            R"({"name":"Trainer","id":"AROAEXAMPLE","path":"/","trust":"{}",)"
            R"("trust_ids":{"arn:aws:iam::123456789012:user/bob":"AIDAEXAMPLE"},)"
            R"("description":"d","max_session":7200,"created":4000})");
  ManagedPolicyRecord p;
  p.name = "Narrow";
  p.policy_id = "ANPAEXAMPLE";
  p.path = "/team/";
  p.document = "{}";
  p.description = "lists";
  p.created = Millis(5000);
  p.updated = Millis(6000);
  EXPECT_EQ(IdentityCodec::Encode(p),
            R"({"name":"Narrow","id":"ANPAEXAMPLE","path":"/team/","document":"{}",)"
            R"("description":"lists","created":5000,"updated":6000})");
  EXPECT_EQ(IdentityCodec::Encode(InlinePolicyRecord{{"user", "Bob", "AIDAX"}, "p", "{}"}),
            R"({"type":"user","principal":"Bob","name":"p","document":"{}"})");
  EXPECT_EQ(IdentityCodec::Encode(AttachmentRecord{{"role", "Trainer", ""}, "arn:p"}),
            R"({"type":"role","principal":"Trainer","arn":"arn:p"})");
}

TEST(IdentityCodecTest, EveryKindRoundTrips) {
  auto account = std::get<AccountRecord>(
      RoundTrip({kAcct, "account", kAcct}, AccountRecord{kAcct, "acme", Millis(1000)}));
  EXPECT_EQ(account.account_id, kAcct);
  EXPECT_EQ(account.alias, "acme");
  EXPECT_EQ(account.created, Millis(1000));

  UserRecord u{kAcct, "Bob", "AIDAEXAMPLE", "/eng/", "", Millis(2000)};
  auto user = std::get<UserRecord>(RoundTrip({kAcct, "user", "bob"}, u));
  EXPECT_EQ(user.account_id, kAcct);
  EXPECT_EQ(user.user_name, "Bob");
  EXPECT_EQ(user.user_id, "AIDAEXAMPLE");
  EXPECT_EQ(user.path, "/eng/");
  EXPECT_EQ(user.arn, "arn:aws:iam::123456789012:user/eng/Bob");  // derived again
  EXPECT_EQ(user.created, Millis(2000));

  for (bool active : {true, false}) {
    for (const char* owner : {"", "Bob"}) {  // root's key, a user's key
      AccessKeyRecord k{"AKIAEXAMPLE", "secret", kAcct, owner, active, Millis(3000)};
      auto key = std::get<AccessKeyRecord>(RoundTrip({kAcct, "key", "AKIAEXAMPLE"}, k));
      EXPECT_EQ(key.access_key_id, "AKIAEXAMPLE");
      EXPECT_EQ(key.secret_access_key, "secret");
      EXPECT_EQ(key.account_id, kAcct);
      EXPECT_EQ(key.user_name, owner);
      EXPECT_EQ(key.active, active);
      EXPECT_EQ(key.created, Millis(3000));
    }
  }

  RoleRecord r;
  r.account_id = kAcct;
  r.role_name = "Trainer";
  r.role_id = "AROAEXAMPLE";
  r.path = "/ml/";
  r.trust_policy = R"({"Statement":[]})";
  r.trust_principal_ids = {{"arn:aws:iam::123456789012:user/bob", "AIDAEXAMPLE"},
                           {"arn:aws:iam::123456789012:role/x", "AROAOTHER"}};
  r.description = "trains";
  r.max_session_duration = 7200;
  r.created = Millis(4000);
  auto role = std::get<RoleRecord>(RoundTrip({kAcct, "role", "trainer"}, r));
  EXPECT_EQ(role.account_id, kAcct);
  EXPECT_EQ(role.role_name, "Trainer");
  EXPECT_EQ(role.role_id, "AROAEXAMPLE");
  EXPECT_EQ(role.path, "/ml/");
  EXPECT_EQ(role.arn, "arn:aws:iam::123456789012:role/ml/Trainer");
  EXPECT_EQ(role.trust_policy, r.trust_policy);
  EXPECT_EQ(role.trust_principal_ids, r.trust_principal_ids);
  EXPECT_EQ(role.description, "trains");
  EXPECT_EQ(role.max_session_duration, 7200);
  EXPECT_EQ(role.created, Millis(4000));

  ManagedPolicyRecord p;
  p.account_id = kAcct;
  p.name = "Narrow";
  p.policy_id = "ANPAEXAMPLE";
  p.path = "/team/";
  p.document = "{}";
  p.description = "lists";
  p.created = Millis(5000);
  p.updated = Millis(6000);
  auto policy = std::get<ManagedPolicyRecord>(RoundTrip({kAcct, "policy", "narrow"}, p));
  EXPECT_EQ(policy.account_id, kAcct);
  EXPECT_EQ(policy.name, "Narrow");
  EXPECT_EQ(policy.policy_id, "ANPAEXAMPLE");
  EXPECT_EQ(policy.path, "/team/");
  EXPECT_EQ(policy.arn, "arn:aws:iam::123456789012:policy/team/Narrow");
  EXPECT_EQ(policy.document, "{}");
  EXPECT_EQ(policy.description, "lists");
  EXPECT_EQ(policy.created, Millis(5000));
  EXPECT_EQ(policy.updated, Millis(6000));

  auto inline_policy = std::get<InlinePolicyRecord>(RoundTrip(
      {kAcct, "inline", "user/bob/p"}, InlinePolicyRecord{{"user", "Bob", ""}, "p", "{}"}));
  EXPECT_EQ(inline_policy.principal.type, "user");
  EXPECT_EQ(inline_policy.principal.name, "Bob");
  EXPECT_EQ(inline_policy.policy_name, "p");
  EXPECT_EQ(inline_policy.document, "{}");

  auto attachment =
      std::get<AttachmentRecord>(RoundTrip({kAcct, "attachment", "role/trainer/arn:p"},
                                           AttachmentRecord{{"role", "Trainer", ""}, "arn:p"}));
  EXPECT_EQ(attachment.principal.type, "role");
  EXPECT_EQ(attachment.principal.name, "Trainer");
  EXPECT_EQ(attachment.policy_arn, "arn:p");
}

TEST(IdentityCodecTest, PutAndDeleteAreMutationsOfTheEntityKey) {
  EntityRef ref{kAcct, "account", kAcct};
  store::Mutation put = IdentityCodec::Put(ref, AccountRecord{kAcct, "a", Millis(1)});
  EXPECT_EQ(put.key, "iam/123456789012/account/123456789012");
  ASSERT_TRUE(put.value.has_value());
  EXPECT_EQ(*put.value, R"({"alias":"a","created":1})");
  store::Mutation del = IdentityCodec::Delete(ref);
  EXPECT_EQ(del.key, put.key);
  EXPECT_FALSE(del.value.has_value());
}

// Older data directories: fields added since are missing and get their defaults.
TEST(IdentityCodecTest, OlderEntitiesWithoutNewerFieldsDecode) {
  auto account = IdentityCodec::Decode({kAcct, "account", kAcct}, R"({"alias":"acme"})");
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(std::get<AccountRecord>(*account).created, TimePoint{});
  auto role = IdentityCodec::Decode({kAcct, "role", "r"},
                                    R"({"name":"R","id":"AROAX","path":"/","trust":"{}"})");
  ASSERT_TRUE(role.ok());
  EXPECT_TRUE(std::get<RoleRecord>(*role).trust_principal_ids.empty());
  EXPECT_EQ(std::get<RoleRecord>(*role).arn, "arn:aws:iam::123456789012:role/R");
  // A key saved without a status is active.
  auto key = IdentityCodec::Decode({kAcct, "key", "AKIAX"}, R"({"secret":"s","user":""})");
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(std::get<AccessKeyRecord>(*key).active);
}

TEST(IdentityCodecTest, UndecodableEntityIsCorruptionNamingIt) {
  for (const char* body : {"", "not json", "[1,2]", "\"text\"", "{\"name\":", "42"}) {
    auto decoded = IdentityCodec::Decode({kAcct, "user", "bob"}, body);
    ASSERT_FALSE(decoded.ok()) << body;
    EXPECT_EQ(decoded.error().code(), Status::Code::kCorruption) << body;
    EXPECT_NE(decoded.error().message().find("iam/123456789012/user/bob"), std::string::npos)
        << decoded.error().message();
  }
  auto unknown = IdentityCodec::Decode({kAcct, "group", "g"}, "{}");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), Status::Code::kCorruption);
}

TEST(IdentityCodecTest, ForEachWalksStoredEntitiesAndReportsAMalformedOne) {
  testing::MemoryState state;
  ASSERT_TRUE(state
                  .Apply({IdentityCodec::PutTokenKey(std::string(32, 'k')),
                          IdentityCodec::Put({kAcct, "account", kAcct},
                                             AccountRecord{kAcct, "acme", Millis(1)}),
                          IdentityCodec::Put({kAcct, "user", "bob"},
                                             UserRecord{kAcct, "bob", "AIDAX", "/", "", Millis(2)}),
                          store::Mutation::Put("iam/123456789012/group/g", "{}"),
                          store::Mutation::Put("other/key", "not json")})
                  .ok());
  IdentityCodec codec(state);
  std::vector<std::string> seen;
  ASSERT_TRUE(codec
                  .ForEach([&](const EntityRef& ref, StoredEntity entity) {
                    seen.push_back(ref.kind + ":" + ref.key);
                    if (ref.kind == "user") {
                      EXPECT_EQ(std::get<UserRecord>(entity).user_id, "AIDAX");
                    }
                  })
                  .ok());
  // In key order; the token key, an unknown kind and other prefixes are not entities.
  EXPECT_EQ(seen, (std::vector<std::string>{"account:123456789012", "user:bob"}));
  auto token = codec.TokenKey();
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*token, std::string(32, 'k'));

  // A damaged entity stops the walk with Corruption naming it; nothing crashes.
  ASSERT_TRUE(state.Apply({store::Mutation::Put("iam/123456789012/role/broken", "{oops")}).ok());
  seen.clear();
  Status s = codec.ForEach(
      [&](const EntityRef& ref, StoredEntity) { seen.push_back(ref.kind + ":" + ref.key); });
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_NE(s.message().find("iam/123456789012/role/broken"), std::string::npos) << s.message();
  EXPECT_EQ(seen, (std::vector<std::string>{"account:123456789012"}));  // "role" < "user"
}

TEST(IdentityCodecTest, NoTokenKeyInAFreshState) {
  testing::MemoryState state;
  IdentityCodec codec(state);
  auto token = codec.TokenKey();
  ASSERT_TRUE(token.ok());
  EXPECT_FALSE(token->has_value());
}

}  // namespace
}  // namespace sagetrail::iam
