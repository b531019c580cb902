#include "model/label_expr.hpp"

#include <algorithm>
#include <vector>

namespace outpost {

struct LabelExpr::Node {
  enum class Op { equals, not_equals, in, not_in, has, negate, both, either };
  Op op;
  std::string key;
  std::vector<std::string> values;                    // = and != hold one, in and notin one or more
  std::vector<std::shared_ptr<const Node>> operands;  // negate has one; and/or have two or more
};

namespace {

using Node = LabelExpr::Node;
using NodePtr = std::shared_ptr<const Node>;

// Nesting beyond this is not a selector anyone writes; refusing it keeps the recursive parser
// (and matcher) safely inside the stack whatever the input.
constexpr int max_nesting = 64;

struct Token {
  enum class Type { word, quoted, open, close, comma, equals, not_equals, end };
  Type type;
  std::string text;
  std::size_t position;  // 1-based
};

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '/' || c == '-';
}

bool is_keyword(const std::string& word) {
  return word == "and" || word == "or" || word == "not" || word == "in" || word == "notin" || word == "has";
}

// One byte of the input as an error shows it: a lone byte of a multi-byte character would
// make the message invalid UTF-8, so anything but printable ASCII is shown in hex.
std::string shown(char c) {
  if (c > 0x20 && c < 0x7f) return "'" + std::string(1, c) + "'";
  static constexpr char digits[] = "0123456789ABCDEF";
  auto byte = static_cast<unsigned char>(c);
  return std::string("byte 0x") + digits[byte >> 4] + digits[byte & 0xf];
}

std::string describe(const Token& token) {
  switch (token.type) {
    case Token::Type::word:
      return "'" + token.text + "'";
    case Token::Type::quoted:
      return "the quoted value \"" + token.text + "\"";
    case Token::Type::open:
      return "'('";
    case Token::Type::close:
      return "')'";
    case Token::Type::comma:
      return "','";
    case Token::Type::equals:
      return "'='";
    case Token::Type::not_equals:
      return "'!='";
    case Token::Type::end:
      return "the end of the expression";
  }
  return "?";
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& field) : text_(text), field_(field) {}

  Result<NodePtr> parse() {
    if (auto tokens = tokenize(); !tokens) return std::unexpected(tokens.error());
    if (tokens_.front().type == Token::Type::end) return NodePtr{};
    auto root = parse_or(0);
    if (!root) return root;
    if (peek().type != Token::Type::end)
      return error_at(peek(), "expected 'and', 'or' or the end of the expression, got " + describe(peek()));
    return root;
  }

 private:
  Status tokenize() {
    std::size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      std::size_t position = i + 1;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i;
      } else if (c == '(' || c == ')' || c == ',' || c == '=') {
        auto type = c == '('   ? Token::Type::open
                    : c == ')' ? Token::Type::close
                    : c == ',' ? Token::Type::comma
                               : Token::Type::equals;
        tokens_.push_back({type, std::string(1, c), position});
        ++i;
      } else if (c == '!' && i + 1 < text_.size() && text_[i + 1] == '=') {
        tokens_.push_back({Token::Type::not_equals, "!=", position});
        i += 2;
      } else if (c == '"' || c == '\'') {
        auto close = text_.find(c, i + 1);
        if (close == std::string_view::npos)
          return invalid(field_, positioned(position, std::string("unclosed quote ") + c));
        tokens_.push_back({Token::Type::quoted, std::string(text_.substr(i + 1, close - i - 1)), position});
        i = close + 1;
      } else if (is_word_char(c)) {
        std::size_t start = i;
        while (i < text_.size() && is_word_char(text_[i])) ++i;
        tokens_.push_back({Token::Type::word, std::string(text_.substr(start, i - start)), position});
      } else {
        return invalid(field_, positioned(position, "unexpected character " + shown(c)));
      }
    }
    tokens_.push_back({Token::Type::end, "", text_.size() + 1});
    return {};
  }

  static std::string positioned(std::size_t position, const std::string& message) {
    return "at position " + std::to_string(position) + ": " + message;
  }
  std::unexpected<Error> error_at(const Token& token, const std::string& message) const {
    return invalid(field_, positioned(token.position, message));
  }

  const Token& peek() const { return tokens_[next_]; }
  const Token& take() { return tokens_[next_ < tokens_.size() - 1 ? next_++ : next_]; }
  bool take_keyword(std::string_view keyword) {
    if (peek().type != Token::Type::word || peek().text != keyword) return false;
    ++next_;
    return true;
  }

  // `a and b and c` is one node with three operands, not a chain: a long selector then costs
  // no stack depth, in the parser, the matcher or the destructor.
  template <class ParseOperand>
  Result<NodePtr> parse_chain(std::string_view keyword, Node::Op op, ParseOperand parse_operand) {
    auto first = parse_operand();
    if (!first) return first;
    if (peek().type != Token::Type::word || peek().text != keyword) return first;
    Node node{op, {}, {}, {std::move(*first)}};
    while (take_keyword(keyword)) {
      auto next = parse_operand();
      if (!next) return next;
      node.operands.push_back(std::move(*next));
    }
    return std::make_shared<const Node>(std::move(node));
  }

  Result<NodePtr> parse_or(int depth) {
    return parse_chain("or", Node::Op::either, [&] { return parse_and(depth); });
  }

  Result<NodePtr> parse_and(int depth) {
    return parse_chain("and", Node::Op::both, [&] { return parse_unary(depth); });
  }

  Result<NodePtr> parse_unary(int depth) {
    if (depth > max_nesting) return error_at(peek(), "the expression is nested too deeply");
    if (take_keyword("not")) {
      auto operand = parse_unary(depth + 1);
      if (!operand) return operand;
      return std::make_shared<const Node>(Node{Node::Op::negate, {}, {}, {std::move(*operand)}});
    }
    if (peek().type == Token::Type::open) {
      const Token& open = take();
      auto inner = parse_or(depth + 1);
      if (!inner) return inner;
      if (peek().type != Token::Type::close)
        return error_at(peek(), "expected ')' to close the '(' at position " + std::to_string(open.position) +
                                    ", got " + describe(peek()));
      take();
      return inner;
    }
    return parse_comparison();
  }

  Result<NodePtr> parse_comparison() {
    const Token& key = take();
    if (key.type != Token::Type::word || is_keyword(key.text)) {
      if (key.type == Token::Type::word && key.text == "has") return parse_has();
      return error_at(key, "expected a label key, 'has(', 'not' or '(', got " + describe(key));
    }
    const Token& op = take();
    Node node{Node::Op::equals, key.text, {}, {}};
    if (op.type == Token::Type::equals || op.type == Token::Type::not_equals) {
      node.op = op.type == Token::Type::equals ? Node::Op::equals : Node::Op::not_equals;
      auto value = parse_value("after " + describe(op));
      if (!value) return std::unexpected(value.error());
      node.values.push_back(std::move(*value));
    } else if (op.type == Token::Type::word && (op.text == "in" || op.text == "notin")) {
      node.op = op.text == "in" ? Node::Op::in : Node::Op::not_in;
      auto values = parse_value_list(op.text);
      if (!values) return std::unexpected(values.error());
      node.values = std::move(*values);
    } else {
      return error_at(
          op, "expected '=', '!=', 'in' or 'notin' after the key '" + key.text + "', got " + describe(op));
    }
    return std::make_shared<const Node>(std::move(node));
  }

  Result<NodePtr> parse_has() {
    if (peek().type != Token::Type::open)
      return error_at(peek(), "expected '(' after 'has', got " + describe(peek()));
    take();
    const Token& key = take();
    if (key.type != Token::Type::word || is_keyword(key.text))
      return error_at(key, "expected a label key inside has(...), got " + describe(key));
    if (peek().type != Token::Type::close)
      return error_at(peek(), "expected ')' after the key in has(" + key.text + ", got " + describe(peek()));
    take();
    return std::make_shared<const Node>(Node{Node::Op::has, key.text, {}, {}});
  }

  // A value is a bare word (keywords included: `mode = in` is unambiguous) or a quoted string.
  Result<std::string> parse_value(const std::string& context) {
    const Token& value = take();
    if (value.type != Token::Type::word && value.type != Token::Type::quoted)
      return error_at(value, "expected a value " + context + ", got " + describe(value));
    return value.text;
  }

  Result<std::vector<std::string>> parse_value_list(const std::string& op) {
    if (peek().type != Token::Type::open)
      return error_at(peek(), "expected '(' and a value list after '" + op + "', got " + describe(peek()));
    take();
    std::vector<std::string> values;
    while (true) {
      auto value = parse_value(values.empty() ? "in the list" : "after ','");
      if (!value) return std::unexpected(value.error());
      values.push_back(std::move(*value));
      if (peek().type == Token::Type::comma) {
        take();
        continue;
      }
      if (peek().type == Token::Type::close) {
        take();
        return values;
      }
      return error_at(peek(), "expected ',' or ')' after the value list, got " + describe(peek()));
    }
  }

  std::string_view text_;
  const std::string& field_;
  std::vector<Token> tokens_;
  std::size_t next_ = 0;
};

bool evaluate(const Node& node, const Labels& labels) {
  auto value_of = [&]() -> const std::string* {
    auto it = labels.find(node.key);
    return it == labels.end() ? nullptr : &it->second;
  };
  auto listed = [&](const std::string& value) {
    for (const auto& candidate : node.values)
      if (candidate == value) return true;
    return false;
  };
  switch (node.op) {
    case Node::Op::equals: {
      const std::string* value = value_of();
      return value && *value == node.values.front();
    }
    case Node::Op::not_equals: {
      const std::string* value = value_of();
      return !value || *value != node.values.front();
    }
    case Node::Op::in: {
      const std::string* value = value_of();
      return value && listed(*value);
    }
    case Node::Op::not_in: {
      const std::string* value = value_of();
      return !value || !listed(*value);
    }
    case Node::Op::has:
      return value_of() != nullptr;
    case Node::Op::negate:
      return !evaluate(*node.operands.front(), labels);
    case Node::Op::both:
      return std::ranges::all_of(node.operands,
                                 [&](const NodePtr& operand) { return evaluate(*operand, labels); });
    case Node::Op::either:
      return std::ranges::any_of(node.operands,
                                 [&](const NodePtr& operand) { return evaluate(*operand, labels); });
  }
  return false;
}

}  // namespace

Result<LabelExpr> LabelExpr::parse(std::string_view text, const std::string& field) {
  Parser parser(text, field);
  auto root = parser.parse();
  if (!root) return std::unexpected(root.error());
  LabelExpr expr;
  expr.text_ = std::string(text);
  expr.root_ = std::move(*root);
  return expr;
}

LabelExpr LabelExpr::match_all() { return LabelExpr(); }

bool LabelExpr::matches(const Labels& labels) const { return !root_ || evaluate(*root_, labels); }

}  // namespace outpost
