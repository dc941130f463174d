#!/usr/bin/env python3
"""Lists C# members (methods, constructors, accessors, local types' members) longer than a limit, counted from the
first line of the signature to the closing brace (or the ';' of an expression body), both included.

usage: .ci/long-methods.py [--max N] [PATH...]   (default: --max 80 src); exit 1 when one is found.
Braces inside string and char literals are ignored; raw (triple-quoted) strings are skipped whole.
"""
import os
import re
import sys

TYPE_WORDS = re.compile(r'\b(class|record|struct|interface|enum)\b')
STRING = re.compile(r'@?\$*"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)\'')


def code_only(line, in_raw):
    """The line without comments and literals; whether a raw string is still open after it."""
    out = ''
    while line:
        if in_raw:
            end = line.find('"""')
            if end < 0:
                return out, True
            line, in_raw = line[end + 3:], False
            continue
        start = line.find('"""')
        head = line if start < 0 else line[:start]
        head = STRING.sub('""', head)
        cut = head.find('//')
        if cut >= 0:
            return out + head[:cut], False
        out += head
        if start < 0:
            return out, False
        line, in_raw = line[start + 3:], True
    return out, in_raw


def members(path):
    """(start line, length, signature) of every member declared directly in a type body."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    stack = []  # True for a type body, False for any other block
    in_raw = False
    pending_type = False
    current = None  # (start, depth) of the member being measured
    signature_start = None
    for i, raw in enumerate(lines, 1):
        code, in_raw = code_only(raw, in_raw)
        stripped = code.strip()
        in_type_body = bool(stack) and stack[-1] and current is None
        if in_type_body and stripped and signature_start is None and not stripped.startswith('['):
            if '(' in stripped or stripped.endswith(('get', 'set', 'init')) or re.match(r'^(get|set|init)\b', stripped):
                if not TYPE_WORDS.search(stripped.split('(')[0]):
                    signature_start = i
        if TYPE_WORDS.search(stripped.split('(')[0]) and not stripped.startswith('//'):
            pending_type = True
        for ch in code:
            if ch == '{':
                if signature_start is not None and current is None:
                    current = (signature_start, len(stack))
                stack.append(pending_type and current is None)
                pending_type = False
            elif ch == '}':
                if stack:
                    stack.pop()
                if current is not None and len(stack) == current[1]:
                    yield current[0], i - current[0] + 1, lines[current[0] - 1].strip()
                    current, signature_start = None, None
            elif ch == ';' and current is None and signature_start is not None and stack and stack[-1]:
                # An expression-bodied member or a field initializer ends here.
                yield signature_start, i - signature_start + 1, lines[signature_start - 1].strip()
                signature_start = None
        if stripped.endswith(';') and current is None and signature_start is None:
            pending_type = False


def main(argv):
    limit, paths = 80, []
    it = iter(argv)
    for a in it:
        if a == '--max':
            limit = int(next(it))
        else:
            paths.append(a)
    found = 0
    for root in paths or ['src']:
        files = [root] if root.endswith('.cs') else sorted(
            os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith('.cs') and '/obj/' not in d + '/')
        for path in files:
            for start, length, sig in members(path):
                if length > limit:
                    found += 1
                    print(f'{path}:{start}: {length} lines: {sig[:100]}')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
