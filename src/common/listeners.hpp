#pragma once
// Callbacks told about changes, for listeners that may go away before the object telling them
// (a controller replaced in a test, a session): each registration has an id to withdraw it.
#include <cstdint>
#include <functional>
#include <map>

namespace outpost {

template <class... Args>
class Listeners {
 public:
  using Id = std::uint64_t;
  using Callback = std::function<void(const Args&...)>;

  Id add(Callback callback) {
    callbacks_.emplace(++last_id_, std::move(callback));
    return last_id_;
  }
  void remove(Id id) { callbacks_.erase(id); }
  void tell(const Args&... args) const {
    for (const auto& [id, callback] : callbacks_) callback(args...);
  }

 private:
  std::map<Id, Callback> callbacks_;
  Id last_id_ = 0;
};

}  // namespace outpost
