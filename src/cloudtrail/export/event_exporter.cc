#include "cloudtrail/export/event_exporter.h"

#include <boost/json.hpp>

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
