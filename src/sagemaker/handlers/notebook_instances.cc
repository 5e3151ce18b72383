// SageMaker notebook instances: CreateNotebookInstance, DescribeNotebookInstance,
// ListNotebookInstances, StartNotebookInstance, StopNotebookInstance, UpdateNotebookInstance,
// DeleteNotebookInstance, CreatePresignedNotebookInstanceUrl, and their lifecycle (each phase
// takes the notebook instance time):
//   Create, Start (from Stopped/Failed): Pending --> InService, or Failed when the lifecycle
//                                        configuration the instance names is gone by then
//   Stop (from InService):               Stopping --> Stopped
//   Update (from Stopped/Failed):        Updating --> Stopped (the new settings show at once)
//   Delete (from Stopped/Failed):        Deleting --> gone
// Any other move is refused with AWS's "Status (...) not in ([...])" ValidationException.
#include <algorithm>
#include <boost/json.hpp>
#include <functional>
#include <initializer_list>
#include <optional>

#include "aws/protocol/generic_value.h"
#include "common/crypto.h"
#include "common/random.h"
#include "common/strings.h"
#include "sagemaker/handler_context.h"

namespace sagetrail::sagemaker {
namespace json = boost::json;
using aws::AwsError;

namespace {

constexpr char kKind[] = "notebook-instance";
constexpr char kConfigKind[] = "notebook-instance-lifecycle-config";
constexpr char kConfigMember[] = "NotebookInstanceLifecycleConfigName";

// What AWS answers for a notebook instance that does not exist (the deleted-waiter relies on it
// being a ValidationException).
AwsError NotFound() { return AwsError::Validation("RecordNotFound"); }

std::string NameOf(const json::value& in) {
  return std::string(aws::StringField(in, "NotebookInstanceName").value_or(""));
}

// The host Jupyter answers on.
std::string Host(const std::string& name, const std::string& region) {
  return AsciiLower(name) + ".notebook." + region + ".sagemaker.aws";
}

// A string member of `r`'s Describe document.
std::optional<std::string> BodyString(const Resource& r, std::string_view member) {
  auto it = r.body.find(member);
  if (it == r.body.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().get_string());
}

void SetStatus(Resource& r, const std::string& status, TimePoint now) {
  r.status = status;
  r.body["NotebookInstanceStatus"] = status;
  SetLastModified(r, now);
}

// Refuses to move `r` to `target` unless its status is one of `allowed`.
std::optional<AwsError> CheckTransition(const Resource& r,
                                        std::initializer_list<std::string_view> allowed,
                                        std::string_view target) {
  std::string list;
  for (std::string_view s : allowed) {
    if (r.status == s) return std::nullopt;
    if (!list.empty()) list += ", ";
    list += s;
  }
  return AwsError::Validation("Status (" + r.status + ") not in ([" + list +
                              "]). Unable to transition to (" + std::string(target) +
                              ") for Notebook Instance (" + r.arn + ").");
}

// Refuses a lifecycle configuration name that names nothing.
std::optional<AwsError> CheckConfig(const HandlerContext& h, std::string_view name) {
  if (h.Find(kConfigKind, name) != nullptr) return std::nullopt;
  return AwsError::Validation("Unable to describe Notebook Instance Lifecycle Config " +
                              h.Arn(kConfigKind, std::string(name)) +
                              ". (Details: Notebook Instance Lifecycle Config does not exist.)");
}

// Starts the phase `status` of `r`, which ends after the notebook instance time. Save or Touch
// `r` too.
void Begin(HandlerContext& h, Resource& r, const std::string& status) {
  TimePoint now = h.clock.Now();
  SetStatus(r, status, now);
  h.ScheduleTransition(r, now + h.timings.notebook_instance);
}

Result<json::value, AwsError> CreateNotebookInstance(HandlerContext& h) {
  const json::value& in = h.input();
  std::string name = NameOf(in);
  std::string arn = h.Arn(kKind, name);
  if (h.Find(kKind, name) != nullptr) {
    return AwsError::Validation("Cannot create a duplicate Notebook Instance (" + arn + ")");
  }
  auto config = aws::StringField(in, "LifecycleConfigName");
  if (config) {
    if (auto error = CheckConfig(h, *config)) return *error;
  }
  TimePoint now = h.clock.Now();
  Resource r;
  r.kind = kKind;
  r.name = name;
  r.name_key = AsciiLower(name);
  r.arn = arn;
  r.created = now;
  json::object& b = r.body;
  b["NotebookInstanceArn"] = arn;
  // The settings, with what AWS reports when they are left out.
  b["DirectInternetAccess"] = "Enabled";
  b["VolumeSizeInGB"] = 5;
  b["RootAccess"] = "Enabled";
  b["PlatformIdentifier"] = "notebook-al2-v2";
  b["IpAddressType"] = "ipv4";
  b["InstanceMetadataServiceConfiguration"] =
      json::object{{"MinimumInstanceMetadataServiceVersion", "1"}};
  h.CopyDescribed("DescribeNotebookInstance", &b);
  b["NotebookInstanceName"] = name;
  // Create and Describe name these two differently.
  if (const json::value* groups = aws::Field(in, "SecurityGroupIds")) b["SecurityGroups"] = *groups;
  if (config) b[kConfigMember] = *config;
  if (aws::StringField(in, "SubnetId")) {
    // The network interface SageMaker would create in that subnet.
    b["NetworkInterfaceId"] = "eni-" + Sha256Hex(arn).substr(0, 17);
  }
  b["Url"] = Host(name, h.region());
  b["CreationTime"] = aws::TimestampValue(now);
  if (const json::value* tags = aws::Field(in, "Tags"); tags && tags->is_array()) {
    r.tags = UniqueTags(tags->get_array());
  }
  Begin(h, r, "Pending");
  h.Save(std::move(r));
  return json::value(json::object{{"NotebookInstanceArn", arn}});
}

Result<json::value, AwsError> DescribeNotebookInstance(HandlerContext& h) {
  const Resource* r = h.Find(kKind, NameOf(h.input()));
  if (r == nullptr) return NotFound();
  return json::value(r->body);
}

// Pages like ResourceTable::List, keeping only the resources `keep` accepts: the table is walked
// one item at a time so that every token is the table's own.
Result<ListPage, AwsError> ListKept(const ResourceTable& table, const ListOptions& options,
                                    const std::function<bool(const Resource&)>& keep) {
  ListPage out;
  const size_t limit = std::max<size_t>(1, options.max_results);
  ListOptions step = options;
  step.max_results = 1;
  while (true) {
    auto page = table.List(step);
    if (!page.ok()) return page.error();
    if (page->items.empty()) return out;
    if (keep(*page->items.front())) {
      if (out.items.size() == limit) {
        out.next_token = step.next_token;  // resume just before this one
        return out;
      }
      out.items.push_back(page->items.front());
    }
    if (page->next_token.empty()) return out;
    step.next_token = page->next_token;
  }
}

bool ContainsIgnoringCase(const json::object& body, std::string_view member,
                          const std::string& needle) {
  auto it = body.find(member);
  return it != body.end() && it->value().is_string() &&
         AsciiLower(it->value().get_string()).find(AsciiLower(needle)) != std::string::npos;
}

Result<json::value, AwsError> ListNotebookInstances(HandlerContext& h) {
  const json::value& in = h.input();
  ListOptions options = ListOptions::FromInput(in, SortBy::kName, false);
  std::string config_contains(
      aws::StringField(in, "NotebookInstanceLifecycleConfigNameContains").value_or(""));
  std::string repo_contains(aws::StringField(in, "DefaultCodeRepositoryContains").value_or(""));
  std::string repo_equals(aws::StringField(in, "AdditionalCodeRepositoryEquals").value_or(""));
  const ResourceTable& table = h.backend.Table(kKind);
  auto page =
      config_contains.empty() && repo_contains.empty() && repo_equals.empty()
          ? table.List(options)
          : ListKept(table, options, [&](const Resource& r) {
              if (!config_contains.empty() &&
                  !ContainsIgnoringCase(r.body, kConfigMember, config_contains)) {
                return false;
              }
              if (!repo_contains.empty() &&
                  !ContainsIgnoringCase(r.body, "DefaultCodeRepository", repo_contains)) {
                return false;
              }
              if (repo_equals.empty()) return true;
              auto repos = r.body.find("AdditionalCodeRepositories");
              if (repos == r.body.end() || !repos->value().is_array()) return false;
              const json::array& list = repos->value().get_array();
              return std::find(list.begin(), list.end(), json::value(repo_equals)) != list.end();
            });
  if (!page.ok()) return page.error();
  json::array instances;
  for (const Resource* r : page->items) {
    json::object s{{"NotebookInstanceName", r->name}, {"NotebookInstanceArn", r->arn}};
    for (const char* member :
         {"NotebookInstanceStatus", "Url", "InstanceType", "CreationTime", "LastModifiedTime",
          kConfigMember, "DefaultCodeRepository", "AdditionalCodeRepositories"}) {
      if (auto it = r->body.find(member); it != r->body.end()) s[member] = it->value();
    }
    instances.push_back(std::move(s));
  }
  json::object out{{"NotebookInstances", std::move(instances)}};
  if (!page->next_token.empty()) out["NextToken"] = page->next_token;
  return json::value(std::move(out));
}

Result<json::value, AwsError> StartNotebookInstance(HandlerContext& h) {
  Resource* r = h.FindMutable(kKind, NameOf(h.input()));
  if (r == nullptr) return NotFound();
  if (auto error = CheckTransition(*r, {"Stopped", "Failed"}, "Pending")) return *error;
  r->body.erase("FailureReason");
  Begin(h, *r, "Pending");
  h.Touch(*r);
  return json::value(json::object());
}

Result<json::value, AwsError> StopNotebookInstance(HandlerContext& h) {
  Resource* r = h.FindMutable(kKind, NameOf(h.input()));
  if (r == nullptr) return NotFound();
  if (auto error = CheckTransition(*r, {"InService"}, "Stopping")) return *error;
  Begin(h, *r, "Stopping");
  h.Touch(*r);
  return json::value(json::object());
}

Result<json::value, AwsError> UpdateNotebookInstance(HandlerContext& h) {
  const json::value& in = h.input();
  Resource* r = h.FindMutable(kKind, NameOf(in));
  if (r == nullptr) return NotFound();
  if (auto error = CheckTransition(*r, {"Stopped", "Failed"}, "Updating")) return *error;
  auto config = aws::StringField(in, "LifecycleConfigName");
  if (config) {
    if (auto error = CheckConfig(h, *config)) return *error;
  }
  if (auto size = aws::IntField(in, "VolumeSizeInGB")) {
    auto it = r->body.find("VolumeSizeInGB");
    std::optional<int64_t> current;
    if (it != r->body.end() && it->value().is_int64()) current = it->value().get_int64();
    if (current && *size < *current) {
      return AwsError::Validation("Volume size of Notebook Instance (" + r->arn +
                                  ") cannot be decreased from " + std::to_string(*current) +
                                  " GB to " + std::to_string(*size) + " GB.");
    }
  }
  // Every setting given replaces the current one; the Disassociate* flags then clear theirs.
  json::object changes;
  h.CopyDescribed("DescribeNotebookInstance", &changes);
  changes.erase("NotebookInstanceName");
  for (auto& [member, value] : changes) r->body[member] = value;
  if (config) r->body[kConfigMember] = *config;
  for (auto [flag, member] :
       {std::pair<const char*, const char*>{"DisassociateLifecycleConfig", kConfigMember},
        {"DisassociateAcceleratorTypes", "AcceleratorTypes"},
        {"DisassociateDefaultCodeRepository", "DefaultCodeRepository"},
        {"DisassociateAdditionalCodeRepositories", "AdditionalCodeRepositories"}}) {
    if (aws::BoolField(in, flag).value_or(false)) r->body.erase(member);
  }
  r->body.erase("FailureReason");  // it ends Stopped
  Begin(h, *r, "Updating");
  h.Touch(*r);
  return json::value(json::object());
}

Result<json::value, AwsError> DeleteNotebookInstance(HandlerContext& h) {
  Resource* r = h.FindMutable(kKind, NameOf(h.input()));
  if (r == nullptr) return NotFound();
  if (auto error = CheckTransition(*r, {"Stopped", "Failed"}, "Deleting")) return *error;
  Begin(h, *r, "Deleting");
  h.Touch(*r);
  return json::value(json::object());
}

Result<json::value, AwsError> CreatePresignedNotebookInstanceUrl(HandlerContext& h) {
  const Resource* r = h.Find(kKind, NameOf(h.input()));
  if (r == nullptr) return NotFound();
  // An opaque token: nothing here checks it (Jupyter is not served), so it only has to look the
  // part and differ between calls.
  SystemRandom random;
  std::string token =
      random.FromAlphabet(64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
  return json::value(json::object{
      {"AuthorizedUrl", "https://" + Host(r->name, h.region()) + "?authToken=" + token}});
}

void Advance(TransitionContext& tc, Resource& r) {
  if (r.status == "Deleting") {
    tc.erase = true;
    return;
  }
  if (r.status == "Pending") {
    auto config = BodyString(r, kConfigMember);
    if (config && tc.Find(kConfigKind, *config) == nullptr) {
      r.body["FailureReason"] = "Notebook Instance Lifecycle Config '" +
                                tc.Arn(kConfigKind, *config) + "' for Notebook Instance '" + r.arn +
                                "' does not exist.";
      SetStatus(r, "Failed", tc.now);
      return;
    }
    SetStatus(r, "InService", tc.now);
    return;
  }
  if (r.status == "Stopping" || r.status == "Updating") SetStatus(r, "Stopped", tc.now);
}

}  // namespace

void RegisterNotebookInstanceHandlers(HandlerTable& handlers, LifecycleTable& lifecycles) {
  handlers["CreateNotebookInstance"] = CreateNotebookInstance;
  handlers["DescribeNotebookInstance"] = DescribeNotebookInstance;
  handlers["ListNotebookInstances"] = ListNotebookInstances;
  handlers["StartNotebookInstance"] = StartNotebookInstance;
  handlers["StopNotebookInstance"] = StopNotebookInstance;
  handlers["UpdateNotebookInstance"] = UpdateNotebookInstance;
  handlers["DeleteNotebookInstance"] = DeleteNotebookInstance;
  handlers["CreatePresignedNotebookInstanceUrl"] = CreatePresignedNotebookInstanceUrl;
  lifecycles[kKind] = Advance;
}

}  // namespace sagetrail::sagemaker
