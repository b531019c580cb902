#pragma once
// permessage-deflate (RFC 7692) on the agent session, tuned for a tower holding thousands of
// sessions. The compressor's memory is held per session for as long as the session lives, and
// it grows with the window: the default 32 KiB window costs about 136 KiB a session (1.3 GiB at
// 10,000 sites), a 1 KiB window and memory level 3 about 8 KiB. JSON repeats itself at short
// range, so the small window keeps most of the gain. Small messages (pings, acks, most
// deltas) are not worth compressing and never make a session allocate a compressor at all.
#include <boost/beast/websocket/option.hpp>

namespace outpost {

inline boost::beast::websocket::permessage_deflate session_compression() {
  boost::beast::websocket::permessage_deflate deflate;
  deflate.server_enable = true;
  deflate.client_enable = true;
  deflate.server_max_window_bits = 10;
  deflate.client_max_window_bits = 10;
  deflate.compLevel = 6;
  deflate.memLevel = 3;
  deflate.msg_size_threshold = 512;
  return deflate;
}

}  // namespace outpost
