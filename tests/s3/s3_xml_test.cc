#include "s3/s3_xml.h"

#include <gtest/gtest.h>

#include <string>

namespace sagetrail::s3 {
namespace {

TEST(S3XmlTest, ReadsElementsTextAndChildrenInOrder) {
  std::optional<XmlElement> doc = ParseXml(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
      "  <Name>b</Name>\n"
      "  <Contents><Key>a</Key><Size>1</Size></Contents>\n"
      "  <!-- a comment <Contents> that is not one -->\n"
      "  <Contents><Key>b</Key><Size>22</Size></Contents>\n"
      "</ListBucketResult>");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->name, "ListBucketResult");
  EXPECT_EQ(doc->ChildText("Name"), "b");
  std::vector<const XmlElement*> contents = doc->Children("Contents");
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(contents[0]->ChildText("Key"), "a");
  EXPECT_EQ(contents[1]->ChildText("Size"), "22");
  EXPECT_EQ(doc->Child("Missing"), nullptr);
  EXPECT_EQ(doc->ChildText("Missing"), "");
}

TEST(S3XmlTest, DecodesEntitiesCharacterReferencesAndCdata) {
  std::optional<XmlElement> doc = ParseXml(
      "<R><E>&quot;abc&quot; &lt;&amp;&gt; &apos;</E><N>&#65;&#x42;&#xe9;&#x1F600;</N>"
      "<C><![CDATA[<not> &amp; parsed]]></C><U>&bogus; &#xD800; & alone</U></R>");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->ChildText("E"), "\"abc\" <&> '");
  EXPECT_EQ(doc->ChildText("N"), "AB\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(doc->ChildText("C"), "<not> &amp; parsed");
  // Unknown or invalid references stay as written.
  EXPECT_EQ(doc->ChildText("U"), "&bogus; &#xD800; & alone");
}

TEST(S3XmlTest, KeepsSurroundingBlanksOfLeafText) {
  std::optional<XmlElement> doc = ParseXml("<R><Key> spaced key </Key></R>");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->ChildText("Key"), " spaced key ");
}

TEST(S3XmlTest, DropsNamespacePrefixesAndAttributes) {
  std::optional<XmlElement> doc =
      ParseXml("<s3:Error a=\"x>y\" b='1'><s3:Code>NoSuchKey</s3:Code><Empty/></s3:Error>");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->name, "Error");
  EXPECT_EQ(doc->ChildText("Code"), "NoSuchKey");
  ASSERT_NE(doc->Child("Empty"), nullptr);
  EXPECT_TRUE(doc->Child("Empty")->children.empty());
}

TEST(S3XmlTest, ToleratesUnclosedAndStrayTags) {
  // <Message> is never closed: </Error> closes it; </Stray> matches nothing and is ignored.
  std::optional<XmlElement> doc =
      ParseXml("<Error><Code>SlowDown</Code></Stray><Message>Reduce your rate</Error>");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->ChildText("Code"), "SlowDown");
  EXPECT_EQ(doc->ChildText("Message"), "Reduce your rate");

  // A document cut short still gives what was read.
  std::optional<XmlElement> cut = ParseXml("<Error><Code>InternalError</Code><Mess");
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->ChildText("Code"), "InternalError");
}

TEST(S3XmlTest, NoElementOrTooDeepIsNothing) {
  EXPECT_FALSE(ParseXml(""));
  EXPECT_FALSE(ParseXml("<html is not closed"));
  EXPECT_FALSE(ParseXml("just text, no markup"));
  EXPECT_FALSE(ParseXml("<?xml version=\"1.0\"?><!-- only a comment -->"));
  std::string deep;
  for (size_t i = 0; i < kMaxXmlDepth + 1; ++i) deep += "<a>";
  EXPECT_FALSE(ParseXml(deep));
  std::string fine;
  for (size_t i = 0; i < kMaxXmlDepth; ++i) fine += "<a>";
  EXPECT_TRUE(ParseXml(fine));
}

TEST(S3XmlTest, EscapesElementContent) {
  EXPECT_EQ(XmlEscape("\"etag\" <a> & b"), "\"etag\" &lt;a&gt; &amp; b");
  std::optional<XmlElement> back = ParseXml("<E>" + XmlEscape("a&b<c>\"") + "</E>");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->text, "a&b<c>\"");
}

}  // namespace
}  // namespace sagetrail::s3
