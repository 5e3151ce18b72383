#include "cloudtrail/store/rocks_event_store.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "cloudtrail/store/record_codec.h"
#include "common/coding.h"
#include "common/time_format.h"

namespace sagetrail::cloudtrail {
namespace {

constexpr std::string_view kSecretKey = "events/secret";
// The sequence number and time appends continue from once retention has dropped every record
// (the records family then says nothing): seq numbers are never reused, since index keys of
// dropped events stay until compaction drops them.
constexpr std::string_view kResumeKey = "events/resume";
constexpr size_t kSecretBytes = 32;
constexpr size_t kKeyTail = 16;  // time, seq (big-endian)
// The events of one index block span at most this much time, so a lookup that ends at T finds
// every event up to T by starting at the blocks whose newest event is at most T + this.
constexpr int64_t kMaxBlockSpanMs = 100;

std::string SeqKey(uint64_t seq) {
  std::string k;
  PutBigEndian64(&k, seq);
  return k;
}

// account | region | attribute | value: the part of an index key a lookup seeks within.
std::string IndexPrefix(std::string_view account, std::string_view region,
                        LookupAttribute attribute, std::string_view value) {
  std::string k;
  k.reserve(account.size() + region.size() + value.size() + 8 + kKeyTail);
  PutLengthPrefixed(&k, account);
  PutLengthPrefixed(&k, region);
  k.push_back(static_cast<char>(attribute));
  PutLengthPrefixed(&k, value);
  return k;
}

// Ascending: a value's keys are written in key order, each after the previous one, which the
// memtable's insert hints make cheap (see IndexRunPrefix); lookups walk them backwards.
void AppendTail(std::string* k, int64_t time_ms, uint64_t seq) {
  PutBigEndian64(k, static_cast<uint64_t>(std::max<int64_t>(0, time_ms)));
  PutBigEndian64(k, seq);
}

int64_t TailTime(std::string_view key) {
  return static_cast<int64_t>(DecodeBigEndian64(key.substr(key.size() - kKeyTail, 8)));
}
uint64_t TailSeq(std::string_view key) { return DecodeBigEndian64(key.substr(key.size() - 8, 8)); }

// Every (attribute, value) Event history finds a management event by, once each.
std::set<std::pair<LookupAttribute, std::string>> Lookups(const EventRecord& r) {
  std::set<std::pair<LookupAttribute, std::string>> out;
  out.emplace(LookupAttribute::kNone, "");
  out.emplace(LookupAttribute::kEventId, r.event_id);
  out.emplace(LookupAttribute::kEventName, r.event_name);
  out.emplace(LookupAttribute::kReadOnly, r.read_only ? "true" : "false");
  out.emplace(LookupAttribute::kEventSource, r.event_source);
  if (!r.username.empty()) out.emplace(LookupAttribute::kUsername, r.username);
  if (!r.access_key_id.empty()) out.emplace(LookupAttribute::kAccessKeyId, r.access_key_id);
  for (const ResourceRef& ref : r.resources) {
    if (!ref.type.empty()) out.emplace(LookupAttribute::kResourceType, ref.type);
    if (!ref.name.empty()) out.emplace(LookupAttribute::kResourceName, ref.name);
    if (!ref.arn.empty()) out.emplace(LookupAttribute::kResourceName, ref.arn);
  }
  return out;
}

}  // namespace

bool IndexRetention::Expired(std::string_view key) const {
  if (key.size() < kKeyTail) return false;
  return TailTime(key) < cutoff_ms.load(std::memory_order_relaxed);
}

std::optional<size_t> RocksEventStore::IndexRunPrefix(std::string_view key) {
  std::string_view rest = key, part;
  if (!GetLengthPrefixed(&rest, &part) || !GetLengthPrefixed(&rest, &part) || rest.empty()) {
    return std::nullopt;
  }
  if (static_cast<LookupAttribute>(rest[0]) == LookupAttribute::kEventId) return std::nullopt;
  if (key.size() < kKeyTail) return std::nullopt;
  return key.size() - kKeyTail;
}

bool RocksEventStore::DecodeIndexBlock(std::string_view key, std::string_view value,
                                       std::vector<std::pair<int64_t, uint64_t>>* events) {
  if (key.size() < kKeyTail) return false;
  const int64_t t = TailTime(key);
  const uint64_t seq = TailSeq(key);
  events->emplace_back(t, seq);
  while (!value.empty()) {
    uint64_t dt = 0, ds = 0;
    if (!GetVarint(&value, &dt) || !GetVarint(&value, &ds)) return false;
    events->emplace_back(t - static_cast<int64_t>(dt), seq - ds);
  }
  return true;
}

Result<std::unique_ptr<RocksEventStore>> RocksEventStore::Open(
    store::Database& db, Random& random, std::shared_ptr<IndexRetention> retention) {
  auto store = std::unique_ptr<RocksEventStore>(new RocksEventStore(db, std::move(retention)));
  Status s = store->Load(random);
  if (!s.ok()) return s;
  return store;
}

Status RocksEventStore::Load(Random& random) {
  auto secret = db_.Get(store::Family::kMeta, kSecretKey);
  if (!secret.ok()) return secret.error();
  if (*secret && (*secret)->size() == kSecretBytes) {
    secret_ = **secret;
  } else if (db_.read_only()) {
    // A store the server never wrote to: paging tokens are not needed to export it.
    secret_.assign(kSecretBytes, '\0');
  } else {
    secret_.resize(kSecretBytes);
    random.Fill(reinterpret_cast<uint8_t*>(secret_.data()), secret_.size());
    store::WriteBatch batch = db_.NewBatch();
    batch.Put(store::Family::kMeta, kSecretKey, secret_);
    Status s = db_.Write(batch);
    if (!s.ok()) return s;
  }
  // Where appends continue: after the last record (or the last one retention dropped), never
  // earlier in time.
  auto resume = db_.Get(store::Family::kMeta, kResumeKey);
  if (!resume.ok()) return resume.error();
  if (*resume && (*resume)->size() == 16) {
    next_seq_ = std::max(next_seq_, DecodeBigEndian64((*resume)->substr(0, 8)));
    last_time_ms_ = std::max<int64_t>(
        last_time_ms_, static_cast<int64_t>(DecodeBigEndian64((*resume)->substr(8, 8))));
  }
  store::Cursor c = db_.NewCursor(store::Family::kRecords);
  c.SeekToLast();
  if (c.Valid()) {
    next_seq_ = std::max(next_seq_, DecodeBigEndian64(c.key()) + 1);
    last_time_ms_ = std::max<int64_t>(last_time_ms_, EncodedRecordTimeMs(c.value()));
  }
  return c.status();
}

Status RocksEventStore::Commit(std::vector<EventRecord>& records,
                               const store::Mutations& mutations) {
  if (records.empty() && mutations.empty()) return Status::Ok();
  store::WriteBatch batch = db_.NewBatch();
  uint64_t seq = next_seq_;
  int64_t last_time = last_time_ms_;
  std::string value;
  // The index entries of this commit, by key prefix, oldest first: each prefix's entries become
  // as few keys as the block span allows.
  std::unordered_map<std::string, std::vector<std::pair<int64_t, uint64_t>>> postings;
  for (EventRecord& r : records) {
    r.seq = seq++;
    // Monotonic times: seq order is time order, which the index and paging rely on. A record
    // whose time moves into a later second gets its eventTime text rewritten to match.
    int64_t t = ToUnixMillis(r.event_time);
    if (t < last_time) {
      std::string before = FormatIso8601(r.event_time);
      r.event_time = FromUnixMillis(last_time);
      std::string after = FormatIso8601(r.event_time);
      if (before != after) {
        std::string needle = "\"eventTime\":\"" + before + "\"";
        size_t pos = r.body.find(needle);
        if (pos != std::string::npos) r.body.replace(pos + 13, before.size(), after);
      }
      t = last_time;
    }
    last_time = t;
    value.clear();
    EncodeRecord(r, &value);
    batch.Put(store::Family::kRecords, SeqKey(r.seq), value);
    if (!r.management) continue;  // data events are not in Event history
    for (const auto& [attribute, v] : Lookups(r)) {
      postings[IndexPrefix(r.account_id, r.region, attribute, v)].emplace_back(t, r.seq);
    }
  }
  std::string key;
  for (auto& [prefix, entries] : postings) {
    // Blocks of entries within kMaxBlockSpanMs of their oldest; each keyed by its newest entry,
    // the others in its value, newest first, as deltas from it.
    size_t first = 0;
    while (first < entries.size()) {
      size_t last = first;
      while (last + 1 < entries.size() &&
             entries[last + 1].first - entries[first].first <= kMaxBlockSpanMs) {
        ++last;
      }
      const auto [newest_t, newest_seq] = entries[last];
      key = prefix;
      AppendTail(&key, newest_t, newest_seq);
      value.clear();
      for (size_t i = last; i-- > first;) {
        PutVarint(&value, static_cast<uint64_t>(newest_t - entries[i].first));
        PutVarint(&value, newest_seq - entries[i].second);
      }
      batch.Put(store::Family::kIndex, key, value);
      first = last + 1;
    }
  }
  for (const store::Mutation& m : mutations) {
    if (m.value) {
      batch.Put(store::Family::kState, m.key, *m.value);
    } else {
      batch.Delete(store::Family::kState, m.key);
    }
  }
  Status s = db_.Write(batch);
  if (!s.ok()) {
    for (EventRecord& r : records) r.seq = 0;
    return s;
  }
  next_seq_ = seq;
  last_time_ms_ = last_time;
  return Status::Ok();
}

Result<LookupPage> RocksEventStore::Lookup(const LookupQuery& q) {
  LookupPage page;
  const int64_t start = ToUnixMillis(q.start), end = ToUnixMillis(q.end);
  if (end < start || q.max_results == 0) return page;
  const std::string prefix = IndexPrefix(q.account_id, q.region, q.attribute, q.value);
  // Blocks come newest first, and their entries too, so the entries in key order are newest
  // first throughout (blocks hold disjoint runs of seqs). A block holding an event at or before
  // `end` (or older than the last one returned) has its newest event at most a block span later.
  int64_t newest = end;
  if (q.after) newest = std::min(newest, q.after->first);
  std::string seek = prefix;
  AppendTail(&seek, newest > INT64_MAX - kMaxBlockSpanMs ? INT64_MAX : newest + kMaxBlockSpanMs,
             UINT64_MAX);
  std::vector<std::pair<uint64_t, int64_t>> seqs;  // (seq, event time) as the index has them
  store::Cursor c = db_.NewCursor(store::Family::kIndex);
  bool done = false;
  for (c.SeekForPrev(seek); c.Valid() && !done; c.Prev()) {
    std::string_view key = c.key();
    if (!key.starts_with(prefix) || key.size() != prefix.size() + kKeyTail) break;
    const int64_t block_t = TailTime(key);
    const uint64_t block_seq = TailSeq(key);
    if (block_t < start) break;
    std::string_view rest = c.value();
    int64_t t = block_t;
    uint64_t seq = block_seq;
    while (true) {
      if (t < start) {
        done = true;
        break;
      }
      const bool after_ok = !q.after || seq < q.after->second;
      if (t <= end && after_ok) {
        if (seqs.size() == q.max_results) {
          page.more = true;
          done = true;
          break;
        }
        seqs.emplace_back(seq, t);
      }
      if (rest.empty()) break;
      uint64_t dt = 0, ds = 0;
      if (!GetVarint(&rest, &dt) || !GetVarint(&rest, &ds)) {
        return Status::Corruption("an Event history index block cannot be decoded");
      }
      t = block_t - static_cast<int64_t>(dt);
      seq = block_seq - ds;
    }
  }
  if (Status s = c.status(); !s.ok()) return s;
  page.events.reserve(seqs.size());
  std::vector<std::string> keys;
  keys.reserve(seqs.size());
  for (const auto& entry : seqs) keys.push_back(SeqKey(entry.first));
  auto values = db_.MultiGet(store::Family::kRecords, keys);
  if (!values.ok()) return values.error();
  for (size_t i = 0; i < seqs.size(); ++i) {
    const std::optional<std::string>& value = (*values)[i];
    if (!value) continue;  // dropped by retention; its index key goes at the next compaction
    // Never another event under a dropped one's number (seqs are not reused; belt and braces).
    if (EncodedRecordTimeMs(*value) != seqs[i].second) continue;
    EventRecord r;
    if (!DecodeRecord(*value, &r)) {
      return Status::Corruption("event " + std::to_string(seqs[i].first) + " cannot be decoded");
    }
    page.events.push_back(std::move(r));
  }
  return page;
}

Result<std::vector<EventRecord>> RocksEventStore::ReadAfter(uint64_t after_seq, size_t limit) {
  std::vector<EventRecord> out;
  store::Cursor c = db_.NewCursor(store::Family::kRecords);
  for (c.Seek(SeqKey(after_seq + 1)); c.Valid() && out.size() < limit; c.Next()) {
    EventRecord r;
    if (!DecodeRecord(c.value(), &r)) {
      return Status::Corruption("event " + std::to_string(DecodeBigEndian64(c.key())) +
                                " cannot be decoded");
    }
    out.push_back(std::move(r));
  }
  if (Status s = c.status(); !s.ok()) return s;
  return out;
}

Result<std::pair<uint64_t, uint64_t>> RocksEventStore::SeqRange() {
  store::Cursor c = db_.NewCursor(store::Family::kRecords);
  c.SeekToFirst();
  if (!c.Valid()) {
    if (Status s = c.status(); !s.ok()) return s;
    return std::make_pair(uint64_t{0}, uint64_t{0});
  }
  uint64_t first = DecodeBigEndian64(c.key());
  c.SeekToLast();
  if (!c.Valid()) return c.status().ok() ? Status::Internal("records vanished") : c.status();
  return std::make_pair(first, DecodeBigEndian64(c.key()));
}

Result<size_t> RocksEventStore::DeleteOlderThan(TimePoint cutoff, size_t limit) {
  const int64_t cutoff_ms = ToUnixMillis(cutoff);
  if (retention_) {
    int64_t cur = retention_->cutoff_ms.load(std::memory_order_relaxed);
    if (cutoff_ms > cur) retention_->cutoff_ms.store(cutoff_ms, std::memory_order_relaxed);
  }
  // Records are in time order: drop the leading run older than the cutoff, at most `limit`.
  store::Cursor c = db_.NewCursor(store::Family::kRecords);
  size_t n = 0;
  uint64_t first = 0, end = 0;
  int64_t last_dropped_ms = 0;
  for (c.SeekToFirst(); c.Valid() && n < limit; c.Next()) {
    int64_t t = EncodedRecordTimeMs(c.value());
    if (t >= cutoff_ms) break;
    uint64_t seq = DecodeBigEndian64(c.key());
    if (n == 0) first = seq;
    end = seq + 1;
    last_dropped_ms = std::max(last_dropped_ms, t);
    ++n;
  }
  if (Status s = c.status(); !s.ok()) return s;
  if (n == 0) return size_t{0};
  store::WriteBatch batch = db_.NewBatch();
  batch.DeleteRange(store::Family::kRecords, SeqKey(first), SeqKey(end));
  // In case these were the last records: where appends continue after a restart.
  std::string resume;
  PutBigEndian64(&resume, end);
  PutBigEndian64(&resume, static_cast<uint64_t>(std::max<int64_t>(0, last_dropped_ms)));
  batch.Put(store::Family::kMeta, kResumeKey, resume);
  Status s = db_.Write(batch);
  if (!s.ok()) return s;
  return n;
}

}  // namespace sagetrail::cloudtrail
