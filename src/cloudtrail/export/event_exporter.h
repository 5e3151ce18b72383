// EventExporter: "Download events" for Event history: writes the records matching a time range
// and at most one lookup attribute as JSON ({"Records":[...]}) or as CSV with the Event history
// columns. Reads the store directly, so it works whether or not the server is running.
#pragma once

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// The filters of an export as typed on the command line, before they are checked.
struct ExportFilters {
  std::string start;                    // ISO 8601 or epoch seconds; empty: no lower bound
  std::string end;                      // likewise; empty: no upper bound
  std::vector<std::string> attributes;  // "Key=Value" each (Event history takes at most one)
  std::string account_id;               // empty: every account
  std::string region;                   // empty: every region
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

  // Checks `filters` and sets them in `options`. A filter that no event could match is refused
  // rather than answered with an empty export: the lookup attributes and the time range are
  // checked as LookupEvents checks its input, and refused with the same exception and text
  // ("InvalidTimeRangeException: Start time must be before end time."); an unreadable time, an
  // account id that is not 12 digits, or a region `known_region` does not know (when given) gets
  // a message of its own. As in LookupEvents, a start after `now` without an end is an invalid
  // range. Returns the message, or nullopt when every filter is valid.
  static std::optional<std::string> ApplyFilters(
      const ExportFilters& filters, const std::function<bool(std::string_view)>& known_region,
      TimePoint now, ExportOptions* options);
  // ISO 8601 (as LookupEvents takes it) or epoch seconds with an optional fraction.
  static std::optional<TimePoint> ParseTime(std::string_view text);
  static const char* CsvHeader();

 private:
  EventStore& store_;
};

}  // namespace sagetrail::cloudtrail
