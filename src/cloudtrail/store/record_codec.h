// RecordCodec: an EventRecord as the store keeps it: a version byte, seq, event time, flags, the
// fields Event history indexes, the resources, and the record's JSON. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "cloudtrail/record/event_record.h"

namespace sagetrail::cloudtrail {

// Appends the encoding of `r` to `out`.
void EncodeRecord(const EventRecord& r, std::string* out);
// Decodes what EncodeRecord wrote; false for anything else.
bool DecodeRecord(std::string_view in, EventRecord* r);
// The event time (epoch ms) of an encoded record, without decoding the rest; -1 if malformed.
int64_t EncodedRecordTimeMs(std::string_view in);

}  // namespace sagetrail::cloudtrail
