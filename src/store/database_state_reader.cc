#include "store/database_state_reader.h"

namespace sagetrail::store {

Status DatabaseStateReader::Scan(
    std::string_view prefix,
    const std::function<bool(std::string_view, std::string_view)>& fn) const {
  Cursor c = db_.NewCursor(Family::kState);
  for (c.Seek(prefix); c.Valid() && c.key().starts_with(prefix); c.Next()) {
    if (!fn(c.key(), c.value())) break;
  }
  return c.status();
}

}  // namespace sagetrail::store
