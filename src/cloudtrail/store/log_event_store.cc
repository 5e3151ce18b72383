#include "cloudtrail/store/log_event_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <boost/unordered/unordered_flat_map.hpp>
#include <cerrno>
#include <cstring>
#include <deque>

#include "common/coding.h"
#include "common/crypto.h"
#include "common/time_format.h"

namespace sagetrail::cloudtrail {
namespace {

constexpr uint8_t kFormatVersion = 1;
constexpr uint32_t kMaxRecordBytes = 64u << 20;
constexpr size_t kFrameBytes = 8;
constexpr uint64_t kSparseEvery = 128;  // one (seq, offset) entry per this many records
constexpr uint8_t kFlagReadOnly = 1;
constexpr uint8_t kFlagManagement = 2;

std::string ErrnoText(const std::string& what) { return what + ": " + std::strerror(errno); }

uint32_t Crc(std::string_view data) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

std::string SegmentName(uint64_t first_seq) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu.log", static_cast<unsigned long long>(first_seq));
  return buf;
}

// Appends the framed record to `dst`; returns the frame's length.
uint32_t EncodeRecord(const EventRecord& r, std::string* dst) {
  std::string payload;
  payload.reserve(r.body.size() + 256);
  payload.push_back(static_cast<char>(kFormatVersion));
  PutFixed64(&payload, r.seq);
  PutFixed64(&payload, static_cast<uint64_t>(ToUnixMillis(r.event_time)));
  payload.push_back(
      static_cast<char>((r.read_only ? kFlagReadOnly : 0) | (r.management ? kFlagManagement : 0)));
  for (const std::string* s : {&r.account_id, &r.region, &r.event_id, &r.event_name,
                               &r.event_source, &r.username, &r.access_key_id}) {
    PutLengthPrefixed(&payload, *s);
  }
  PutVarint(&payload, r.resources.size());
  for (const ResourceRef& ref : r.resources) {
    PutLengthPrefixed(&payload, ref.type);
    PutLengthPrefixed(&payload, ref.name);
    PutLengthPrefixed(&payload, ref.arn);
  }
  PutLengthPrefixed(&payload, r.body);
  PutFixed32(dst, static_cast<uint32_t>(payload.size()));
  PutFixed32(dst, Crc(payload));
  dst->append(payload);
  return static_cast<uint32_t>(kFrameBytes + payload.size());
}

bool DecodePayload(std::string_view in, EventRecord* r) {
  if (in.empty() || static_cast<uint8_t>(in[0]) != kFormatVersion) return false;
  in.remove_prefix(1);
  uint64_t seq = 0, time = 0;
  if (!GetFixed64(&in, &seq) || !GetFixed64(&in, &time) || in.empty()) return false;
  uint8_t flags = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  r->seq = seq;
  r->event_time = FromUnixMillis(static_cast<int64_t>(time));
  r->read_only = flags & kFlagReadOnly;
  r->management = flags & kFlagManagement;
  std::string_view s;
  for (std::string* f : {&r->account_id, &r->region, &r->event_id, &r->event_name, &r->event_source,
                         &r->username, &r->access_key_id}) {
    if (!GetLengthPrefixed(&in, &s)) return false;
    f->assign(s);
  }
  uint64_t n = 0;
  if (!GetVarint(&in, &n) || n > 1000) return false;
  r->resources.resize(n);
  for (ResourceRef& ref : r->resources) {
    for (std::string* f : {&ref.type, &ref.name, &ref.arn}) {
      if (!GetLengthPrefixed(&in, &s)) return false;
      f->assign(s);
    }
  }
  if (!GetLengthPrefixed(&in, &s)) return false;
  r->body.assign(s);
  return true;
}

// Parses the frame at the start of `in`: how long it is, and whether it is whole and intact.
enum class Frame { kOk, kIncomplete, kCorrupt };
Frame CheckFrame(std::string_view in, uint32_t* frame_len) {
  if (in.size() < kFrameBytes) return Frame::kIncomplete;
  uint32_t len = 0, crc = 0;
  std::string_view p = in;
  GetFixed32(&p, &len);
  GetFixed32(&p, &crc);
  if (len == 0 || len > kMaxRecordBytes) return Frame::kCorrupt;
  if (p.size() < len) return Frame::kIncomplete;
  if (Crc(p.substr(0, len)) != crc) return Frame::kCorrupt;
  *frame_len = static_cast<uint32_t>(kFrameBytes + len);
  return Frame::kOk;
}

bool ReadFully(int fd, uint64_t offset, size_t n, std::string* out) {
  out->resize(n);
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, out->data() + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      out->resize(done);
      return false;
    }
    done += static_cast<size_t>(r);
  }
  return true;
}

bool WriteFully(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t w = ::write(fd, data.data(), data.size());
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data.remove_prefix(static_cast<size_t>(w));
  }
  return true;
}

void SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// The 16 bytes of a UUID's hex digits (dashes ignored); other text hashes to 16 bytes.
std::array<uint8_t, 16> IdKey(std::string_view id) {
  std::array<uint8_t, 16> key{};
  size_t n = 0;
  for (char c : id) {
    if (c == '-') continue;
    int v = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (v < 0 || n >= 32) {
      Sha256Digest d = Sha256(id);
      std::memcpy(key.data(), d.data(), 16);
      return key;
    }
    key[n / 2] = static_cast<uint8_t>(key[n / 2] | (n % 2 == 0 ? v << 4 : v));
    ++n;
  }
  return key;
}

struct IdKeyHash {
  size_t operator()(const std::array<uint8_t, 16>& k) const {
    uint64_t a, b;
    std::memcpy(&a, k.data(), 8);
    std::memcpy(&b, k.data() + 8, 8);
    return static_cast<size_t>(a ^ (b * 0x9e3779b97f4a7c15ULL));
  }
};

}  // namespace

struct LogEventStore::Segment {
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;  // 0 while empty
  int64_t max_time_ms = 0;
  std::string path;
  int fd = -1;
  std::atomic<uint64_t> size{0};                      // committed bytes
  std::vector<std::pair<uint64_t, uint64_t>> sparse;  // (seq, offset); guarded by mu_
  uint64_t records = 0;
  ~Segment() {
    if (fd >= 0) ::close(fd);
  }
};

// Where one management event is, and what a lookup needs without reading it.
struct LogEventStore::Meta {
  uint64_t seq;
  int64_t time_ms;
  Segment* segment;
  uint32_t offset;
  uint32_t length;
  bool read_only;
};

// One account and region's Event history: events in seq (= time) order, addressed by ordinal
// (base + position), and posting lists of ordinals per attribute value.
struct LogEventStore::Partition {
  std::deque<Meta> events;
  uint64_t base = 0;
  using Postings = std::unordered_map<std::string, std::vector<uint64_t>>;
  Postings by_name, by_source, by_user, by_key, by_type, by_resource;
  std::vector<uint64_t> by_read_only[2];

  const Meta* At(uint64_t ordinal) const {
    if (ordinal < base || ordinal - base >= events.size()) return nullptr;
    return &events[ordinal - base];
  }

  static void Add(Postings& p, const std::string& value, uint64_t ordinal) {
    if (value.empty()) return;
    auto& list = p[value];
    if (list.empty() || list.back() != ordinal) list.push_back(ordinal);
  }

  // Drops events below `new_base` and every posting that points at them.
  void PruneBelow(uint64_t new_base) {
    while (base < new_base && !events.empty()) {
      events.pop_front();
      ++base;
    }
    auto prune = [new_base](std::vector<uint64_t>& list) {
      list.erase(list.begin(), std::lower_bound(list.begin(), list.end(), new_base));
    };
    for (Postings* p : {&by_name, &by_source, &by_user, &by_key, &by_type, &by_resource}) {
      for (auto it = p->begin(); it != p->end();) {
        prune(it->second);
        it = it->second.empty() ? p->erase(it) : std::next(it);
      }
    }
    prune(by_read_only[0]);
    prune(by_read_only[1]);
  }
};

class LogEventStore::Index {
 public:
  void Add(const EventRecord& r, Segment* seg, uint32_t offset, uint32_t length) {
    if (!r.management) return;
    Partition& p = partitions_[{r.account_id, r.region}];
    uint64_t ordinal = p.base + p.events.size();
    p.events.push_back({r.seq, ToUnixMillis(r.event_time), seg, offset, length, r.read_only});
    Partition::Add(p.by_name, r.event_name, ordinal);
    Partition::Add(p.by_source, r.event_source, ordinal);
    Partition::Add(p.by_user, r.username, ordinal);
    Partition::Add(p.by_key, r.access_key_id, ordinal);
    p.by_read_only[r.read_only ? 1 : 0].push_back(ordinal);
    for (const ResourceRef& ref : r.resources) {
      Partition::Add(p.by_type, ref.type, ordinal);
      Partition::Add(p.by_resource, ref.name, ordinal);
      Partition::Add(p.by_resource, ref.arn, ordinal);
    }
    ids_[IdKey(r.event_id)] = r.seq;
    ++count_;
  }

  const Partition* Find(const std::string& account_id, const std::string& region) const {
    auto it = partitions_.find({account_id, region});
    return it == partitions_.end() ? nullptr : &it->second;
  }

  std::optional<uint64_t> SeqOfId(std::string_view id) const {
    auto it = ids_.find(IdKey(id));
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }

  // Forgets every event stored in segments that precede `first_kept_seq`.
  size_t PruneBefore(uint64_t first_kept_seq) {
    size_t dropped = 0;
    for (auto& [key, p] : partitions_) {
      uint64_t new_base = p.base;
      for (const Meta& m : p.events) {
        if (m.seq >= first_kept_seq) break;
        ++new_base;
      }
      dropped += new_base - p.base;
      p.PruneBelow(new_base);
    }
    boost::unordered::erase_if(
        ids_, [first_kept_seq](const auto& kv) { return kv.second < first_kept_seq; });
    count_ -= dropped;
    return dropped;
  }

  size_t count() const { return count_; }

 private:
  std::map<std::pair<std::string, std::string>, Partition> partitions_;
  boost::unordered_flat_map<std::array<uint8_t, 16>, uint64_t, IdKeyHash> ids_;
  size_t count_ = 0;
};

LogEventStore::LogEventStore(std::string dir, LogStoreOptions options)
    : dir_(std::move(dir)), options_(options), index_(std::make_unique<Index>()) {}

LogEventStore::~LogEventStore() {
  if (!options_.read_only) {
    for (auto& [first, seg] : segments_) {
      if (seg->fd >= 0 && options_.durability == Durability::kFull) ::fdatasync(seg->fd);
    }
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<std::unique_ptr<LogEventStore>> LogEventStore::Open(const std::string& dir,
                                                           const LogStoreOptions& options,
                                                           Random& random) {
  auto store = std::unique_ptr<LogEventStore>(new LogEventStore(dir, options));
  if (!options.read_only) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::IOError(ErrnoText("cannot create " + dir));
    }
    store->lock_fd_ = ::open((dir + "/LOCK").c_str(), O_RDWR | O_CREAT, 0600);
    if (store->lock_fd_ < 0) return Status::IOError(ErrnoText("cannot open " + dir + "/LOCK"));
    if (::flock(store->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      return Status::Unavailable("another sagetrail process is using " + dir);
    }
  }
  Status s = store->Recover(random);
  if (!s.ok()) return s;
  return store;
}

Status LogEventStore::Recover(Random& random) {
  // The paging-token secret.
  std::string secret_path = dir_ + "/secret";
  int fd = ::open(secret_path.c_str(), O_RDONLY);
  if (fd >= 0) {
    std::string data;
    ReadFully(fd, 0, 32, &data);
    ::close(fd);
    secret_ = data;
  }
  if (secret_.size() != 32) {
    if (options_.read_only) {
      secret_.assign(32, '\0');
    } else {
      secret_.resize(32);
      random.Fill(reinterpret_cast<uint8_t*>(secret_.data()), secret_.size());
      std::string tmp = secret_path + ".tmp";
      int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (out < 0) return Status::IOError(ErrnoText("cannot write " + tmp));
      bool ok = WriteFully(out, secret_) && ::fsync(out) == 0;
      ::close(out);
      if (!ok || ::rename(tmp.c_str(), secret_path.c_str()) != 0) {
        return Status::IOError(ErrnoText("cannot write " + secret_path));
      }
    }
  }

  // Segments in seq order.
  std::vector<uint64_t> firsts;
  if (DIR* d = ::opendir(dir_.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name.size() == 24 && name.substr(20) == ".log" &&
          name.find_first_not_of("0123456789") == 20) {
        firsts.push_back(std::stoull(name.substr(0, 20)));
      }
    }
    ::closedir(d);
  } else if (!options_.read_only) {
    return Status::IOError(ErrnoText("cannot list " + dir_));
  }
  std::sort(firsts.begin(), firsts.end());
  for (size_t i = 0; i < firsts.size(); ++i) {
    auto seg = std::make_shared<Segment>();
    seg->first_seq = firsts[i];
    seg->path = dir_ + "/" + SegmentName(firsts[i]);
    seg->fd = ::open(seg->path.c_str(), options_.read_only ? O_RDONLY : O_RDWR | O_APPEND);
    if (seg->fd < 0) return Status::IOError(ErrnoText("cannot open " + seg->path));
    Status s = RecoverSegment(seg, i + 1 == firsts.size());
    if (!s.ok()) return s;
    segments_[seg->first_seq] = seg;
  }
  if (!options_.read_only && segments_.empty()) return OpenNewSegment(next_seq_);
  return Status::Ok();
}

Status LogEventStore::RecoverSegment(const std::shared_ptr<Segment>& seg, bool last) {
  struct stat st;
  if (::fstat(seg->fd, &st) != 0) return Status::IOError(ErrnoText("cannot stat " + seg->path));
  // A segment is at most a few tens of MB: read it whole (the buffer is freed right after).
  std::string data;
  ReadFully(seg->fd, 0, static_cast<size_t>(st.st_size), &data);
  std::string_view view(data);
  uint64_t offset = 0;
  while (offset < data.size()) {
    uint32_t frame_len = 0;
    if (CheckFrame(view.substr(offset), &frame_len) != Frame::kOk) break;
    EventRecord r;
    if (!DecodePayload(view.substr(offset + kFrameBytes, frame_len - kFrameBytes), &r)) break;
    if (seg->records % kSparseEvery == 0) seg->sparse.emplace_back(r.seq, offset);
    ++seg->records;
    seg->last_seq = r.seq;
    seg->max_time_ms = std::max(seg->max_time_ms, ToUnixMillis(r.event_time));
    index_->Add(r, seg.get(), static_cast<uint32_t>(offset), frame_len);
    next_seq_ = std::max(next_seq_, r.seq + 1);
    last_time_ms_ = std::max(last_time_ms_, ToUnixMillis(r.event_time));
    offset += frame_len;
  }
  if (offset < data.size()) {
    if (!last) {
      return Status::Corruption("event log segment " + seg->path + " is damaged at byte " +
                                std::to_string(offset));
    }
    // A torn tail from a crash mid-write: never acknowledged, so it is cut off.
    if (!options_.read_only && ::ftruncate(seg->fd, static_cast<off_t>(offset)) != 0) {
      return Status::IOError(ErrnoText("cannot truncate " + seg->path));
    }
  }
  seg->size = offset;
  return Status::Ok();
}

Status LogEventStore::OpenNewSegment(uint64_t first_seq) {
  auto seg = std::make_shared<Segment>();
  seg->first_seq = first_seq;
  seg->path = dir_ + "/" + SegmentName(first_seq);
  seg->fd = ::open(seg->path.c_str(), O_RDWR | O_CREAT | O_APPEND, 0600);
  if (seg->fd < 0) return Status::IOError(ErrnoText("cannot create " + seg->path));
  if (options_.durability == Durability::kFull) SyncDirectory(dir_);
  std::unique_lock lock(mu_);
  segments_[first_seq] = seg;
  return Status::Ok();
}

Status LogEventStore::Append(std::vector<EventRecord>& batch) {
  if (options_.read_only) return Status::Unavailable("the event store is open read-only");
  if (batch.empty()) return Status::Ok();
  std::shared_ptr<Segment> active;
  {
    std::shared_lock lock(mu_);
    active = segments_.rbegin()->second;
  }
  if (active->size >= options_.segment_bytes && active->records > 0) {
    if (options_.durability == Durability::kFull) ::fdatasync(active->fd);
    Status s = OpenNewSegment(next_seq_);
    if (!s.ok()) return s;
    std::shared_lock lock(mu_);
    active = segments_.rbegin()->second;
  }

  // Seqs and monotonic times: seq order is time order. A record whose time moves forward by
  // a few milliseconds into the next second gets its eventTime text rewritten to match.
  uint64_t seq = next_seq_;
  int64_t last_time = last_time_ms_;
  buffer_.clear();
  std::vector<std::pair<uint32_t, uint32_t>> frames;  // (offset, length) per record
  frames.reserve(batch.size());
  uint64_t base = active->size;
  for (EventRecord& r : batch) {
    r.seq = seq++;
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
    uint64_t offset = base + buffer_.size();
    uint32_t len = EncodeRecord(r, &buffer_);
    frames.emplace_back(static_cast<uint32_t>(offset), len);
  }
  if (!WriteFully(active->fd, buffer_)) {
    Status err = Status::IOError(ErrnoText("cannot append to " + active->path));
    // Leave no partial record behind.
    if (::ftruncate(active->fd, static_cast<off_t>(base)) != 0) {
      return Status::IOError(ErrnoText("cannot repair " + active->path));
    }
    return err;
  }
  if (options_.durability == Durability::kFull && ::fdatasync(active->fd) != 0) {
    return Status::IOError(ErrnoText("cannot sync " + active->path));
  }

  // Visible to lookups only once on disk.
  std::unique_lock lock(mu_);
  for (size_t i = 0; i < batch.size(); ++i) {
    const EventRecord& r = batch[i];
    if (active->records % kSparseEvery == 0) active->sparse.emplace_back(r.seq, frames[i].first);
    ++active->records;
    active->last_seq = r.seq;
    active->max_time_ms = std::max(active->max_time_ms, ToUnixMillis(r.event_time));
    index_->Add(r, active.get(), frames[i].first, frames[i].second);
  }
  active->size = base + buffer_.size();
  next_seq_ = seq;
  last_time_ms_ = last_time;
  return Status::Ok();
}

Status LogEventStore::Probe() {
  if (options_.read_only) return Status::Unavailable("read-only");
  std::string probe = dir_ + "/probe";
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return Status::IOError(ErrnoText("cannot write " + probe));
  bool ok = WriteFully(fd, "ok") && ::fsync(fd) == 0;
  ::close(fd);
  ::unlink(probe.c_str());
  return ok ? Status::Ok() : Status::IOError(ErrnoText("cannot write " + probe));
}

Result<EventRecord> LogEventStore::ReadRecord(const Segment& seg, uint64_t offset,
                                              uint32_t length) const {
  std::string frame;
  if (!ReadFully(seg.fd, offset, length, &frame)) {
    return Status::IOError(ErrnoText("cannot read " + seg.path));
  }
  uint32_t frame_len = 0;
  EventRecord r;
  if (CheckFrame(frame, &frame_len) != Frame::kOk ||
      !DecodePayload(std::string_view(frame).substr(kFrameBytes, frame_len - kFrameBytes), &r)) {
    return Status::Corruption("damaged record in " + seg.path + " at byte " +
                              std::to_string(offset));
  }
  return r;
}

Result<LookupPage> LogEventStore::Lookup(const LookupQuery& q) {
  struct Hit {
    std::shared_ptr<Segment> segment;
    uint32_t offset, length;
  };
  std::vector<Hit> hits;
  LookupPage page;
  const int64_t start = ToUnixMillis(q.start), end = ToUnixMillis(q.end);
  const uint64_t before_seq = q.after ? q.after->second : UINT64_MAX;
  {
    std::shared_lock lock(mu_);
    const Partition* p = index_->Find(q.account_id, q.region);
    if (p == nullptr) return page;
    auto segment_of = [this](const Meta& m) { return segments_.at(m.segment->first_seq); };
    auto in_range = [&](const Meta& m) { return m.seq < before_seq && m.time_ms <= end; };
    auto collect = [&](const Meta& m) {
      if (m.time_ms < start) return false;
      if (hits.size() == q.max_results) {
        page.more = true;
        return false;
      }
      hits.push_back({segment_of(m), m.offset, m.length});
      return true;
    };

    const std::vector<uint64_t>* postings = nullptr;
    auto find = [&](const Partition::Postings& map) -> const std::vector<uint64_t>* {
      auto it = map.find(q.value);
      return it == map.end() ? nullptr : &it->second;
    };
    switch (q.attribute) {
      case LookupAttribute::kNone: {
        // Newest first: from the last event in range backwards.
        auto it = std::partition_point(p->events.begin(), p->events.end(), in_range);
        while (it != p->events.begin()) {
          --it;
          if (!collect(*it)) break;
        }
        break;
      }
      case LookupAttribute::kEventId: {
        auto seq = index_->SeqOfId(q.value);
        if (!seq) break;
        auto it = std::lower_bound(p->events.begin(), p->events.end(), *seq,
                                   [](const Meta& m, uint64_t s) { return m.seq < s; });
        if (it != p->events.end() && it->seq == *seq && in_range(*it)) collect(*it);
        break;
      }
      case LookupAttribute::kReadOnly:
        postings = &p->by_read_only[q.value == "true" ? 1 : 0];
        break;
      case LookupAttribute::kEventName:
        postings = find(p->by_name);
        break;
      case LookupAttribute::kUsername:
        postings = find(p->by_user);
        break;
      case LookupAttribute::kEventSource:
        postings = find(p->by_source);
        break;
      case LookupAttribute::kAccessKeyId:
        postings = find(p->by_key);
        break;
      case LookupAttribute::kResourceType:
        postings = find(p->by_type);
        break;
      case LookupAttribute::kResourceName:
        postings = find(p->by_resource);
        break;
    }
    if (postings != nullptr) {
      auto it = std::partition_point(postings->begin(), postings->end(), [&](uint64_t ord) {
        const Meta* m = p->At(ord);
        return m == nullptr || in_range(*m);
      });
      while (it != postings->begin()) {
        --it;
        const Meta* m = p->At(*it);
        if (m == nullptr) break;
        if (!collect(*m)) break;
      }
    }
  }
  page.events.reserve(hits.size());
  for (const Hit& h : hits) {
    auto r = ReadRecord(*h.segment, h.offset, h.length);
    if (!r.ok()) return r.error();
    page.events.push_back(std::move(r).value());
  }
  // The id lookup is by key; make sure the record really has that id.
  if (q.attribute == LookupAttribute::kEventId && !page.events.empty() &&
      page.events[0].event_id != q.value) {
    page.events.clear();
  }
  return page;
}

Result<std::vector<EventRecord>> LogEventStore::ReadAfter(uint64_t after_seq, size_t limit) {
  std::vector<EventRecord> out;
  std::vector<std::pair<std::shared_ptr<Segment>, uint64_t>> plan;  // segment, start offset
  {
    std::shared_lock lock(mu_);
    auto it = segments_.upper_bound(after_seq + 1);
    if (it != segments_.begin()) --it;
    for (bool first = true; it != segments_.end(); ++it, first = false) {
      uint64_t offset = 0;
      if (first) {
        // The last sparse entry at or before the wanted seq.
        const auto& sp = it->second->sparse;
        auto s = std::upper_bound(sp.begin(), sp.end(), after_seq + 1,
                                  [](uint64_t v, const auto& e) { return v < e.first; });
        if (s != sp.begin()) offset = std::prev(s)->second;
      }
      plan.emplace_back(it->second, offset);
    }
  }
  std::string chunk;
  for (auto& [seg, offset] : plan) {
    uint64_t size = seg->size;
    while (offset < size && out.size() < limit) {
      uint64_t want = std::min<uint64_t>(1 << 20, size - offset);
      if (!ReadFully(seg->fd, offset, want, &chunk)) {
        return Status::IOError(ErrnoText("cannot read " + seg->path));
      }
      std::string_view view(chunk);
      size_t consumed = 0;
      while (out.size() < limit) {
        uint32_t frame_len = 0;
        Frame f = CheckFrame(view.substr(consumed), &frame_len);
        if (f == Frame::kIncomplete) break;
        if (f == Frame::kCorrupt) {
          return Status::Corruption("damaged record in " + seg->path + " at byte " +
                                    std::to_string(offset + consumed));
        }
        EventRecord r;
        if (!DecodePayload(view.substr(consumed + kFrameBytes, frame_len - kFrameBytes), &r)) {
          return Status::Corruption("undecodable record in " + seg->path);
        }
        consumed += frame_len;
        if (r.seq > after_seq) out.push_back(std::move(r));
      }
      if (consumed == 0) {
        // A record larger than the chunk: read exactly that frame.
        uint32_t len = 0;
        std::string_view p = view;
        if (!GetFixed32(&p, &len) || len > kMaxRecordBytes) {
          return Status::Corruption("damaged record in " + seg->path);
        }
        auto r = ReadRecord(*seg, offset, static_cast<uint32_t>(kFrameBytes + len));
        if (!r.ok()) return r.error();
        consumed = kFrameBytes + len;
        if (r->seq > after_seq) out.push_back(std::move(r).value());
      }
      offset += consumed;
    }
    if (out.size() >= limit) break;
  }
  return out;
}

Result<std::pair<uint64_t, uint64_t>> LogEventStore::SeqRange() {
  std::shared_lock lock(mu_);
  uint64_t lo = 0, hi = 0;
  for (const auto& [first, seg] : segments_) {
    if (seg->records == 0) continue;
    if (lo == 0) lo = seg->first_seq;
    hi = seg->last_seq;
  }
  return std::make_pair(lo, hi);
}

Result<size_t> LogEventStore::DeleteOlderThan(TimePoint cutoff, size_t) {
  if (options_.read_only) return size_t{0};
  int64_t cutoff_ms = ToUnixMillis(cutoff);
  std::vector<std::shared_ptr<Segment>> doomed;
  size_t dropped = 0;
  {
    std::unique_lock lock(mu_);
    // Whole segments only, oldest first, never the active one.
    while (segments_.size() > 1) {
      auto& seg = segments_.begin()->second;
      if (seg->records > 0 && seg->max_time_ms >= cutoff_ms) break;
      doomed.push_back(seg);
      dropped += seg->records;
      segments_.erase(segments_.begin());
    }
    if (!doomed.empty()) index_->PruneBefore(segments_.begin()->second->first_seq);
  }
  for (const auto& seg : doomed) ::unlink(seg->path.c_str());
  if (!doomed.empty() && options_.durability == Durability::kFull) SyncDirectory(dir_);
  return dropped;
}

size_t LogEventStore::segment_count() const {
  std::shared_lock lock(mu_);
  return segments_.size();
}

size_t LogEventStore::indexed_events() const {
  std::shared_lock lock(mu_);
  return index_->count();
}

}  // namespace sagetrail::cloudtrail
