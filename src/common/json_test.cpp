#include "common/json.hpp"

#include <gtest/gtest.h>

namespace outpost {
namespace {

Json one(std::string_view text) {
  auto document = parse_document(text);
  EXPECT_TRUE(document.has_value()) << (document ? "" : document.error().message);
  return document ? *document : Json();
}

TEST(ParseDocuments, JsonObjectIsSniffedByItsBrace) {
  auto documents = parse_documents("  \n {\"name\": \"x\", \"n\": 1}");
  ASSERT_TRUE(documents);
  ASSERT_EQ(documents->size(), 1u);
  EXPECT_EQ((*documents)[0], Json({{"name", "x"}, {"n", 1}}));
}

TEST(ParseDocuments, JsonArrayIsSniffedByItsBracket) {
  EXPECT_EQ(one("[1, \"a\", null]"), Json::parse(R"([1, "a", null])"));
}

TEST(ParseDocuments, MalformedJsonIsBadRequestNamingLineAndColumn) {
  auto documents = parse_documents("{\n  \"a\": 1,\n  \"b\": }");
  ASSERT_FALSE(documents);
  EXPECT_EQ(documents.error().status, 400);
  EXPECT_EQ(documents.error().code, "bad_request");
  EXPECT_NE(documents.error().message.find("line 3"), std::string::npos) << documents.error().message;
  EXPECT_NE(documents.error().message.find("column"), std::string::npos);
}

TEST(ParseDocuments, JsonWithTrailingGarbageIsRejected) { EXPECT_FALSE(parse_documents("{\"a\": 1} x")); }

TEST(ParseDocuments, YamlStreamYieldsOneValuePerDocumentAndSkipsEmptyOnes) {
  auto documents = parse_documents("---\nkind: site\nname: a\n---\n---\nkind: site\nname: b\n...\n");
  ASSERT_TRUE(documents);
  ASSERT_EQ(documents->size(), 2u);
  EXPECT_EQ((*documents)[0]["name"], "a");
  EXPECT_EQ((*documents)[1]["name"], "b");
}

TEST(ParseDocuments, EmptyTextHasNoDocuments) {
  auto documents = parse_documents("  \n# only a comment\n");
  ASSERT_TRUE(documents);
  EXPECT_TRUE(documents->empty());
}

TEST(ParseDocuments, MalformedYamlIsBadRequestNamingOneBasedLineAndColumn) {
  auto documents = parse_documents("a: 1\nb: [1, 2\nc: 3\n");
  ASSERT_FALSE(documents);
  EXPECT_EQ(documents.error().status, 400);
  EXPECT_NE(documents.error().message.find("invalid YAML at line"), std::string::npos)
      << documents.error().message;
}

TEST(ParseDocuments, YamlBadIndentationReportsTheLine) {
  auto documents = parse_documents("a:\n  b: 1\n c: 2\n");
  ASSERT_FALSE(documents);
  EXPECT_NE(documents.error().message.find("line 3"), std::string::npos) << documents.error().message;
}

TEST(YamlScalars, UnquotedScalarsAreTypedByTheCoreSchema) {
  Json doc =
      one("t: true\nf: False\nn: ~\nn2: null\nempty:\ni: 42\nneg: -7\nplus: +3\nfl: 0.5\nexp: 1e3\n"
          "version: 1.4.0\nword: hello\nminor: 1.10\nyes: yes\nhex: 0x1F\n");
  EXPECT_EQ(doc["t"], true);
  EXPECT_EQ(doc["f"], false);
  EXPECT_TRUE(doc["n"].is_null());
  EXPECT_TRUE(doc["n2"].is_null());
  EXPECT_TRUE(doc["empty"].is_null());
  EXPECT_EQ(doc["i"], 42);
  EXPECT_TRUE(doc["i"].is_number_integer());
  EXPECT_EQ(doc["neg"], -7);
  EXPECT_EQ(doc["plus"], 3);
  EXPECT_TRUE(doc["fl"].is_number_float());
  EXPECT_DOUBLE_EQ(doc["fl"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(doc["exp"].get<double>(), 1000.0);
  EXPECT_EQ(doc["version"], "1.4.0");
  EXPECT_EQ(doc["word"], "hello");
  EXPECT_TRUE(doc["minor"].is_number_float());  // spec validation reports the wrong type
  EXPECT_EQ(doc["yes"], "yes");                 // YAML 1.1 booleans are plain words in 1.2
  EXPECT_EQ(doc["hex"], "0x1F");
}

TEST(YamlScalars, QuotedAndBlockScalarsStayStrings) {
  Json doc = one("a: \"true\"\nb: '42'\nc: \"1.10\"\nd: ''\ne: |\n  line1\n  line2\nf: \"~\"\n");
  EXPECT_EQ(doc["a"], "true");
  EXPECT_EQ(doc["b"], "42");
  EXPECT_EQ(doc["c"], "1.10");
  EXPECT_EQ(doc["d"], "");
  EXPECT_EQ(doc["e"], "line1\nline2\n");
  EXPECT_EQ(doc["f"], "~");
}

TEST(YamlScalars, IntegerBeyondInt64BecomesANumberNotAnError) {
  Json doc = one("big: 123456789012345678901234567890\n");
  EXPECT_TRUE(doc["big"].is_number_float());
}

TEST(YamlStructure, NestedMapsAndFlowSequences) {
  Json doc = one("services:\n  - name: api\n    ports: [{container: 8080, host: 80}]\n");
  EXPECT_EQ(doc["services"][0]["ports"][0]["host"], 80);
}

TEST(YamlStructure, DuplicateKeyIsRejectedWithItsLine) {
  auto documents = parse_documents("a: 1\nb: 2\na: 3\n");
  ASSERT_FALSE(documents);
  EXPECT_EQ(documents.error().status, 400);
  EXPECT_NE(documents.error().message.find("duplicate key 'a' at line 3"), std::string::npos)
      << documents.error().message;
}

TEST(YamlStructure, ComplexMappingKeyIsRejected) { EXPECT_FALSE(parse_documents("? [a, b]\n: 1\n")); }

TEST(YamlStructure, AliasesAreExpanded) {
  Json doc = one("base: &b {x: 1}\ncopy: *b\n");
  EXPECT_EQ(doc["copy"]["x"], 1);
}

TEST(YamlStructure, ExponentialAliasExpansionIsRefusedNotExhaustingMemory) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int j = 0; j < 9; ++j) text += ", " + prev;
    text += "]\n";
  }
  auto documents = parse_documents(text);
  ASSERT_FALSE(documents);
  EXPECT_EQ(documents.error().status, 400);
}

TEST(YamlStructure, InvalidUtf8IsBadRequest) {
  auto documents = parse_documents("a: \"\xff\xfe\"\n");
  ASSERT_FALSE(documents);
  EXPECT_EQ(documents.error().status, 400);
}

TEST(ParseDocument, RequiresExactlyOneDocument) {
  auto none = parse_document("");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().status, 400);
  auto two = parse_document("a: 1\n---\nb: 2\n");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().status, 400);
  EXPECT_NE(two.error().message.find("got 2"), std::string::npos);
  EXPECT_EQ(one("a: 1\n"), Json({{"a", 1}}));
}

TEST(ToYaml, RoundTripsThroughTheParserPreservingTypes) {
  Json value = Json::parse(R"({
    "name": "pos", "version": "1.10", "flag": "true", "nothing": "~", "empty": "",
    "number": 3, "negative": -2, "ratio": 0.25, "yes": true, "none": null,
    "text": "line1\nline2\n", "colon": "a: b", "hash": "# not a comment", "dash": "- x",
    "list": [1, "2", {"k": "v"}], "obj": {}, "arr": [], "nested": {"deep": [[1, 2], []]},
    "spaces": "  padded  ", "quote": "it's \"quoted\"", "var": "${SYS_SITE}"
  })");
  std::string yaml = to_yaml(value);
  EXPECT_EQ(one(yaml), value) << yaml;
}

TEST(ToYaml, UsesBlockStyle) {
  std::string yaml = to_yaml(Json({{"a", {{"b", 1}}}, {"c", Json::array({1, 2})}}));
  EXPECT_EQ(yaml, "a:\n  b: 1\nc:\n  - 1\n  - 2\n");
}

TEST(ToYaml, EmptyContainersStayOnTheirKeysLine) {
  EXPECT_EQ(to_yaml(Json({{"a", Json::array()}, {"b", Json::object()}})), "a: []\nb: {}\n");
}

TEST(ToYaml, ScalarsAtTopLevel) {
  EXPECT_EQ(one(to_yaml(Json("1.4.0"))), "1.4.0");
  EXPECT_EQ(one(to_yaml(Json(7))), 7);
}

TEST(JsonTypeName, NamesEachType) {
  EXPECT_EQ(json_type_name(Json("x")), "string");
  EXPECT_EQ(json_type_name(Json(1)), "number");
  EXPECT_EQ(json_type_name(Json(1.5)), "number");
  EXPECT_EQ(json_type_name(Json(true)), "boolean");
  EXPECT_EQ(json_type_name(Json(nullptr)), "null");
  EXPECT_EQ(json_type_name(Json::object()), "object");
  EXPECT_EQ(json_type_name(Json::array()), "array");
}

}  // namespace
}  // namespace outpost
