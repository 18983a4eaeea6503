#!/usr/bin/env python3
"""sizes.py: the house rule of docs/architecture.md, checked. No Swift source file over 300 lines and no
function, initializer, subscript or computed property over 60 lines (from its declaration to its closing
brace, comments and string literals counted as written).

    contrib/lint/sizes.py [DIR...]      default: Sources; exit 1 and one line per offender when any

A brace counter, not a Swift parser: braces inside string literals on one line are ignored; a
multi-line string literal holding unbalanced braces would confuse it (none does today).
"""
import os
import re
import sys

FILE_LIMIT = 300
FUNCTION_LIMIT = 60
MODIFIERS = r"(?:public|private|fileprivate|internal|package|static|final|override|mutating|nonisolated|convenience|required|class)"
DECLARATION = re.compile(
    r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:" + MODIFIERS + r"\s+)*"
    r"(?:func\s+\S|init[?!]?\s*[(<]|subscript\s*[(<]|deinit\b|(?:var|let)\s+\w+\s*:[^=]*\{\s*$)")
STRING = re.compile(r'"(?:\\.|[^"\\])*"')


def body_end(lines, start):
    """The index of the line closing the declaration at `start`, or None when it has no body."""
    depth, opened = 0, False
    for index in range(start, len(lines)):
        code = STRING.sub('""', lines[index]).split("//")[0]
        depth += code.count("{") - code.count("}")
        opened = opened or "{" in code
        if opened and depth <= 0:
            return index
        if not opened and index > start + 8:
            return None
    return None


def check(path):
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    problems = []
    count = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
    if count > FILE_LIMIT:
        problems.append(f"{path}: {count} lines (at most {FILE_LIMIT})")
    index = 0
    while index < len(lines):
        end = body_end(lines, index) if DECLARATION.match(lines[index]) else None
        if end is None:
            index += 1
            continue
        length = end - index + 1
        if length > FUNCTION_LIMIT:
            problems.append(f"{path}:{index + 1}: {lines[index].strip()[:60]} is {length} lines (at most {FUNCTION_LIMIT})")
        index = end + 1
    return problems


def main(arguments):
    problems = []
    for root in arguments or ["Sources"]:
        for directory, _, files in sorted(os.walk(root)):
            for name in sorted(files):
                if name.endswith(".swift"):
                    problems += check(os.path.join(directory, name))
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
