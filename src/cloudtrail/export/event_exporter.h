// EventExporter: "Download events" for Event history: writes the records matching a time range
// and at most one lookup attribute as JSON ({"Records":[...]}) or as CSV with the Event history
// columns. Reads the store directly, so it works whether or not the server is running.
#pragma once

#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include "cloudtrail/store/event_store.h"
#include "common/result.h"

namespace sagetrail::cloudtrail {

enum class ExportFormat { kJson, kCsv };

struct ExportOptions {
  std::optional<TimePoint> start;  // inclusive
  std::optional<TimePoint> end;    // inclusive
  LookupAttribute attribute = LookupAttribute::kNone;
  std::string value;
  std::string account_id;  // empty: every account
  std::string region;      // empty: every region
  bool include_data_events = false;
  ExportFormat format = ExportFormat::kJson;
};

class EventExporter {
 public:
  // `progress(done, total)` is called now and then (total = records scanned in all).
  using Progress = std::function<void(uint64_t done, uint64_t total)>;

  explicit EventExporter(EventStore& store) : store_(store) {}

  // Writes to `out`; returns the number of records written.
  Result<uint64_t> Export(const ExportOptions& options, std::FILE* out,
                          const Progress& progress = nullptr);

  // Parses "EventName=CreateModel" style filters.
  static std::optional<std::pair<LookupAttribute, std::string>> ParseAttribute(
      const std::string& text);
  static const char* CsvHeader();

 private:
  EventStore& store_;
};

}  // namespace sagetrail::cloudtrail
