#pragma once
// A store that passes everything to another one: the base of tests that watch or refuse the
// writes a component makes. Every write reaches commit(), so overriding it sees them all.
#include "store/store.hpp"

namespace outpost {

class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(Store& inner) : inner_(inner) {}

  Result<std::optional<KeyValue>> get(std::string_view key) override { return inner_.get(key); }
  Result<ListPage> list(std::string_view prefix, std::string_view start_after, std::size_t limit) override {
    return inner_.list(prefix, start_after, limit);
  }
  Result<std::int64_t> put(std::string_view key, std::string_view value, std::optional<std::int64_t> expected) override {
    return commit({{TxnOp::Kind::put, std::string(key), std::string(value), expected}});
  }
  Result<std::int64_t> remove(std::string_view key, std::optional<std::int64_t> expected) override {
    return commit({{TxnOp::Kind::remove, std::string(key), {}, expected}});
  }
  Result<std::int64_t> commit(const std::vector<TxnOp>& ops) override { return inner_.commit(ops); }
  Result<std::int64_t> revision() override { return inner_.revision(); }
  WatchId watch(std::string prefix, WatchCallback callback) override {
    return inner_.watch(std::move(prefix), std::move(callback));
  }
  void unwatch(WatchId id) override { inner_.unwatch(id); }
  std::size_t operations_per_transaction() const override { return inner_.operations_per_transaction(); }

 private:
  Store& inner_;
};

}  // namespace outpost
