// XmlReader: the element tree of well-formed documents, and refusal of everything else.
#include "aws/protocol/xml_reader.h"

#include <gtest/gtest.h>

#include <string>

namespace sagetrail::aws {
namespace {

XmlElement Parse(std::string_view text, const XmlLimits& limits = {}) {
  auto r = XmlReader::Parse(text, limits);
  EXPECT_TRUE(r.ok()) << text << ": " << r.error().message << " at " << r.error().offset;
  return r.ok() ? *r : XmlElement{};
}

XmlError Refuse(std::string_view text, const XmlLimits& limits = {}) {
  auto r = XmlReader::Parse(text, limits);
  EXPECT_FALSE(r.ok()) << "accepted: " << text;
  return r.ok() ? XmlError{} : r.error();
}

TEST(XmlReaderTest, ElementsTextAndAttributes) {
  XmlElement root = Parse(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Object><Key>a</Key></Object>"
      "<Object><Key>b</Key><VersionId>v1</VersionId></Object>"
      "<Quiet>true</Quiet></Delete>\n");
  EXPECT_EQ(root.name, "Delete");
  ASSERT_EQ(root.attributes.size(), 1u);
  EXPECT_EQ(root.attributes[0].first, "xmlns");
  EXPECT_EQ(root.attributes[0].second, "http://s3.amazonaws.com/doc/2006-03-01/");
  ASSERT_EQ(root.children.size(), 3u);
  EXPECT_EQ(root.children[0].name, "Object");
  EXPECT_EQ(root.children[0].FindChild("Key")->text, "a");
  EXPECT_EQ(root.children[1].FindChild("VersionId")->text, "v1");
  EXPECT_EQ(root.FindChild("Quiet")->text, "true");
  EXPECT_EQ(root.FindChild("Nothing"), nullptr);
}

TEST(XmlReaderTest, PrefixedNamesAndAttributes) {
  XmlElement g = Parse(
      "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:type='CanonicalUser'><ID>x</ID></Grantee>");
  ASSERT_NE(g.FindAttribute("xsi:type"), nullptr);
  EXPECT_EQ(*g.FindAttribute("xsi:type"), "CanonicalUser");
  // Another prefix for the same attribute is found by its local name.
  XmlElement other = Parse("<Grantee xmlns:i=\"u\" i:type=\"Group\"/>");
  ASSERT_NE(other.FindAttribute("xsi:type"), nullptr);
  EXPECT_EQ(*other.FindAttribute("xsi:type"), "Group");
  // A namespace declaration is not mistaken for an attribute of that local name.
  EXPECT_EQ(Parse("<a xmlns:type=\"u\"/>").FindAttribute("xsi:type"), nullptr);
  XmlElement p = Parse("<s3:Tag xmlns:s3=\"u\"><s3:Key>k</s3:Key></s3:Tag>");
  EXPECT_EQ(p.name, "s3:Tag");
  EXPECT_EQ(p.LocalName(), "Tag");
  ASSERT_NE(p.FindChild("Key"), nullptr);
  EXPECT_EQ(p.FindChild("Key")->text, "k");
}

TEST(XmlReaderTest, EntitiesCharacterReferencesAndCdata) {
  XmlElement e = Parse(
      "<K>&lt;a&gt; &amp; &quot;b&quot; &apos;c&apos; &#65;&#x42;&#x1F600;"
      "<![CDATA[<raw> & ]]]]>tail</K>");
  EXPECT_EQ(e.text, "<a> & \"b\" 'c' AB\xF0\x9F\x98\x80<raw> & ]]tail");
  XmlElement a = Parse("<a v=\"x&amp;y&#10;z\"/>");
  EXPECT_EQ(*a.FindAttribute("v"), "x&y\nz");
}

TEST(XmlReaderTest, WhitespaceAndLineEnds) {
  XmlElement e = Parse("<a>\r\n  x\ry\r\n</a>");
  EXPECT_EQ(e.text, "\n  x\ny\n");
  // A character reference to CR is kept; raw line ends in attributes become spaces.
  EXPECT_EQ(Parse("<a>&#13;</a>").text, "\r");
  EXPECT_EQ(*Parse("<a v=\"1\r\n2\t3\"/>").FindAttribute("v"), "1 2 3");
  // Spaces inside tags.
  XmlElement t = Parse("<a  x = \"1\" ><b /></a >");
  EXPECT_EQ(*t.FindAttribute("x"), "1");
  ASSERT_EQ(t.children.size(), 1u);
  Refuse("<a><b/ ></a>");
}

TEST(XmlReaderTest, CommentsProcessingInstructionsAndBom) {
  XmlElement e = Parse(
      "\xEF\xBB\xBF<?xml version=\"1.0\"?><!-- c --><?pi x?>"
      "<a><!-- inner -->x<?p?>y</a><!-- after -->\n");
  EXPECT_EQ(e.name, "a");
  EXPECT_EQ(e.text, "xy");
  EXPECT_TRUE(e.children.empty());
}

TEST(XmlReaderTest, TextAroundChildrenIsConcatenated) {
  XmlElement e = Parse("<a>x<b>inner</b>y</a>");
  EXPECT_EQ(e.text, "xy");
  ASSERT_EQ(e.children.size(), 1u);
  EXPECT_EQ(e.children[0].text, "inner");
}

TEST(XmlReaderTest, RefusesMalformedDocuments) {
  for (std::string_view bad : {
           "",
           "   ",
           "text",
           "<a>",
           "<a></b>",
           "<a><b></a></b>",
           "<a/><b/>",
           "<a/>trailing",
           "<a x=1/>",
           "<a x=\"1\" x=\"2\"/>",
           "<a x=\"1\"y=\"2\"/>",
           "<a x/>",
           "<a x=\"<\"/>",
           "<a>&foo;</a>",
           "<a>&amp</a>",
           "<a>& b</a>",
           "<a>&#;</a>",
           "<a>&#x;</a>",
           "<a>&#0;</a>",
           "<a>&#xD800;</a>",
           "<a>&#x110000;</a>",
           "<a>&#99999999999;</a>",
           "<a>&#12a;</a>",
           "<a>]]></a>",
           "<a><![CDATA[x</a>",
           "<a><!-- x -- y --></a>",
           "<a><!-- x</a>",
           "<a><?xml version=\"1.0\"?></a>",
           "<a><!ENTITY x \"y\"></a>",
           "<1a/>",
           "< a/>",
           "<a></ a>",
           "<a>\x01</a>",
           "<a>\xC3</a>",
           "<a>\xC0\x80</a>",
           "<a>\xED\xA0\x80</a>",
           "<a>\xEF\xBF\xBE</a>",
           "<a b='1\"/>",
       }) {
    Refuse(bad);
  }
}

TEST(XmlReaderTest, RefusesDoctypeWithoutExpandingAnything) {
  XmlError e = Refuse(
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>");
  EXPECT_NE(e.message.find("document type"), std::string::npos) << e.message;
  Refuse("<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a>&xxe;</a>");
}

TEST(XmlReaderTest, Limits) {
  XmlLimits limits;
  limits.max_depth = 3;
  Parse("<a><b><c/></b></a>", limits);
  XmlError deep = Refuse("<a><b><c><d/></c></b></a>", limits);
  EXPECT_NE(deep.message.find("deeper"), std::string::npos);

  limits = XmlLimits{};
  limits.max_elements = 3;
  Parse("<a><b/><c/></a>", limits);
  EXPECT_NE(Refuse("<a><b/><c/><d/></a>", limits).message.find("more elements"), std::string::npos);

  limits = XmlLimits{};
  limits.max_bytes = 10;
  Parse("<a>12</a>", limits);
  EXPECT_NE(Refuse("<a>123456</a>", limits).message.find("larger"), std::string::npos);

  // The default depth limit holds against deep nesting without exhausting the stack.
  std::string deep_doc;
  for (int i = 0; i < 100000; ++i) deep_doc += "<a>";
  Refuse(deep_doc);
}

TEST(XmlReaderTest, ErrorOffsetPointsAtTheProblem) {
  XmlError e = Refuse("<a><b>&bogus;</b></a>");
  EXPECT_EQ(e.offset, 6u);
  EXPECT_NE(e.message.find("undefined entity"), std::string::npos);
}

}  // namespace
}  // namespace sagetrail::aws
