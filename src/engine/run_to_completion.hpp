#pragma once
// For tests over the fake engine: runs one coroutine on a fresh io_context to the end and returns
// its result. FakeEngine never suspends on I/O, so draining the context completes any call.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace outpost {

template <class T>
T run_to_completion(boost::asio::awaitable<T> call) {
  boost::asio::io_context io;
  auto result = boost::asio::co_spawn(io, std::move(call), boost::asio::use_future);
  io.run();
  return result.get();
}

}  // namespace outpost
