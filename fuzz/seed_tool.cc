// Writes the seed inputs that need our own code to produce: requests signed and presigned with
// the sigv4 target's credentials at its fixed time, and session tokens sealed with the session
// token target's key. The rest of fuzz/corpus is written by hand.
//
// Usage: seed_tool <fuzz/corpus directory>   (overwrites the files it writes, nothing else)
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "aws/sigv4/signer.h"
#include "common/random.h"
#include "fuzz_support.h"
#include "iam/session_token.h"

namespace sagetrail::fuzz {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// A request's text followed by the flags byte the sigv4 target reads.
std::string SigV4Seed(const http::Request& r, uint8_t flags) {
  return RequestText(r) + std::string(1, static_cast<char>(flags));
}

http::Request SageMakerListModels() {
  http::Request r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"Host", "api.sagemaker.us-east-1.amazonaws.com"},
               {"Content-Type", "application/x-amz-json-1.1"},
               {"X-Amz-Target", "SageMaker.ListModels"},
               {"User-Agent", "aws-cli/2.15.0"}};
  r.body = R"({"MaxResults":10,"NameContains":"fuzz"})";
  return r;
}

http::Request StsGetCallerIdentity() {
  http::Request r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"Host", "sts.us-east-1.amazonaws.com"},
               {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  r.body = "Action=GetCallerIdentity&Version=2011-06-15";
  return r;
}

http::Request S3GetObject() {
  http::Request r;
  r.method = "GET";
  r.target = "/bucket/some%20key/a..b/./c?versionId=3&list-type=2&prefix=a%2Fb";
  r.headers = {{"Host", "s3.us-east-1.amazonaws.com"}, {"Range", "bytes=0-99"}};
  return r;
}

void WriteSigV4Seeds(const fs::path& dir) {
  const TimePoint now = Now();
  const aws::sigv4::SigningCredentials longterm{kAccessKeyId, kSecretKey, ""};
  const aws::sigv4::SigningCredentials temporary{kTempAccessKeyId, kTempSecretKey, kSessionToken};
  const aws::sigv4::SignOptions sagemaker{"us-east-1", "sagemaker", false};
  const aws::sigv4::SignOptions sts{"us-east-1", "sts", false};
  const aws::sigv4::SignOptions s3{"us-east-1", "s3", true};
  constexpr uint8_t kSageMaker = 0x00, kSts = 0x10, kS3 = 0x21;  // service bits (+ S3 form)

  // Signed as the verifier wants them (flags: verify as is).
  http::Request r = SageMakerListModels();
  aws::sigv4::SignRequest(r, longterm, sagemaker, now);
  Write(dir / "signed_sagemaker", SigV4Seed(r, kSageMaker));

  r = SageMakerListModels();
  aws::sigv4::SignRequest(r, temporary, sagemaker, now);
  Write(dir / "signed_sagemaker_temporary", SigV4Seed(r, kSageMaker));

  r = StsGetCallerIdentity();
  aws::sigv4::SignRequest(r, longterm, sts, now);
  Write(dir / "signed_sts", SigV4Seed(r, kSts));

  r = S3GetObject();
  aws::sigv4::SignRequest(r, longterm, s3, now);
  Write(dir / "signed_s3", SigV4Seed(r, kS3));

  r = S3GetObject();
  aws::sigv4::PresignRequest(r, longterm, s3, now, 900);
  Write(dir / "presigned_s3", SigV4Seed(r, kS3));

  r = StsGetCallerIdentity();
  r.body.clear();
  r.target = "/?Action=GetCallerIdentity&Version=2011-06-15";
  aws::sigv4::PresignRequest(r, temporary, sts, now, 300);
  Write(dir / "presigned_sts_temporary", SigV4Seed(r, kSts));

  // Unsigned requests for the target to sign itself (flags bits 1-2: 1 header, 2 presign).
  Write(dir / "sign_sagemaker", SigV4Seed(SageMakerListModels(), kSageMaker | 0x02));
  Write(dir / "sign_sagemaker_temporary", SigV4Seed(SageMakerListModels(), kSageMaker | 0x0A));
  Write(dir / "sign_sagemaker_past", SigV4Seed(SageMakerListModels(), kSageMaker | 0x42));
  Write(dir / "sign_sagemaker_expired_key", SigV4Seed(SageMakerListModels(), kSageMaker | 0x82));
  Write(dir / "presign_sts", SigV4Seed(StsGetCallerIdentity(), kSts | 0x04));
  Write(dir / "presign_s3", SigV4Seed(S3GetObject(), kS3 | 0x04));
}

void WriteSessionTokenSeeds(const fs::path& dir) {
  iam::SessionTokenCodec codec{std::string(kTokenKey)};
  SeededRandom random(7);

  iam::SessionClaims role;
  role.access_key_id = "ASIAFUZZFUZZFUZZ0001";
  role.secret_access_key = "fuzzTempSecret/0123456789/abcdefghijklmno";
  role.identity.type = aws::IdentityType::kAssumedRole;
  role.identity.principal_id = "AROAFUZZFUZZFUZZFUZZ:ci";
  role.identity.arn = "arn:aws:sts::123456789012:assumed-role/Deployer/ci";
  role.identity.account_id = "123456789012";
  role.identity.session_name = "ci";
  aws::SessionContext session;
  session.creation_date = Now();
  session.source_identity = "alice";
  session.issuer =
      aws::SessionIssuer{"Role", "AROAFUZZFUZZFUZZFUZZ", "arn:aws:iam::123456789012:role/Deployer",
                         "123456789012", "Deployer"};
  role.identity.session = session;
  role.expires_at = Now() + std::chrono::hours(1);
  // The flags byte 0 (the token's last byte as the target reads it) selects Open().
  Write(dir / "sealed_assumed_role", codec.Seal(role, random) + std::string(1, '\0'));

  iam::SessionClaims federated = role;
  federated.identity.type = aws::IdentityType::kFederatedUser;
  federated.identity.arn = "arn:aws:sts::123456789012:federated-user/bob";
  federated.identity.session_name = "bob";
  federated.identity.session->issuer =
      aws::SessionIssuer{"IAMUser", "AIDAFUZZFUZZFUZZFUZZ", "arn:aws:iam::123456789012:user/admin",
                         "123456789012", "admin"};
  federated.session_policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:List*",)"
      R"("Resource":"*"}]})";
  federated.session_policy_arns = {"arn:aws:iam::aws:policy/AmazonSageMakerReadOnly"};
  federated.has_session_policy = true;
  Write(dir / "sealed_federated_with_policy", codec.Seal(federated, random) + std::string(1, '\0'));

  iam::SessionClaims user;
  user.access_key_id = "ASIAFUZZFUZZFUZZ0003";
  user.secret_access_key = "s";
  user.identity.type = aws::IdentityType::kIAMUser;
  user.identity.arn = "arn:aws:iam::123456789012:user/alice";
  user.identity.user_name = "alice";
  user.expires_at = Now() + std::chrono::minutes(15);
  Write(dir / "sealed_session_token_user", codec.Seal(user, random) + std::string(1, '\0'));
}

}  // namespace
}  // namespace sagetrail::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <fuzz/corpus directory>\n", argv[0]);
    return 2;
  }
  const std::filesystem::path root = argv[1];
  sagetrail::fuzz::WriteSigV4Seeds(root / "sigv4_verifier");
  sagetrail::fuzz::WriteSessionTokenSeeds(root / "session_token");
  return 0;
}
