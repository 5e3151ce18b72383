#include "cloudtrail/export/event_exporter.h"

#include <boost/json.hpp>
#include <cmath>
#include <cstdlib>
#include <tuple>

#include "cloudtrail/lookup/lookup_events.h"
#include "common/strings.h"
#include "common/time_format.h"

namespace sagetrail::cloudtrail {
namespace json = boost::json;

namespace {

bool MatchesAttribute(const EventRecord& r, LookupAttribute a, const std::string& v) {
  switch (a) {
    case LookupAttribute::kNone:
      return true;
    case LookupAttribute::kEventId:
      return r.event_id == v;
    case LookupAttribute::kEventName:
      return r.event_name == v;
    case LookupAttribute::kReadOnly:
      return (r.read_only ? "true" : "false") == AsciiLower(v);
    case LookupAttribute::kUsername:
      return r.username == v;
    case LookupAttribute::kEventSource:
      return r.event_source == v;
    case LookupAttribute::kAccessKeyId:
      return r.access_key_id == v;
    case LookupAttribute::kResourceType:
      for (const auto& res : r.resources) {
        if (res.type == v) return true;
      }
      return false;
    case LookupAttribute::kResourceName:
      for (const auto& res : r.resources) {
        if (res.name == v || res.arn == v) return true;
      }
      return false;
  }
  return false;
}

void AppendCsvField(std::string_view value, std::string* out) {
  bool quote = value.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out->append(value);
    return;
  }
  out->push_back('"');
  for (char c : value) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

std::string CsvRow(const EventRecord& r) {
  std::string error_code, source_ip;
  boost::system::error_code ec;
  json::value body = json::parse(r.body, ec);
  if (!ec && body.is_object()) {
    const json::object& o = body.get_object();
    if (auto it = o.find("errorCode"); it != o.end() && it->value().is_string()) {
      error_code = std::string(it->value().get_string());
    }
    if (auto it = o.find("sourceIPAddress"); it != o.end() && it->value().is_string()) {
      source_ip = std::string(it->value().get_string());
    }
  }
  std::vector<std::string> types, names;
  for (const auto& res : r.resources) {
    types.push_back(res.type);
    names.push_back(res.name);
  }
  std::string line;
  const std::string fields[] = {r.event_name,
                                FormatIso8601(r.event_time),
                                r.username,
                                r.event_source,
                                Join(types, ", "),
                                Join(names, ", "),
                                r.access_key_id,
                                r.region,
                                error_code,
                                r.event_id,
                                r.read_only ? "true" : "false",
                                source_ip};
  bool first = true;
  for (const std::string& f : fields) {
    if (!first) line.push_back(',');
    first = false;
    AppendCsvField(f, &line);
  }
  line += "\r\n";
  return line;
}

}  // namespace

const char* EventExporter::CsvHeader() {
  return "Event name,Event time,User name,Event source,Resource type,Resource name,"
         "AWS access key,AWS region,Error code,Event ID,Read-only,Source IP address\r\n";
}

std::optional<std::pair<LookupAttribute, std::string>> EventExporter::ParseAttribute(
    const std::string& text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos) return std::nullopt;
  auto attribute = ParseLookupAttribute(std::string_view(text).substr(0, eq));
  if (!attribute) return std::nullopt;
  return std::make_pair(*attribute, text.substr(eq + 1));
}

std::optional<TimePoint> EventExporter::ParseTime(std::string_view text) {
  if (auto t = ParseIso8601(text)) return t;
  // Epoch seconds: digits, optionally a fraction; nothing else (no sign, exponent, "nan", ...).
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  auto digits = [](std::string_view v) {
    return v.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (whole.empty() || whole.size() > 12 || !digits(whole) || !digits(fraction) ||
      (dot != std::string_view::npos && fraction.empty())) {
    return std::nullopt;
  }
  double secs = std::strtod(std::string(text).c_str(), nullptr);
  return FromUnixMillis(static_cast<int64_t>(std::llround(secs * 1000.0)));
}

std::optional<std::string> EventExporter::ApplyFilters(
    const ExportFilters& filters, const std::function<bool(std::string_view)>& known_region,
    TimePoint now, ExportOptions* options) {
  json::object lookup;  // the same filters as a LookupEvents input
  for (auto [text, slot, name] : {std::make_tuple(&filters.start, &options->start, "StartTime"),
                                  std::make_tuple(&filters.end, &options->end, "EndTime")}) {
    if (text->empty()) continue;
    *slot = ParseTime(*text);
    if (!*slot) {
      return "not a time: '" + *text +
             "' (use ISO 8601, e.g. 2025-11-22T10:00:00Z, or epoch seconds)";
    }
    lookup[name] = static_cast<double>(ToUnixMillis(**slot)) / 1000.0;
  }
  if (!filters.attributes.empty()) {
    json::array attributes;
    for (const std::string& a : filters.attributes) {
      size_t eq = a.find('=');
      json::object attribute{{"AttributeKey", a.substr(0, eq)}};
      if (eq != std::string::npos) attribute["AttributeValue"] = a.substr(eq + 1);
      attributes.push_back(std::move(attribute));
    }
    lookup["LookupAttributes"] = std::move(attributes);
  }
  if (auto error = LookupEvents::CheckInput(lookup)) return error->code + ": " + error->message;
  if (options->start && !options->end && *options->start > now) {
    return "InvalidTimeRangeException: Start time must be before end time.";
  }
  if (!filters.attributes.empty()) {
    auto attribute = ParseAttribute(filters.attributes.front());
    if (!attribute) return "cannot read the lookup attribute " + filters.attributes.front();
    options->attribute = attribute->first;
    options->value = attribute->second;
  }
  const std::string& account = filters.account_id;
  if (!account.empty() &&
      (account.size() != 12 || account.find_first_not_of("0123456789") != std::string::npos)) {
    return "not an account id: '" + account + "' (an account id is 12 digits)";
  }
  options->account_id = account;
  const std::string& region = filters.region;
  if (!region.empty()) {
    bool known = known_region ? known_region(region)
                              : region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") ==
                                    std::string::npos;
    if (!known) return "not an AWS region: '" + region + "' (sagetrail serves no calls there)";
  }
  options->region = region;
  return std::nullopt;
}

Result<uint64_t> EventExporter::Export(const ExportOptions& o, std::FILE* out,
                                       const Progress& progress) {
  auto range = store_.SeqRange();
  if (!range.ok()) return range.error();
  uint64_t total =
      range->second >= range->first && range->second > 0 ? range->second - range->first + 1 : 0;
  if (o.format == ExportFormat::kJson) {
    std::fputs("{\"Records\":[", out);
  } else {
    std::fputs(CsvHeader(), out);
  }
  uint64_t written = 0;
  uint64_t cursor = range->first > 0 ? range->first - 1 : 0;
  if (progress) progress(0, total);
  while (true) {
    auto batch = store_.ReadAfter(cursor, 2000);
    if (!batch.ok()) return batch.error();
    if (batch->empty()) break;
    for (const EventRecord& r : *batch) {
      cursor = r.seq;
      if (!r.management && !o.include_data_events) continue;
      if (o.start && r.event_time < *o.start) continue;
      if (o.end && r.event_time > *o.end) continue;
      if (!o.account_id.empty() && r.account_id != o.account_id) continue;
      if (!o.region.empty() && r.region != o.region) continue;
      if (!MatchesAttribute(r, o.attribute, o.value)) continue;
      if (o.format == ExportFormat::kJson) {
        std::fputs(written == 0 ? "\n" : ",\n", out);
        std::fwrite(r.body.data(), 1, r.body.size(), out);
      } else {
        std::string row = CsvRow(r);
        std::fwrite(row.data(), 1, row.size(), out);
      }
      ++written;
    }
    if (progress) progress(cursor - (range->first > 0 ? range->first - 1 : 0), total);
  }
  if (o.format == ExportFormat::kJson) std::fputs(written ? "\n]}\n" : "]}\n", out);
  if (std::ferror(out)) return Status::IOError("write failed");
  return written;
}

}  // namespace sagetrail::cloudtrail
