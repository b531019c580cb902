#pragma once
// Free text of any length (an agent's report, a container's output line) is bounded before it is
// stored, sent or shown.
#include <cstddef>
#include <string>
#include <string_view>

namespace outpost {

// `text` cut to at most `max_bytes` bytes, ending in "..." when it was cut. The cut never splits
// a UTF-8 sequence: the JSON writer refuses invalid UTF-8, and the text is stored as JSON.
inline std::string bounded_text(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  constexpr std::string_view ellipsis = "...";
  std::size_t cut = max_bytes > ellipsis.size() ? max_bytes - ellipsis.size() : 0;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  if (max_bytes >= ellipsis.size()) text += ellipsis;
  return text;
}

}  // namespace outpost
