#!/usr/bin/python3
"""The Chinese pages are kept in step with the English ones (docs/zh/).

For each page of the course kit (docs/assignments/*.md, docs/zh/assignments/*.md) and for the
tutorial (docs/tutorial.md, docs/zh/tutorial.md), what a translation must not change is
compared: the fenced code blocks (commands, code, the output a passing run prints; not their
comments) and the display math (not the words of its \text{}), in order; the number of table rows; the test names the page mentions. And every
relative link of either page must lead to a file that exists. A change to the English that the
Chinese page does not follow fails here, naming the page and what differs.
"""
import os
import re
import sys
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DOCS = os.path.join(ROOT, "docs")


def pairs():
    """(English page, Chinese page) of every kit page and of the tutorial."""
    kit = sorted(f for f in os.listdir(os.path.join(DOCS, "assignments")) if f.endswith(".md"))
    result = [(os.path.join(DOCS, "assignments", f), os.path.join(DOCS, "zh", "assignments", f))
              for f in kit]
    result.append((os.path.join(DOCS, "tutorial.md"), os.path.join(DOCS, "zh", "tutorial.md")))
    return result


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def code_blocks(text):
    """The fenced blocks, their comments (`# ...`, `// ...`, which a translation may translate)
    left out."""
    blocks = re.findall(r"^```[^\n]*\n.*?^```", text, flags=re.M | re.S)
    return [re.sub(r"(^|\s)(#|//) .*$", "", b, flags=re.M) for b in blocks]


def without_code(text):
    return re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.M | re.S)


def display_math(text):
    """The $$ blocks as the sorted list of their symbols, the words of their \\text{...} left
    out: a translation translates those words and may reorder them around the symbols."""
    blocks = re.findall(r"\$\$(.+?)\$\$", without_code(text), flags=re.S)
    return [sorted(re.findall(r"\\[A-Za-z]+|\S", re.sub(r"\\text\{[^{}]*\}", "", m)))
            for m in blocks]


def table_rows(text):
    return sum(1 for line in without_code(text).splitlines() if line.lstrip().startswith("|"))


def test_names(text):
    return sorted(set(re.findall(r"\bA\d+_[A-Za-z]+\.[A-Za-z]+", text)))


def links(text):
    """Relative link targets (no scheme, no pure anchor), without their anchors."""
    found = re.findall(r"\]\(([^)\s]+)\)", without_code(text))
    return sorted({t.split("#")[0] for t in found
                   if not re.match(r"[a-z]+:", t) and not t.startswith("#")})


class TranslationsInStepTest(unittest.TestCase):
    def test_every_kit_page_has_its_translation(self):
        english = sorted(f for f in os.listdir(os.path.join(DOCS, "assignments"))
                         if f.endswith(".md"))
        chinese = sorted(f for f in os.listdir(os.path.join(DOCS, "zh", "assignments"))
                         if f.endswith(".md"))
        self.assertEqual(chinese, english)

    def test_what_a_translation_keeps_is_the_same(self):
        for en_path, zh_path in pairs():
            name = os.path.relpath(zh_path, DOCS)
            if not os.path.exists(zh_path):
                continue  # reported by the test above
            en, zh = read(en_path), read(zh_path)
            with self.subTest(page=name, part="code blocks"):
                self.assertEqual(code_blocks(zh), code_blocks(en))
            with self.subTest(page=name, part="display math"):
                self.assertEqual(display_math(zh), display_math(en))
            with self.subTest(page=name, part="table rows"):
                self.assertEqual(table_rows(zh), table_rows(en))
            with self.subTest(page=name, part="test names"):
                self.assertEqual(test_names(zh), test_names(en))

    def test_links_lead_to_files(self):
        for en_path, zh_path in pairs():
            for path in (en_path, zh_path):
                if not os.path.exists(path):
                    continue
                for target in links(read(path)):
                    with self.subTest(page=os.path.relpath(path, DOCS), link=target):
                        self.assertTrue(
                            os.path.exists(os.path.join(os.path.dirname(path), target)),
                            f"{target} does not exist")


if __name__ == "__main__":
    unittest.main()
