#!/usr/bin/env python3
"""Generate the README's Terraform inputs/outputs tables from the module's .tf files.

    tfdocs.py                 rewrite the tables between the markers in README.md
    tfdocs.py --check         exit 1 (and say how to fix it) when README.md is out of date
    tfdocs.py --module-dir modules/alb --readme -   print one module's tables to stdout

No terraform-docs binary and no HCL library: a small scanner of our own reads the top-level
``variable`` and ``output`` blocks (strings with escapes and interpolations, heredocs, comments and
nested brackets are skipped correctly) and takes their ``description``, ``type``, ``default``,
``sensitive`` and ``nullable`` arguments as written. Anything it cannot parse is an error naming the
file and line, never a silently wrong table.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\n")
MAX_CELL = 400  # longer defaults are cut, with a pointer to variables.tf


class ParseError(Exception):
    """The .tf text is not what this scanner understands."""


@dataclass
class Block:
    kind: str  # "variable" or "output"
    name: str
    line: int
    attributes: dict[str, str] = field(default_factory=dict)  # argument name -> expression text


class Scanner:
    """Walks HCL text, skipping strings, heredocs and comments, to find where things end."""

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path

    def line_of(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def fail(self, pos: int, msg: str) -> ParseError:
        return ParseError(f"{self.path}:{self.line_of(pos)}: {msg}")

    def skip_space(self, pos: int, newlines: bool = True) -> int:
        """Skip blanks and comments; with newlines=False stop at the first newline."""
        text = self.text
        while pos < len(text):
            ch = text[pos]
            if ch in " \t\r" or (newlines and ch == "\n"):
                pos += 1
            elif ch == "#" or text.startswith("//", pos):
                end = text.find("\n", pos)
                pos = len(text) if end < 0 else end
            elif text.startswith("/*", pos):
                end = text.find("*/", pos + 2)
                if end < 0:
                    raise self.fail(pos, "unterminated /* comment")
                pos = end + 2
            else:
                break
        return pos

    def skip_string(self, pos: int) -> int:
        """pos is at an opening quote; return the position after the closing one."""
        text = self.text
        i = pos + 1
        while i < len(text):
            ch = text[i]
            if ch == "\\":
                i += 2
            elif ch == '"':
                return i + 1
            elif ch == "\n":
                break
            elif text.startswith("${", i) or text.startswith("%{", i):
                i = self.skip_balanced(i + 1, "{", "}")
            else:
                i += 1
        raise self.fail(pos, "unterminated string")

    def skip_heredoc(self, pos: int) -> int:
        m = HEREDOC.match(self.text, pos)
        if not m:
            raise self.fail(pos, "malformed heredoc")
        marker = m.group(2)
        end = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.MULTILINE).search(self.text, m.end())
        if not end:
            raise self.fail(pos, f"heredoc {marker} is never closed")
        return end.end()

    def skip_balanced(self, pos: int, opening: str, closing: str) -> int:
        """pos is at `opening`; return the position after its matching `closing`."""
        pairs = {"(": ")", "[": "]", "{": "}"}
        stack = [closing]
        i = pos + 1
        text = self.text
        while i < len(text):
            i = self.skip_space(i)
            if i >= len(text):
                break
            ch = text[i]
            if ch == '"':
                i = self.skip_string(i)
            elif text.startswith("<<", i) and HEREDOC.match(text, i):
                i = self.skip_heredoc(i)
            elif ch in pairs:
                stack.append(pairs[ch])
                i += 1
            elif ch in ")]}":
                if ch != stack[-1]:
                    raise self.fail(i, f"unbalanced {ch!r}")
                stack.pop()
                i += 1
                if not stack:
                    return i
            else:
                i += 1
        raise self.fail(pos, f"{opening!r} is never closed")

    def expression_end(self, pos: int) -> tuple[int, int]:
        """End of the expression starting at pos (the first newline outside brackets and strings),
        and the end of its last token (so that a trailing comment is not part of it)."""
        text = self.text
        pairs = {"(": ")", "[": "]", "{": "}"}
        i = last = pos
        while i < len(text):
            i = self.skip_space(i, newlines=False)
            if i >= len(text) or text[i] == "\n" or text[i] == "}":
                return i, last
            ch = text[i]
            if ch == '"':
                i = self.skip_string(i)
            elif text.startswith("<<", i) and HEREDOC.match(text, i):
                i = self.skip_heredoc(i)
                return i, i
            elif ch in pairs:
                i = self.skip_balanced(i, ch, pairs[ch])
            else:
                i += 1
            last = i
        return i, last


def parse_blocks(text: str, path: str) -> list[Block]:
    """Top-level variable/output blocks and their top-level arguments."""
    sc = Scanner(text, path)
    blocks: list[Block] = []
    pos = sc.skip_space(0)
    while pos < len(text):
        m = IDENT.match(text, pos)
        if not m:
            raise sc.fail(pos, f"expected a block or argument, found {text[pos : pos + 20]!r}")
        word = m.group(0)
        pos = sc.skip_space(m.end(), newlines=False)
        labels: list[str] = []
        while pos < len(text) and text[pos] == '"':
            end = sc.skip_string(pos)
            labels.append(json.loads(text[pos:end]))
            pos = sc.skip_space(end, newlines=False)
        if pos < len(text) and text[pos] == "=":  # a top-level argument: legal HCL, nothing to document
            pos = sc.skip_space(sc.expression_end(pos + 1)[0])
            continue
        if pos >= len(text) or text[pos] != "{":
            raise sc.fail(pos, f"expected '{{' after {word}")
        body_start = pos
        body_end = sc.skip_balanced(pos, "{", "}")
        if word in ("variable", "output"):
            if len(labels) != 1:
                raise sc.fail(body_start, f"{word} block needs exactly one label")
            block = Block(word, labels[0], sc.line_of(body_start))
            block.attributes = parse_body(sc, body_start + 1, body_end - 1)
            blocks.append(block)
        pos = sc.skip_space(body_end)
    return blocks


def parse_body(sc: Scanner, start: int, end: int) -> dict[str, str]:
    """Arguments of one block body (nested blocks such as validation are skipped)."""
    text = sc.text
    attributes: dict[str, str] = {}
    pos = sc.skip_space(start)
    while pos < end:
        m = IDENT.match(text, pos)
        if not m:
            raise sc.fail(pos, f"unexpected {text[pos : pos + 20]!r} in block body")
        name = m.group(0)
        pos = sc.skip_space(m.end(), newlines=False)
        if text[pos] == "=" and not text.startswith("==", pos):
            expr_end, token_end = sc.expression_end(pos + 1)
            attributes[name] = text[pos + 1 : token_end].strip()
            pos = expr_end
        else:
            while text[pos] == '"':  # labels of a nested block
                pos = sc.skip_space(sc.skip_string(pos), newlines=False)
            if text[pos] != "{":
                raise sc.fail(pos, f"expected '=' or '{{' after {name}")
            pos = sc.skip_balanced(pos, "{", "}")
        pos = sc.skip_space(pos)
    return attributes


def string_value(expr: str | None) -> str:
    """The text of a plain string literal (escapes resolved); interpolations are kept as written."""
    if expr is None:
        return ""
    if expr.startswith('"') and expr.endswith('"'):
        try:
            value = str(json.loads(expr))  # HCL's string escapes are JSON's
        except json.JSONDecodeError:
            value = expr[1:-1]
        return value.replace("$${", "${").replace("%%{", "%{")
    if expr.startswith("<<"):
        lines = expr.splitlines()[1:-1]
        return " ".join(line.strip() for line in lines)
    return expr


def compact(expr: str) -> str:
    """One-line form of an expression: whitespace runs collapsed, comments dropped."""
    lines = []
    for raw in expr.splitlines():
        line = re.sub(r"\s+#.*$", "", raw) if '"' not in raw else raw
        lines.append(line.strip())
    parts = [part for part in lines if part]
    one = parts[0] if parts else ""
    for part in parts[1:]:
        # Newline-separated object/map members become comma-separated on one line.
        glue = " " if one.endswith(("{", "[", "(", ",")) or part.startswith(("}", "]", ")")) else ", "
        one += glue + part
    one = re.sub(r"([\[{(])\s+", r"\1 ", one)
    one = re.sub(r"\s+([\]})])", r" \1", one)
    return re.sub(r"\s{2,}", " ", one)


def cell_code(expr: str) -> str:
    text = compact(expr)
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 25].rstrip() + " … (see variables.tf)"
    return "`" + text.replace("|", "\\|") + "`"


def cell_text(text: str) -> str:
    """Prose for a table cell: one line, pipes escaped, <placeholders> kept visible (not read as HTML)."""
    return (
        " ".join(text.split())
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
    )


def load(module_dir: Path, filename: str, kind: str) -> list[Block]:
    path = module_dir / filename
    if not path.is_file():
        return []
    blocks = parse_blocks(path.read_text(encoding="utf-8"), str(path))
    return [b for b in blocks if b.kind == kind]


def render(module_dir: Path) -> str:
    variables = load(module_dir, "variables.tf", "variable")
    outputs = load(module_dir, "outputs.tf", "output")
    for block in variables + outputs:
        if not string_value(block.attributes.get("description")):
            raise ParseError(f"{module_dir}: {block.kind} {block.name!r} has no description")
        if block.kind == "variable" and "type" not in block.attributes:
            raise ParseError(f"{module_dir}: variable {block.name!r} has no type")
    out = ["### Inputs", ""]
    if variables:
        out += ["| Name | Description | Type | Default | Required |", "| --- | --- | --- | --- | :---: |"]
        for v in sorted(variables, key=lambda b: (("default" in b.attributes), b.name)):
            default = v.attributes.get("default")
            default_cell = cell_code(default) if default is not None else "n/a"
            out.append(
                f"| `{v.name}` | {cell_text(string_value(v.attributes['description']))} "
                f"| {cell_code(v.attributes['type'])} | {default_cell} "
                f"| {'no' if default is not None else 'yes'} |"
            )
    else:
        out.append("No inputs.")
    out += ["", "### Outputs", ""]
    if outputs:
        out += ["| Name | Description | Sensitive |", "| --- | --- | :---: |"]
        for o in sorted(outputs, key=lambda b: b.name):
            sensitive = o.attributes.get("sensitive", "false").strip() == "true"
            out.append(
                f"| `{o.name}` | {cell_text(string_value(o.attributes['description']))} "
                f"| {'yes' if sensitive else 'no'} |"
            )
    else:
        out.append("No outputs.")
    return "\n".join(out) + "\n"


def splice(readme: str, tables: str) -> str:
    begin = readme.find(BEGIN)
    end = readme.find(END)
    if begin < 0 or end < 0 or end < begin:
        raise ParseError(f"README needs the markers {BEGIN} and {END} (in that order)")
    return readme[: begin + len(BEGIN)] + "\n" + tables + readme[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    root = Path(__file__).resolve().parent.parent
    parser.add_argument("--module-dir", type=Path, default=root, help="module whose tables to render")
    parser.add_argument("--readme", default=str(root / "README.md"), help="README to update, or - for stdout")
    parser.add_argument("--check", action="store_true", help="fail when the README is out of date")
    args = parser.parse_args(argv)

    try:
        tables = render(args.module_dir)
        if args.readme == "-":
            sys.stdout.write(tables)
            return 0
        readme_path = Path(args.readme)
        current = readme_path.read_text(encoding="utf-8")
        wanted = splice(current, tables)
    except (ParseError, OSError) as exc:
        print(f"tfdocs: {exc}", file=sys.stderr)
        return 2

    if args.check:
        if current != wanted:
            diff = difflib.unified_diff(
                current.splitlines(), wanted.splitlines(), "README.md", "README.md (generated)", lineterm=""
            )
            print("\n".join(list(diff)[:60]), file=sys.stderr)
            print(
                f"tfdocs: {readme_path} is out of date with the module's variables/outputs: run `make docs`",
                file=sys.stderr,
            )
            return 1
        print(f"tfdocs: {readme_path} is up to date")
        return 0
    if current != wanted:
        readme_path.write_text(wanted, encoding="utf-8")
        print(f"tfdocs: updated {readme_path}")
    else:
        print(f"tfdocs: {readme_path} already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
